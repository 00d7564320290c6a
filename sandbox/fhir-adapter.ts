import {
  getStatus,
  isResourceType,
  normalizeOperationOutcome,
  validateResource,
} from '@medplum/core';
import { FhirRouter, MemoryRepository, type FhirRequest } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, Resource } from 'fhir/r4';
import { searchWithPaging } from './fhir-search.ts';
import { errorAnswer, versionHeaders, type FhirAnswer, type FhirCall } from './fhir-response.ts';
import { IndexedMemoryRepository } from './indexed-repository.ts';

export type { FhirAnswer, FhirCall } from './fhir-response.ts';

/** What the adapter needs to know per call beyond the call itself. */
export interface FhirCallOptions {
  /** Filters `_include`/`_revinclude` results the caller may not see (scope enforcement). */
  canSeeIncluded?: (resource: Resource) => boolean;
}

export interface FhirAdapter {
  readonly repo: MemoryRepository;
  /** Runs one interaction against the in-memory repository and answers as a FHIR R4 server would. */
  handle(call: FhirCall, options?: FhirCallOptions): Promise<FhirAnswer>;
}

/**
 * Puts medplum's `FhirRouter` + `MemoryRepository` behind the behaviour FHIR R4 http.html and
 * search.html promise and the memory repository lacks: validation of written resources,
 * resourceType/id checks, HTTP statuses with `Location`/`ETag`/`Last-Modified`, absolute paging
 * links, `_include`/`_revinclude`, and an honest "not supported" for operations. The repository is
 * the indexed subclass so that searches stay fast with many thousands of resources.
 */
export function createFhirAdapter(deps: { fhirBase: () => string }): FhirAdapter {
  const repo = new IndexedMemoryRepository();
  const router = new FhirRouter();

  async function route(call: FhirCall): Promise<[OperationOutcome, Resource?]> {
    const search = call.query.toString();
    const request: FhirRequest = {
      method: call.method,
      url: `/${call.path.map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`,
      pathname: '',
      body: call.body,
      params: {},
      query: queryRecord(call.query),
      headers: {
        ...(call.ifNoneExist ? { 'if-none-exist': call.ifNoneExist } : {}),
        ...(call.ifMatch ? { 'if-match': call.ifMatch } : {}),
      },
    };
    try {
      const [result, resource] = await router.handleRequest(request, repo);
      return [result as OperationOutcome, resource as Resource | undefined];
    } catch (err) {
      return [normalizeOperationOutcome(err) as OperationOutcome];
    }
  }

  async function handle(original: FhirCall, options: FhirCallOptions = {}): Promise<FhirAnswer> {
    const patched = original.method === 'PATCH' ? await patchAsUpdate(repo, original) : original;
    if ('status' in patched) return patched;
    const call = searchViaPost(patched);
    const refused = precheck(call);
    if (refused) return refused;
    if (call.method === 'GET' && call.path.length === 1) {
      return searchWithPaging(call, {
        repo,
        route,
        fhirBase: deps.fhirBase(),
        canSeeIncluded: options.canSeeIncluded,
      });
    }
    const [result, resource] = await route(call);
    return answer(call, result, resource, deps.fhirBase());
  }

  return { repo, handle };
}

/** `POST [type]/_search` with a form body is the same search as GET (FHIR R4 http.html §3.1.0.8.1). */
export function searchViaPost(call: FhirCall): FhirCall {
  if (call.method !== 'POST' || call.path.length !== 2 || call.path[1] !== '_search') return call;
  const query = new URLSearchParams(call.query);
  const form: unknown = call.body;
  if (typeof form === 'object' && form !== null) {
    for (const [name, value] of Object.entries(form)) {
      for (const v of Array.isArray(value) ? (value as unknown[]) : [value])
        if (typeof v === 'string') query.append(name, v);
    }
  }
  return { method: 'GET', path: call.path.slice(0, 1), query, body: undefined };
}

/**
 * A PATCH (RFC 6902 JSON Patch) becomes the update it amounts to: the patch is applied to a copy
 * in a scratch repository, and the result is PUT with If-Match on the version it was applied to.
 * So the patched resource is validated like any other write (the memory repository would store an
 * invalid one), and a write in between is a 412, not silently overwritten. Conditional PATCH is
 * not supported (501): nothing needs it, and a condition matching another resource than intended
 * should not be patched blind.
 */
async function patchAsUpdate(
  repo: MemoryRepository,
  call: FhirCall,
): Promise<FhirCall | FhirAnswer> {
  const [resourceType, id, ...rest] = call.path;
  if (!resourceType || !isResourceType(resourceType))
    return errorAnswer(404, 'not-found', `Unknown resource type: ${resourceType ?? '(none)'}`);
  if (!id || rest.length > 0)
    return errorAnswer(501, 'not-supported', 'Only PATCH [type]/[id] is supported by this server');
  if (!Array.isArray(call.body))
    return errorAnswer(400, 'invalid', 'A PATCH body must be a JSON Patch array (RFC 6902)');
  const current = await repo.readResource(resourceType, id).then(
    (r) => r as Resource,
    () => undefined,
  );
  if (!current) return errorAnswer(404, 'not-found', `${resourceType}/${id} is not known`);
  let patched: Resource;
  try {
    const scratch = new MemoryRepository();
    await scratch.createResource(current as never);
    patched = (await scratch.patchResource(resourceType, id, call.body as never)) as Resource;
  } catch (err) {
    return { status: 400, body: normalizeOperationOutcome(err) as OperationOutcome, headers: {} };
  }
  const ifMatch = call.ifMatch ?? `W/"${current.meta?.versionId ?? ''}"`;
  return { ...call, method: 'PUT', body: patched, ifMatch };
}

/** Refusals decided before the router runs; undefined when the call may proceed. */
function precheck(call: FhirCall): FhirAnswer | undefined {
  const operation = call.path.find((s) => s.startsWith('$'));
  if (operation)
    return errorAnswer(
      501,
      'not-supported',
      `Operation ${operation} is not supported by this server`,
    );
  const [resourceType, id] = call.path;
  if (!resourceType || !isResourceType(resourceType))
    return errorAnswer(404, 'not-found', `Unknown resource type: ${resourceType ?? '(none)'}`);
  // FHIR R4 http.html §3.1.0.7.1: If-Match carries an ETag (W/"<versionId>"); anything else would be ignored, losing the lock.
  if (call.ifMatch !== undefined && !/^(W\/)?"[^"]+"$/.test(call.ifMatch.trim()))
    return errorAnswer(400, 'invalid', 'If-Match must be an ETag such as W/"<versionId>"');
  if (call.method !== 'POST' && call.method !== 'PUT') return undefined;
  const body: unknown = call.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return errorAnswer(400, 'invalid', 'Request body must be a FHIR resource');
  const bodyType: unknown = (body as { resourceType?: unknown }).resourceType;
  if (bodyType !== resourceType)
    return errorAnswer(
      400,
      'invalid',
      `Body resourceType ${typeof bodyType === 'string' ? bodyType : '(none)'} does not match ${resourceType} in the URL`,
    );
  if (call.method === 'PUT' && (body as Resource).id !== id)
    return errorAnswer(400, 'invalid', 'Body id must match the id in the URL');
  return validationAnswer(body as Resource);
}

/** Validates against the FHIR R4 base StructureDefinitions (medplum's validator); 400 with its issues. */
function validationAnswer(resource: Resource): FhirAnswer | undefined {
  try {
    const issues = validateResource(resource as never).filter(
      (i) => i.severity === 'error' || i.severity === 'fatal',
    );
    if (issues.length === 0) return undefined;
    const body: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: issues as OperationOutcome['issue'],
    };
    return { status: 400, body, headers: {} };
  } catch (err) {
    return { status: 400, body: normalizeOperationOutcome(err) as OperationOutcome, headers: {} };
  }
}

function answer(
  call: FhirCall,
  result: OperationOutcome,
  resource: Resource | undefined,
  fhirBase: string,
): FhirAnswer {
  const status = getStatus(result as never);
  if (status >= 300 || !resource) return { status, body: stripOutcomeId(result), headers: {} };
  const headers = versionHeaders(resource);
  if (status === 201 && resource.id) {
    const version = resource.meta?.versionId ? `/_history/${resource.meta.versionId}` : '';
    headers.location = `${fhirBase}/${resource.resourceType}/${resource.id}${version}`;
  }
  if (call.method === 'GET' && resource.resourceType === 'Bundle')
    return { status, body: absolutize(resource as Bundle, fhirBase), headers: {} };
  return { status, body: resource, headers };
}

/** medplum's outcomes carry ids like `created`; FHIR clients do not need them. */
function stripOutcomeId(result: OperationOutcome): OperationOutcome {
  const copy = { ...result };
  delete copy.id;
  return copy;
}

/** History bundles get absolute fullUrls, like search results. */
function absolutize(bundle: Bundle, fhirBase: string): Bundle {
  return {
    ...bundle,
    entry: bundle.entry?.map((e) =>
      e.resource?.id
        ? { ...e, fullUrl: `${fhirBase}/${e.resource.resourceType}/${e.resource.id}` }
        : e,
    ),
  };
}

export function queryRecord(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    out[name] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return out;
}
