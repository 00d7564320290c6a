import type { Resource } from 'fhir/r4';
import { SYSTEM } from '../fhir/systems.ts';

type Ref = { reference?: string } | undefined;
type Loose = Record<string, unknown>;

/**
 * Where each type names its patient (FHIR R4 Patient compartment, compartmentdefinition-patient
 * .html), for the types ChartBill reads and writes.
 */
const PATIENT_ELEMENT: Readonly<Record<string, string>> = {
  Encounter: 'subject',
  Condition: 'subject',
  ChargeItem: 'subject',
  Observation: 'subject',
  Procedure: 'subject',
  Coverage: 'beneficiary',
  CoverageEligibilityRequest: 'patient',
  CoverageEligibilityResponse: 'patient',
  Claim: 'patient',
  ClaimResponse: 'patient',
  ExplanationOfBenefit: 'patient',
  Task: 'for',
};

/** ChartBill's identifiers that carry the encounter id as `enc-<id>` (one per encounter). */
const ENCOUNTER_IDENTIFIERS: ReadonlySet<string> = new Set([
  SYSTEM.claimId,
  SYSTEM.eligibilityId,
  SYSTEM.claimResponseId,
]);

/** `Patient/123` from a relative or absolute reference, or undefined. */
function typedRef(ref: string | undefined, type: string): string | undefined {
  const match = ref
    ? new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})(?:/_history/[^/]+)?$`).exec(ref)
    : null;
  return match ? `${type}/${match[1] ?? ''}` : undefined;
}

/** The patient a resource belongs to (`Patient/123`), or undefined when it names none. */
export function patientRefOf(resource: Resource): string | undefined {
  if (resource.resourceType === 'Patient')
    return resource.id ? `Patient/${resource.id}` : undefined;
  const element = PATIENT_ELEMENT[resource.resourceType];
  return element
    ? typedRef(((resource as unknown as Loose)[element] as Ref)?.reference, 'Patient')
    : undefined;
}

/** The encounters a resource is about (`Encounter/123`), so an encounter's audit trail finds it. */
export function encounterRefsOf(resource: Resource): string[] {
  const r = resource as unknown as Loose;
  const refs: (string | undefined)[] = [];
  if (resource.resourceType === 'Encounter' && resource.id) refs.push(`Encounter/${resource.id}`);
  for (const element of ['encounter', 'context'])
    refs.push(typedRef((r[element] as Ref)?.reference, 'Encounter'));
  for (const item of (r.item as { encounter?: Ref[] }[] | undefined) ?? [])
    for (const e of item.encounter ?? []) refs.push(typedRef(e?.reference, 'Encounter'));
  for (const id of (r.identifier as { system?: string; value?: string }[] | undefined) ?? []) {
    if (id.system && ENCOUNTER_IDENTIFIERS.has(id.system) && id.value?.startsWith('enc-'))
      refs.push(`Encounter/${id.value.slice(4)}`);
  }
  return [...new Set(refs.filter((x): x is string => x !== undefined))];
}

/** The references a search's parameters name (`patient=Patient/1`, `encounter=Encounter/2,Encounter/3`). */
export function refsInQuery(
  params: Record<string, unknown>,
  type: 'Patient' | 'Encounter',
): string[] {
  const out = new Set<string>();
  for (const value of Object.values(params)) {
    for (const v of (Array.isArray(value) ? value : [value]).flatMap((x) => String(x).split(','))) {
      const ref = typedRef(v.trim(), type);
      if (ref) out.add(ref);
    }
  }
  return [...out];
}
