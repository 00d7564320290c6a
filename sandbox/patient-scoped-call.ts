import type { Bundle, Resource } from 'fhir/r4';
import type { FhirAdapter } from './fhir-adapter.ts';
import { errorAnswer, type FhirAnswer, type FhirCall } from './fhir-response.ts';
import {
  compartmentRule,
  compartmentSearchValue,
  inPatientCompartment,
} from './patient-compartment.ts';

/** A 403 for a token whose scopes do not reach the resource (RFC 6750 §3.1 `insufficient_scope`). */
export function insufficientScope(text: string): FhirAnswer {
  const answer = errorAnswer(403, 'forbidden', text);
  return { ...answer, headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' } };
}

interface Compartment {
  resourceType: string;
  patientId: string;
  element: string;
  searchParam: string;
  value: string;
}

/**
 * Runs a call for a token whose only scope for it is `patient/` (SMART App Launch 2.2 §3.0.2
 * "Patient-specific scopes": data about the launch patient, nothing else). Every shape of call is
 * confined before anything is written:
 * - searches, conditional updates/deletes/patches and If-None-Exist get the patient filter ANDed
 *   in (FHIR search: repeated parameters AND), so another patient's resource never matches;
 * - reads, updates, patches and deletes of an existing resource outside the compartment are 403;
 * - a created or replaced resource must name the launch patient; a PATCH may not touch the element
 *   naming the patient (nor `id`/`resourceType`), so it cannot move a resource out;
 * - types outside the compartment (Practitioner, Organization, …) are 403 (they need `user/` or
 *   `system/` scopes), and so are history versions and `_include`s outside it.
 */
export async function handlePatientScoped(
  adapter: FhirAdapter,
  call: FhirCall,
  patientId: string,
  canSee: (r: Resource) => boolean,
): Promise<FhirAnswer> {
  const resourceType = call.path[0] ?? '';
  const rule = compartmentRule(resourceType);
  if (rule.kind === 'outside') {
    return insufficientScope(
      `Patient-level scopes reach only the launch patient's compartment; ${resourceType} is outside it (use a user/ or system/ scope)`,
    );
  }
  const c: Compartment = {
    resourceType,
    patientId,
    element: rule.element,
    searchParam: rule.searchParam,
    value: compartmentSearchValue(resourceType, patientId),
  };
  const refused = await refusal(adapter, call, c);
  if (refused) return refused;
  const answer = await adapter.handle(confine(call, c), { canSeeIncluded: canSee });
  return answerWithin(answer, c);
}

/** The call with the patient filter added wherever it selects resources by a query. */
function confine(call: FhirCall, c: Compartment): FhirCall {
  const bySearch = call.path.length === 1 && call.method !== 'POST';
  const viaPost = call.method === 'POST' && call.path[1] === '_search';
  if (bySearch || viaPost) {
    const query = new URLSearchParams(call.query);
    query.append(c.searchParam, c.value);
    return { ...call, query };
  }
  if (call.method === 'POST' && call.path.length === 1 && call.ifNoneExist !== undefined) {
    const condition = new URLSearchParams(call.ifNoneExist.replace(/^[^?]*\?/, ''));
    condition.append(c.searchParam, c.value);
    return { ...call, ifNoneExist: condition.toString() };
  }
  return call;
}

/** Why the call may not run, or undefined when it may. */
async function refusal(
  adapter: FhirAdapter,
  call: FhirCall,
  c: Compartment,
): Promise<FhirAnswer | undefined> {
  const outside = (): FhirAnswer =>
    insufficientScope(
      `Patient-level scopes reach only the launch patient's ${c.resourceType} resources`,
    );
  const [, id, history, , ...rest] = call.path;
  const known =
    call.path.length === 1 ||
    (id === '_search' && call.method === 'POST' && call.path.length === 2) ||
    (id !== undefined &&
      !id.startsWith('_') &&
      (history === undefined ||
        (history === '_history' && call.method === 'GET' && rest.length === 0)));
  if (!known)
    return errorAnswer(
      404,
      'not-supported',
      `${call.method} ${call.path.join('/')} is not supported with patient-level scopes`,
    );
  if (id && id !== '_search') {
    const current = await adapter.repo.readResource(c.resourceType, id).then(
      (r) => r as unknown as Resource,
      () => undefined,
    );
    if (current && !inPatientCompartment(current, c.patientId)) return outside();
  }
  const body = call.body as Resource | undefined;
  if ((call.method === 'POST' && id === undefined) || call.method === 'PUT') {
    if (body?.resourceType === c.resourceType && !inPatientCompartment(body, c.patientId))
      return outside();
  }
  if (call.method === 'PATCH' && patchTouches(call.body, c.element)) {
    return insufficientScope(
      `A patient-level PATCH may not change ${c.element}, id or resourceType: the resource must stay in the launch patient's compartment`,
    );
  }
  return undefined;
}

/**
 * True when a JSON Patch (RFC 6902) operation's `path` or `from` is the whole resource or lies
 * under `element`, `id` or `resourceType`. A body that is not a patch is left to the router (400).
 */
function patchTouches(body: unknown, element: string): boolean {
  if (!Array.isArray(body)) return false;
  const guarded = new Set([element.split('.')[0], 'id', 'resourceType']);
  return body.some((op: unknown) => {
    if (typeof op !== 'object' || op === null) return false;
    const { path, from } = op as { path?: unknown; from?: unknown };
    return [path, from].some((p) => {
      if (typeof p !== 'string') return false;
      // RFC 6901: `~1` is `/`, `~0` is `~` inside a segment.
      const first = p.split('/')[1]?.replaceAll('~1', '/').replaceAll('~0', '~');
      return first === undefined || first === '' || guarded.has(first);
    });
  });
}

/** The answer, with nothing outside the compartment: old versions of a moved resource never leak. */
function answerWithin(answer: FhirAnswer, c: Compartment): FhirAnswer {
  if (answer.status >= 300) return answer;
  const body = answer.body;
  if (body.resourceType === c.resourceType && !inPatientCompartment(body, c.patientId)) {
    return insufficientScope(
      `Patient-level scopes reach only the launch patient's ${c.resourceType} resources`,
    );
  }
  if (body.resourceType === 'Bundle' && (body as Bundle).type === 'history') {
    const bundle = body as Bundle;
    const entry = bundle.entry?.filter(
      (e) => !e.resource || inPatientCompartment(e.resource, c.patientId),
    );
    return { ...answer, body: { ...bundle, ...(entry ? { entry } : {}) } };
  }
  return answer;
}
