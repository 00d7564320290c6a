import type { Resource } from 'fhir/r4';

/**
 * Where a resource names its patient, for the types a `patient/` scope may reach (a subset of
 * FHIR R4's Patient compartment, compartmentdefinition-patient.html): the element holding the
 * reference and the search parameter that filters on it.
 */
const COMPARTMENT: Readonly<Record<string, { element: string; searchParam: string }>> = {
  Patient: { element: 'id', searchParam: '_id' },
  Encounter: { element: 'subject', searchParam: 'patient' },
  Condition: { element: 'subject', searchParam: 'patient' },
  ChargeItem: { element: 'subject', searchParam: 'patient' },
  Observation: { element: 'subject', searchParam: 'patient' },
  Procedure: { element: 'subject', searchParam: 'patient' },
  Coverage: { element: 'beneficiary', searchParam: 'beneficiary' },
  CoverageEligibilityRequest: { element: 'patient', searchParam: 'patient' },
  CoverageEligibilityResponse: { element: 'patient', searchParam: 'patient' },
  Claim: { element: 'patient', searchParam: 'patient' },
  ClaimResponse: { element: 'patient', searchParam: 'patient' },
  ExplanationOfBenefit: { element: 'patient', searchParam: 'patient' },
  Task: { element: 'for', searchParam: 'subject' },
};

/** Types outside the patient compartment that `patient/` scopes may still read (shared data). */
const SHARED_TYPES: ReadonlySet<string> = new Set(['Practitioner', 'PractitionerRole', 'Organization', 'Location']);

export type CompartmentRule =
  | { kind: 'compartment'; searchParam: string }
  | { kind: 'shared' }
  | { kind: 'unsupported' };

/** How a `patient/` scoped request for this type is confined. */
export function compartmentRule(resourceType: string): CompartmentRule {
  const entry = COMPARTMENT[resourceType];
  if (entry) return { kind: 'compartment', searchParam: entry.searchParam };
  return SHARED_TYPES.has(resourceType) ? { kind: 'shared' } : { kind: 'unsupported' };
}

/** The search value that restricts a search of `resourceType` to `patientId`. */
export function compartmentSearchValue(resourceType: string, patientId: string): string {
  return resourceType === 'Patient' ? patientId : `Patient/${patientId}`;
}

/** The id of the patient a resource belongs to, or undefined when it names none. */
export function patientIdOf(resource: Resource): string | undefined {
  const entry = COMPARTMENT[resource.resourceType];
  if (!entry) return undefined;
  if (entry.element === 'id') return resource.id;
  const ref = (resource as unknown as Record<string, { reference?: string } | undefined>)[entry.element]?.reference;
  const match = ref ? /(?:^|\/)Patient\/([^/]+)$/.exec(ref) : null;
  return match?.[1];
}

/**
 * True when a `patient/` scoped token for `patientId` may see or write `resource`: shared types
 * always, compartment types when they name that patient, anything else never.
 */
export function inPatientCompartment(resource: Resource, patientId: string): boolean {
  const rule = compartmentRule(resource.resourceType);
  if (rule.kind === 'shared') return true;
  if (rule.kind === 'unsupported') return false;
  return patientIdOf(resource) === patientId;
}
