import type { ChargeItem, Condition, Coverage, Encounter, Patient } from 'fhir/r4';
import type { EditReference } from '../../src/edits/edit-reference.ts';
import { payerFacts, payerIdOfCoverage } from '../../src/edits/payer-edit-set.ts';
import { codingFromFhir } from '../../src/coding/coding-fhir.ts';
import type { EncounterCoding, VisitFacts } from '../../src/coding/coding-model.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { DEFAULT_PLACE_OF_SERVICE } from '../../src/edits/place-of-service.ts';
import { todayAnywhere } from '../../src/edits/rules/visit-date-rules.ts';
import { isCodedDiagnosis } from './documented-suggestions.ts';
import { idOfReference } from '../../src/fhir/reference-id.ts';

/** The encounter's resources as read from the EHR, with the coding derived from them. */
export interface LoadedEncounter {
  encounter: Encounter;
  patient: Patient;
  conditions: Condition[];
  chargeItems: ChargeItem[];
  coding: EncounterCoding;
  facts: VisitFacts;
  /** True when every live charge is signed off (billable) and there is at least one. */
  signedOff: boolean;
}

const LIVE_CHARGE = new Set(['planned', 'billable', 'billed']);

/** Reads the encounter, its patient, diagnoses (Condition) and charges (ChargeItem). */
export async function loadEncounterCoding(
  fhir: FhirGateway,
  patientId: string,
  encounterId: string,
  reference: EditReference = {},
): Promise<LoadedEncounter> {
  const [encounter, patient, conditionsRaw, chargesRaw, coverages] = await Promise.all([
    fhir.read<Encounter>('Encounter', encounterId),
    fhir.read<Patient>('Patient', patientId),
    fhir.searchAll('Condition', { encounter: `Encounter/${encounterId}`, _count: 100 }),
    fhir.searchAll('ChargeItem', { context: `Encounter/${encounterId}`, _count: 100 }),
    // The payer picks the edit set and the timely filing window; an EHR that refuses Coverage
    // leaves the payer unknown (Medicare-only limits then warn instead of block).
    fhir
      .searchAll('Coverage', { beneficiary: `Patient/${patientId}`, status: 'active', _count: 10 })
      .catch(() => []),
  ]);
  // Only the encounter's ICD-10-CM encounter diagnoses are its coding; other documented Conditions are not.
  // A resource pointing at this encounter but about another patient is not this visit's: never shown, never written.
  const ofPatient = (r: Condition | ChargeItem) =>
    idOfReference(r.subject.reference, 'Patient') === patientId;
  const conditions = conditionsRaw.filter(
    (r): r is Condition => r.resourceType === 'Condition' && isCodedDiagnosis(r) && ofPatient(r),
  );
  const chargeItems = chargesRaw.filter(
    (r): r is ChargeItem => r.resourceType === 'ChargeItem' && ofPatient(r),
  );
  const live = chargeItems.filter((c) => LIVE_CHARGE.has(c.status));
  return {
    encounter,
    patient,
    conditions,
    chargeItems,
    coding: codingFromFhir(conditions, chargeItems),
    facts: {
      ...visitFacts(encounter, patient),
      ...coverageFacts(
        coverages.flatMap((r) => (r.resourceType === 'Coverage' ? [r] : [])),
        reference,
      ),
    },
    signedOff:
      live.length > 0 && live.every((c) => c.status === 'billable' || c.status === 'billed'),
  };
}

/** The payer's id (from the payor's identifier, when given) and edit set of the first active Coverage. */
function coverageFacts(coverages: Coverage[], reference: EditReference) {
  const coverage = coverages[0];
  if (!coverage) return {};
  const payerId = payerIdOfCoverage(coverage);
  return payerFacts(reference.payerEditSets, payerId, coverage.type?.coding ?? []);
}

/** The visit facts the edits need: date of service, the patient's age and sex, place of service. */
export function visitFacts(encounter: Encounter, patient: Patient): VisitFacts {
  const start = encounter.period?.start ?? new Date().toISOString();
  return {
    dateOfService: start.slice(0, 10),
    ...(patient.birthDate ? { patientBirthDate: patient.birthDate } : {}),
    ...(patient.gender ? { patientSex: patient.gender } : {}),
    placeOfService: DEFAULT_PLACE_OF_SERVICE,
    today: todayAnywhere(new Date()),
    ...(encounter.period
      ? {
          visitPeriod: {
            ...(encounter.period.start ? { start: encounter.period.start } : {}),
            ...(encounter.period.end ? { end: encounter.period.end } : {}),
          },
        }
      : {}),
  };
}
