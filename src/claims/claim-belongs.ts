/**
 * Every record a claim is made from must be the encounter's patient's, and in a code system the
 * claim bills. A ChargeItem or Condition that points at the encounter but names another patient
 * (a careless EHR interface, a merge gone wrong, a hostile write) must not reach this patient's
 * claim; neither may a Coverage of someone else. Pure: the worker holds the encounter with every
 * problem found, so staff fix them all at once.
 */
import type { ChargeItem, Condition, Coverage, Reference } from 'fhir/r4';
import { billingCodingOf, clip, describeConcept } from './billing-codings.ts';
import { idOfReference } from '../fhir/reference-id.ts';

/** One reason a record may not go on the claim, with the FHIRPath of what is wrong. */
export interface ClaimProblem {
  expression: string;
  message: string;
}

/** What the claim would be made from. */
export interface ClaimSources {
  /** The encounter's patient's id. */
  patientId: string;
  /** The billable ChargeItems. */
  chargeItems: readonly ChargeItem[];
  /** The encounter diagnoses that would be billed (not entered-in-error). */
  conditions: readonly Condition[];
  coverage: Coverage | undefined;
}

/** The id of a `Patient/…` reference (relative, absolute or versioned); undefined for others. */
export function patientIdOf(reference: Reference | undefined): string | undefined {
  return idOfReference(reference?.reference, 'Patient');
}

function ownerProblem(
  what: string,
  field: string,
  reference: Reference | undefined,
  patientId: string,
): ClaimProblem | undefined {
  const owner = patientIdOf(reference);
  if (owner === patientId) return undefined;
  const named = reference?.reference ? clip(reference.reference) : undefined;
  return {
    expression: `${what.split('/')[0] ?? what}.${field}`,
    message: named
      ? `${what} belongs to ${named}, not to this encounter's patient Patient/${patientId}, so it is not billed on this patient's claim`
      : `${what} names no patient (${field}), so it cannot be billed on Patient/${patientId}'s claim`,
  };
}

/** Every problem with the records the claim would be made from; empty when all are usable. */
export function claimSourceProblems(sources: ClaimSources): ClaimProblem[] {
  const { patientId } = sources;
  const problems: (ClaimProblem | undefined)[] = [];
  for (const item of sources.chargeItems) {
    const what = `ChargeItem/${item.id ?? '?'}`;
    problems.push(ownerProblem(what, 'subject', item.subject, patientId));
    if (!billingCodingOf('service', item.code)) {
      problems.push({
        expression: 'ChargeItem.code',
        message: `${what} has no CPT or HCPCS code (found ${describeConcept(item.code)}); only CPT and HCPCS codes are billed as services`,
      });
    }
  }
  for (const condition of sources.conditions) {
    const what = `Condition/${condition.id ?? '?'}`;
    problems.push(ownerProblem(what, 'subject', condition.subject, patientId));
    if (!billingCodingOf('diagnosis', condition.code)) {
      problems.push({
        expression: 'Condition.code',
        message: `${what} has no ICD-10-CM code (found ${describeConcept(condition.code)}); only ICD-10-CM codes are billed as diagnoses`,
      });
    }
  }
  if (sources.coverage)
    problems.push(
      ownerProblem(
        `Coverage/${sources.coverage.id ?? '?'}`,
        'beneficiary',
        sources.coverage.beneficiary,
        patientId,
      ),
    );
  return problems.filter((p): p is ClaimProblem => p !== undefined);
}
