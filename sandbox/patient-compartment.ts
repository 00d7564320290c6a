import type { Resource } from 'fhir/r4';

/**
 * Where a resource names its patient, for the types a `patient/` scope may reach (a subset of
 * FHIR R4's Patient compartment, compartmentdefinition-patient.html): the element holding the
 * reference (a dotted path through repeating elements for Provenance and AuditEvent, which may
 * name several resources) and the search parameter that filters on it.
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
  Provenance: { element: 'target', searchParam: 'patient' },
  AuditEvent: { element: 'entity.what', searchParam: 'patient' },
};

export type CompartmentRule =
  { kind: 'compartment'; element: string; searchParam: string } | { kind: 'outside' };

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

/** The values at a dotted path, through repeating elements (`entity.what` of every `entity`). */
function valuesAt(value: unknown, path: string[]): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => valuesAt(v, path));
  if (path.length === 0) return value === undefined ? [] : [value];
  if (typeof value !== 'object' || value === null) return [];
  const [head, ...rest] = path;
  return valuesAt((value as Record<string, unknown>)[head ?? ''], rest);
}

/**
 * The id of the one patient a resource belongs to, or undefined when it names none or several
 * (a resource naming two patients is written by neither patient's token).
 */
export function patientIdOf(resource: Resource): string | undefined {
  const entry = COMPARTMENT[resource.resourceType];
  if (!entry) return undefined;
  if (entry.element === 'id') return resource.id;
  const ids = new Set<string>();
  for (const ref of valuesAt(resource, entry.element.split('.'))) {
    const reference = (ref as { reference?: unknown }).reference;
    const match =
      typeof reference === 'string' ? /(?:^|\/)Patient\/([^/]+)$/.exec(reference) : null;
    if (match?.[1]) ids.add(match[1]);
  }
  return ids.size === 1 ? [...ids][0] : undefined;
}

/** True when `resource` is in `patientId`'s compartment, the only place a `patient/` scoped token reaches. */
export function inPatientCompartment(resource: Resource, patientId: string): boolean {
  return (
    compartmentRule(resource.resourceType).kind === 'compartment' &&
    patientIdOf(resource) === patientId
  );
}
