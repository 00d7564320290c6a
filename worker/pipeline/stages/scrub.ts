import type { EncounterCoding, Finding, VisitFacts } from '../../../src/coding/coding-model.ts';
import { dateOfServiceOf } from '../../../src/claims/build-claim.ts';
import { encounterPlaceOfService } from '../../../src/claims/encounter-place-of-service.ts';
import { payerFacts, payerIdOfCoverage } from '../../../src/edits/payer-edit-set.ts';
import { hasBlockingErrors, runEdits } from '../../../src/edits/run-edits.ts';
import { todayAnywhere } from '../../../src/edits/rules/visit-date-rules.ts';
import { SYSTEM } from '../../../src/fhir/systems.ts';
import type { EncounterContext, PipelineDeps } from '../pipeline-types.ts';

export interface ScrubResult {
  findings: Finding[];
  /** True when an error, or a line without a price, keeps the claim from being submitted. */
  blocked: boolean;
  /** True when a line has no price on the charge master (a pricing work item, not a coding one). */
  unpriced: boolean;
}

/**
 * The same edits, with the same reference data, the app runs while the clinician codes and
 * `chartbill scrub` runs (timely filing, PFS indicators, payer edit set included). A line without
 * a price is a warning for the clinician but holds the claim here: $0 lines are lost charges.
 */
export function scrub(
  coding: EncounterCoding,
  ctx: EncounterContext,
  deps: Pick<
    PipelineDeps,
    'codes' | 'chargeMaster' | 'placeOfService' | 'practiceTimeZone' | 'editReference' | 'now'
  >,
): ScrubResult {
  const gender = ctx.patient.gender;
  const period = ctx.encounter.period;
  const npi = ctx.billingProvider?.identifier?.find((i) => i.system === SYSTEM.npi)?.value;
  const facts: VisitFacts = {
    dateOfService: dateOfServiceOf(ctx.encounter, deps.practiceTimeZone),
    placeOfService: encounterPlaceOfService(ctx.encounter, ctx.location, deps.placeOfService),
    // The worker knows the day and the billing provider, so the date and NPI edits run here too.
    today: todayAnywhere(deps.now()),
    ...(period
      ? {
          visitPeriod: {
            ...(period.start ? { start: period.start } : {}),
            ...(period.end ? { end: period.end } : {}),
          },
        }
      : {}),
    ...(ctx.billingProvider ? { billingProvider: npi ? { npi } : {} } : {}),
    ...(ctx.patient.birthDate ? { patientBirthDate: ctx.patient.birthDate } : {}),
    ...(gender ? { patientSex: gender } : {}),
    ...payerFacts(
      deps.editReference?.payerEditSets,
      payerIdOfCoverage(ctx.coverage, ctx.payerOrg),
      ctx.coverage?.type?.coding ?? [],
    ),
  };
  const reference = { ...deps.editReference, chargeMaster: deps.chargeMaster };
  const findings = runEdits(coding, facts, deps.codes, reference);
  const unpriced = findings.some((f) => f.category === 'pricing');
  return { findings, blocked: hasBlockingErrors(findings) || unpriced, unpriced };
}

/** The findings as lines a person can act on: the problem, then the fix. */
export function describeFindings(findings: readonly Finding[]): string {
  return findings
    .filter((f) => f.severity === 'error' || f.category === 'pricing')
    .map((f) => `- ${f.message}${f.fix ? ` Fix: ${f.fix}` : ''}`)
    .join('\n');
}
