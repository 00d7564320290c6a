import type {
  ClaimResponse,
  Condition,
  Coverage,
  Encounter,
  Location,
  OperationOutcome,
  Patient,
  Practitioner,
  RelatedPerson,
  Resource,
} from 'fhir/r4';
import {
  claimSourceProblems,
  type ClaimProblem,
  type ClaimSources,
} from '../../../src/claims/claim-belongs.ts';
import { dateOfServiceOf } from '../../../src/claims/build-claim.ts';
import { AppError, isAppError } from '../../../src/errors/app-error.ts';
import type { FhirGateway } from '../../../src/fhir/fhir-gateway.ts';
import { SYSTEM } from '../../../src/fhir/systems.ts';
import { checkResource, resourcesOf, type ShapeOf } from '../fhir-shapes.ts';
import type { EncounterContext } from '../pipeline-types.ts';
import { idOfReference } from '../../../src/fhir/reference-id.ts';
import type { PrefetchedContext } from './prefetch-contexts.ts';

/**
 * Reads what the claim is made from: the Patient, the encounter's billable ChargeItems and its
 * diagnoses, the patient's Coverage, the billing Organization, the payer and the rendering
 * Practitioner. What the tick prefetched for a chunk of encounters is used as it came; anything
 * else is read, independent reads in parallel. Every resource is checked here, so a broken one
 * quarantines this encounter only.
 */
export async function loadContext(
  clinical: FhirGateway,
  encounter: Encounter & { id: string },
  prefetched?: PrefetchedContext,
  timeZone?: string,
): Promise<EncounterContext> {
  const encounterRef = `Encounter/${encounter.id}`;
  const patientId = idOfReference(encounter.subject?.reference, 'Patient');
  if (!patientId) throw new Error(`${encounterRef} has no Patient subject`);
  const related = prefetched?.related;
  const [patient, chargeItems, conditions, coverages, billingProvider, practitioner, where] =
    await Promise.all([
      prefetched?.patient
        ? checkResource('Patient', prefetched.patient)
        : clinical.read('Patient', patientId).then((p) => checkResource('Patient', p)),
      search(clinical, prefetched?.chargeItems, 'ChargeItem', { context: encounterRef }),
      search(clinical, prefetched?.conditions, 'Condition', { encounter: encounterRef }),
      search(clinical, prefetched?.coverages, 'Coverage', { beneficiary: `Patient/${patientId}` }),
      readOptional(
        clinical,
        'Organization',
        idOfReference(encounter.serviceProvider?.reference, 'Organization'),
        related,
      ),
      readOptional(clinical, 'Practitioner', renderingPractitionerId(encounter), related),
      visitParties(clinical, encounter, related),
    ]);
  const coverage = pickCoverage(coverages, dateOfServiceOf(encounter, timeZone));
  const billable = chargeItems.filter((c) => c.status === 'billable');
  const diagnoses = conditions.filter(isEncounterDiagnosis);
  refuseForeignOrUnbillable({
    patientId,
    chargeItems: billable,
    conditions: diagnoses.filter((c) => !isEnteredInError(c)),
    coverage,
  });
  const [payerOrg, subscriber] = await Promise.all([
    readOptional(
      clinical,
      'Organization',
      idOfReference(coverage?.payor[0]?.reference, 'Organization'),
      related,
    ),
    subscriberOf(clinical, coverage, patientId, related),
  ]);
  return {
    encounter,
    encounterRef,
    patient,
    chargeItems: billable,
    conditions: diagnoses,
    coverage,
    billingProvider,
    payerOrg,
    practitioner,
    ...where,
    ...(subscriber ? { subscriber } : {}),
    ...(prefetched?.preauthorizations
      ? {
          preauthorizations: prefetched.preauthorizations.filter(
            (r): r is ClaimResponse => r.resourceType === 'ClaimResponse',
          ),
        }
      : {}),
  };
}

/** Who an eligibility check is about and who asks: patient, plan, billing organization, payer. */
export type EligibilityParties = Pick<
  EncounterContext,
  'patient' | 'coverage' | 'billingProvider' | 'payerOrg' | 'subscriber'
>;

/**
 * What an eligibility check of a visit not yet finished needs (issue 15): the Patient, the
 * Coverage for its date of service, the billing Organization and the payer; no charges or
 * diagnoses. Read one after another: the early check runs beside the tick's encounters and
 * stays within the load the worker's concurrency allows.
 */
export async function loadEligibilityParties(
  clinical: FhirGateway,
  visit: { patientId: string; organizationId: string | undefined; dateOfService: string },
): Promise<EligibilityParties> {
  const patient = checkResource('Patient', await clinical.read('Patient', visit.patientId));
  const coverages = await search(clinical, undefined, 'Coverage', {
    beneficiary: `Patient/${visit.patientId}`,
  });
  const coverage = pickCoverage(coverages, visit.dateOfService);
  const billingProvider = await readOptional(
    clinical,
    'Organization',
    visit.organizationId,
    undefined,
  );
  const payerId = idOfReference(coverage?.payor[0]?.reference, 'Organization');
  const payerOrg = await readOptional(clinical, 'Organization', payerId, undefined);
  // A dependent's subscriber: the 270 names them in 2100C, the patient in 2100D.
  const subscriber = await subscriberOf(clinical, coverage, visit.patientId, undefined);
  return { patient, coverage, billingProvider, payerOrg, ...(subscriber ? { subscriber } : {}) };
}

/** `loadEligibilityParties` for an Encounter under way, as the context its checks take. */
export async function loadEligibilityContext(
  clinical: FhirGateway,
  encounter: Encounter & { id: string },
  timeZone?: string,
): Promise<EncounterContext> {
  const patientId = idOfReference(encounter.subject?.reference, 'Patient');
  if (!patientId) throw new Error(`Encounter/${encounter.id} has no Patient subject`);
  const parties = await loadEligibilityParties(clinical, {
    patientId,
    organizationId: idOfReference(encounter.serviceProvider?.reference, 'Organization'),
    dateOfService: dateOfServiceOf(encounter, timeZone),
  });
  return {
    ...parties,
    encounter,
    encounterRef: `Encounter/${encounter.id}`,
    chargeItems: [],
    conditions: [],
    practitioner: undefined,
  };
}

/**
 * The referring provider (participant type REF, 837P 2310A) and the place of the visit (the
 * first Encounter.location that is not only planned: place of service, 2310C), when named.
 */
async function visitParties(
  clinical: FhirGateway,
  encounter: Encounter,
  related: ReadonlyMap<string, Resource> | undefined,
): Promise<{ referring?: Practitioner; location?: Location }> {
  const referrer = (encounter.participant ?? []).find((p) =>
    p.type?.some((t) => t.coding?.some((c) => c.code === 'REF')),
  );
  const place = (encounter.location ?? []).find((l) => l.status !== 'planned');
  const [referring, location] = await Promise.all([
    readOptional(
      clinical,
      'Practitioner',
      idOfReference(referrer?.individual?.reference, 'Practitioner'),
      related,
    ),
    readOptional(
      clinical,
      'Location',
      idOfReference(place?.location.reference, 'Location'),
      related,
    ),
  ]);
  return { ...(referring ? { referring } : {}), ...(location ? { location } : {}) };
}

/**
 * The subscriber of a dependent's Coverage (Coverage.subscriber naming a Patient other than the
 * beneficiary, e.g. the parent whose employer plan covers a child, or a RelatedPerson when the
 * parent is no patient of the practice): 270 loop 2100C, 837P loop 2010BA.
 */
async function subscriberOf(
  clinical: FhirGateway,
  coverage: Coverage | undefined,
  patientId: string,
  related: ReadonlyMap<string, Resource> | undefined,
): Promise<Patient | RelatedPerson | undefined> {
  const reference = coverage?.subscriber?.reference;
  const person = idOfReference(reference, 'RelatedPerson');
  if (person) return readOptional(clinical, 'RelatedPerson', person, related);
  const id = idOfReference(reference, 'Patient');
  return id && id !== patientId ? readOptional(clinical, 'Patient', id, related) : undefined;
}

/**
 * Holds the encounter (data-invalid, every problem named) when a record the claim would be made
 * from is another patient's, or has no code in a billing system: nothing is guessed.
 */
function refuseForeignOrUnbillable(sources: ClaimSources): void {
  const problems = claimSourceProblems(sources);
  if (problems.length > 0) throw claimProblemsError(problems);
}

/** The problems as one FHIR_RESOURCE_INVALID error: a line each, and an OperationOutcome issue each. */
export function claimProblemsError(problems: readonly ClaimProblem[]): AppError {
  const outcome: OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: problems.map((p) => ({
      severity: 'error',
      code: 'business-rule',
      diagnostics: p.message,
      expression: [p.expression],
    })),
  };
  return new AppError('FHIR_RESOURCE_INVALID', problems.map((p) => p.message).join('\n- '), {
    outcome,
  });
}

function isEnteredInError(condition: Condition): boolean {
  return condition.verificationStatus?.coding?.some((c) => c.code === 'entered-in-error') === true;
}

/**
 * The coverage to bill: an active one in force on the date of service, else any active one,
 * else the most recently ended one (so the payer can say it is not in force, and staff see why).
 */
export function pickCoverage(
  coverages: readonly Coverage[],
  dateOfService: string,
): Coverage | undefined {
  const usable = coverages.filter((c) => c.status === 'active' || c.status === 'cancelled');
  const covers = (c: Coverage) =>
    (c.period?.start?.slice(0, 10) ?? '0000') <= dateOfService &&
    dateOfService <= (c.period?.end?.slice(0, 10) ?? '9999');
  const active = usable.filter((c) => c.status === 'active');
  return (
    active.find(covers) ??
    active[0] ??
    [...usable].sort((a, b) => (b.period?.end ?? '').localeCompare(a.period?.end ?? ''))[0]
  );
}

/** A Condition that is an encounter diagnosis (problem-list entries are not billed). */
function isEncounterDiagnosis(condition: {
  category?: { coding?: { system?: string; code?: string }[] }[];
}): boolean {
  const categories = condition.category ?? [];
  return (
    categories.length === 0 ||
    categories.some((c) =>
      c.coding?.some(
        (k) => k.system === SYSTEM.conditionCategory && k.code === 'encounter-diagnosis',
      ),
    )
  );
}

/** The primary performer (PPRF), else the attender (ATND), else the first practitioner. */
function renderingPractitionerId(encounter: Encounter): string | undefined {
  const participants = (encounter.participant ?? []).filter((p) =>
    idOfReference(p.individual?.reference, 'Practitioner'),
  );
  const byType = (code: string) =>
    participants.find((p) => p.type?.some((t) => t.coding?.some((c) => c.code === code)));
  const chosen = byType('PPRF') ?? byType('ATND') ?? participants[0];
  return idOfReference(chosen?.individual?.reference, 'Practitioner');
}

/** The prefetched resources of a type, else one search for them; each checked. */
async function search<K extends 'ChargeItem' | 'Condition' | 'Coverage'>(
  clinical: FhirGateway,
  prefetched: readonly Resource[] | undefined,
  type: K,
  params: Record<string, string>,
): Promise<ShapeOf[K][]> {
  return resourcesOf(type, prefetched ?? (await clinical.searchAll(type, params)));
}

async function readOptional<
  K extends 'Organization' | 'Practitioner' | 'Location' | 'Patient' | 'RelatedPerson',
>(
  clinical: FhirGateway,
  type: K,
  id: string | undefined,
  related: ReadonlyMap<string, Resource> | undefined,
): Promise<ShapeOf[K] | undefined> {
  if (!id) return undefined;
  const known = related?.get(`${type}/${id}`);
  if (known) return checkResource(type, known);
  try {
    return checkResource(type, await clinical.read(type, id));
  } catch (err) {
    // A dangling reference is the claim's problem to report, not a reason to retry.
    if (isAppError(err, 'FHIR_NOT_FOUND')) return undefined;
    throw err;
  }
}
