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

export type CompartmentRule = { kind: 'compartment'; element: string; searchParam: string } | { kind: 'outside' };

/**
 * How a `patient/` scoped request for this type is confined: to the element naming the patient,
 * or not at all reachable. SMART App Launch 2.2 §3.0.2 "Patient-specific scopes" give access to
 * data about the launch patient only; shared resources such as Practitioner or Organization are
 * outside the compartment, so reading or writing them needs a `user/` or `system/` scope.
 */
export function compartmentRule(resourceType: string): CompartmentRule {
  const entry = COMPARTMENT[resourceType];
  return entry ? { kind: 'compartment', ...entry } : { kind: 'outside' };
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

/** True when `resource` is in `patientId`'s compartment, the only place a `patient/` scoped token reaches. */
export function inPatientCompartment(resource: Resource, patientId: string): boolean {
  return compartmentRule(resource.resourceType).kind === 'compartment' && patientIdOf(resource) === patientId;
}
