import type { Resource } from 'fhir/r4';
import type { FhirAdapter } from './fhir-adapter.ts';
import { errorAnswer, type FhirAnswer, type FhirCall } from './fhir-response.ts';
import { compartmentRule, compartmentSearchValue, inPatientCompartment } from './patient-compartment.ts';
import { accessOf, type Interaction } from './scopes.ts';
import type { AccessGrant } from './token-service.ts';

/** The SMART v2 interaction letter a call needs. */
export function interactionOf(call: FhirCall): Interaction {
  switch (call.method) {
    case 'GET':
      return call.path.length === 1 ? 's' : 'r';
    case 'POST':
      return call.path[1] === '_search' ? 's' : 'c';
    case 'PUT':
    case 'PATCH':
      return 'u';
    case 'DELETE':
      return 'd';
    default:
      return call.method satisfies never;
  }
}

/**
 * Runs a FHIR call for a token, enforcing its scopes (SMART App Launch 2.2 §3):
 * - the resource type and interaction must be allowed by a granted scope (v1 `.read`/`.write`/`.*`
 *   or v2 `.cruds` letters), else 403;
 * - with only `patient/` scopes, the call is confined to the token's patient: searches of
 *   compartment types get the patient filter added (so another patient's data never matches),
 *   reads/updates/deletes of another patient's resource and writes naming another patient are
 *   refused with 403, `_include`d resources outside the compartment or the scopes are dropped.
 *   Practitioner, PractitionerRole, Organization and Location are shared and readable; other
 *   types outside the compartment list (patient-compartment.ts) are refused.
 * `user/` and `system/` scopes reach every resource of their types (the sandbox has one user).
 */
export async function handleWithScopes(adapter: FhirAdapter, call: FhirCall, grant: AccessGrant): Promise<FhirAnswer> {
  const resourceType = call.path[0] ?? '';
  const interaction = interactionOf(call);
  const accessTo = accessOf(grant.scope, grant.patient !== undefined);
  const access = accessTo(resourceType, interaction);
  const canSee = (r: Resource): boolean => {
    const a = accessTo(r.resourceType, 'r');
    return a === 'any' || (a === 'patient-compartment' && grant.patient !== undefined && inPatientCompartment(r, grant.patient));
  };
  if (access === 'denied') return errorAnswer(403, 'forbidden', `The granted scopes do not allow this interaction on ${resourceType}`);
  if (access === 'any' || grant.patient === undefined) return adapter.handle(call, { canSeeIncluded: canSee });
  return handleInCompartment(adapter, call, grant.patient, canSee);
}

async function handleInCompartment(adapter: FhirAdapter, call: FhirCall, patientId: string, canSee: (r: Resource) => boolean): Promise<FhirAnswer> {
  const resourceType = call.path[0] ?? '';
  const rule = compartmentRule(resourceType);
  const outside = (): FhirAnswer => errorAnswer(403, 'forbidden', `Patient-scoped access is limited to the launch patient's ${resourceType} resources`);
  if (rule.kind === 'unsupported') return errorAnswer(403, 'forbidden', `Patient-scoped access to ${resourceType} is not supported by this server`);
  if (rule.kind === 'shared') return adapter.handle(call, { canSeeIncluded: canSee });

  if (interactionOf(call) === 's') {
    const query = new URLSearchParams(call.query);
    // Appending ANDs the filter with whatever the client asked (FHIR search: repeated parameters AND).
    query.append(rule.searchParam, compartmentSearchValue(resourceType, patientId));
    return adapter.handle({ ...call, query }, { canSeeIncluded: canSee });
  }
  const id = call.path[1];
  if (id && call.method !== 'POST') {
    const current = await adapter.repo.readResource(resourceType, id).then((r) => r as unknown as Resource, () => undefined);
    if (current && !inPatientCompartment(current, patientId)) return outside();
  }
  const body = call.body as Resource | undefined;
  if ((call.method === 'POST' || call.method === 'PUT') && body?.resourceType === resourceType && !inPatientCompartment(body, patientId)) {
    return outside();
  }
  const answer = await adapter.handle(call);
  // A conditional create may answer with an existing resource: never hand back another patient's.
  if (answer.status < 300 && answer.body.resourceType === resourceType && !inPatientCompartment(answer.body, patientId)) return outside();
  return answer;
}
