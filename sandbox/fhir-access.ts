import type { Resource } from 'fhir/r4';
import type { FhirAdapter } from './fhir-adapter.ts';
import type { FhirAnswer, FhirCall } from './fhir-response.ts';
import { inPatientCompartment } from './patient-compartment.ts';
import { handlePatientScoped, insufficientScope } from './patient-scoped-call.ts';
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
 *   or v2 `.cruds` letters), else 403 `insufficient_scope` (RFC 6750 §3.1);
 * - `user/` and `system/` scopes reach every resource of their types (the sandbox's one user may
 *   see the whole sandbox; a backend client acts for the organisation);
 * - when only a `patient/` scope allows the interaction, the call is confined to the token's
 *   patient compartment (patient-scoped-call.ts): never a shared resource, never another patient's;
 * - `_include`d and `_revinclude`d resources the token may not read are dropped from the page.
 */
export async function handleWithScopes(
  adapter: FhirAdapter,
  call: FhirCall,
  grant: AccessGrant,
): Promise<FhirAnswer> {
  const resourceType = call.path[0] ?? '';
  const accessTo = accessOf(grant.scope, grant.patient !== undefined);
  const access = accessTo(resourceType, interactionOf(call));
  const canSee = (r: Resource): boolean => {
    const a = accessTo(r.resourceType, 'r');
    return (
      a === 'any' ||
      (a === 'patient-compartment' &&
        grant.patient !== undefined &&
        inPatientCompartment(r, grant.patient))
    );
  };
  if (access === 'any') return adapter.handle(call, { canSeeIncluded: canSee });
  if (access === 'patient-compartment' && grant.patient !== undefined)
    return handlePatientScoped(adapter, call, grant.patient, canSee);
  return insufficientScope(`The granted scopes do not allow this interaction on ${resourceType}`);
}
