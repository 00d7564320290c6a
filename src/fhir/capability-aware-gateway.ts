import type { Bundle, BundleEntry, OperationOutcome, Resource } from 'fhir/r4';
import { errorMessage } from '../errors/error-message.ts';
import type { CreateOptions, CreateResult, FhirGateway, SearchParams } from './fhir-gateway.ts';
import { declaresConditionalCreate, type CapabilitiesSource } from './server-capabilities.ts';

/**
 * The gateway, using conditional create and batch only where the server's CapabilityStatement
 * declares them (FHIR R4 http.html §3.1.0.8.1 and §3.1.0.11):
 * - `create` with `If-None-Exist` on a type without `conditionalCreate`: the same query is
 *   searched first and a match is answered as "not created"; otherwise a plain create. A server
 *   that ignores the header would write a second resource on every rerun.
 * - `batch` on a server without `batch`: each entry is sent on its own (a few at once) and
 *   answered in a `batch-response` of the same shape, a failed entry with its status and outcome.
 */
/** Entries of a batch sent at once, one request each, to a server without `batch`. */
const BATCH_FALLBACK_LANES = 4;

export function capabilityAwareGateway(
  inner: FhirGateway,
  capabilities: CapabilitiesSource,
): FhirGateway {
  return {
    baseUrl: inner.baseUrl,
    read: (type, id) => inner.read(type, id),
    searchPages: (type, params) => inner.searchPages(type, params),
    searchAll: (type, params, max) => inner.searchAll(type, params, max),
    update: (resource, options) => inner.update(resource, options),
    operation: (path, body) => inner.operation(path, body),
    async create<T extends Resource>(
      resource: T,
      options: CreateOptions = {},
    ): Promise<CreateResult<T>> {
      if (!options.ifNoneExist) return inner.create(resource);
      const caps = await capabilities.get();
      if (declaresConditionalCreate(caps, resource.resourceType))
        return inner.create(resource, options);
      const found = await inner.searchAll(resource.resourceType, queryOf(options.ifNoneExist), 2);
      const match = found.find((r) => r.resourceType === resource.resourceType);
      if (match) return { resource: match as unknown as T, created: false };
      return inner.create(resource);
    },
    async batch(bundle: Bundle): Promise<Bundle> {
      if ((await capabilities.get()).batch) return inner.batch(bundle);
      // A batch's entries are independent (FHIR R4 http.html §3.1.0.11.1: no order, no
      // atomicity), so a few go at once: one after another, the worker's 200 buffered audit
      // records held an encounter's lane for 200 round trips (epic-like: 0.3 of a bare client).
      const entries = bundle.entry ?? [];
      const entry: BundleEntry[] = new Array<BundleEntry>(entries.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(BATCH_FALLBACK_LANES, entries.length) }, async () => {
          for (let i = next++; i < entries.length; i = next++)
            entry[i] = await oneByOne(inner, entries[i] ?? {});
        }),
      );
      return { resourceType: 'Bundle', type: 'batch-response', entry };
    },
  };
}

function queryOf(ifNoneExist: string): SearchParams {
  const params: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(ifNoneExist)) (params[k] ??= []).push(v);
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, v.length === 1 ? (v[0] ?? '') : v]),
  );
}

/** One batch entry as its own request; its answer in batch-response form. */
async function oneByOne(inner: FhirGateway, entry: BundleEntry): Promise<BundleEntry> {
  const { request, resource } = entry;
  try {
    if (request?.method === 'POST' && resource) {
      const ifNoneExist = request.ifNoneExist;
      const { resource: written, created } = await inner.create(
        resource,
        ifNoneExist ? { ifNoneExist } : {},
      );
      return answer(written, created ? '201 Created' : '200 OK');
    }
    if (request?.method === 'PUT' && resource) {
      const version = /^W\/"(.+)"$/.exec(request.ifMatch ?? '')?.[1];
      return answer(
        await inner.update(resource, version ? { ifMatchVersion: version } : {}),
        '200 OK',
      );
    }
    const [type, id] = (request?.url ?? '').split('/');
    if (request?.method === 'GET' && type && id && !id.includes('?'))
      return answer(await inner.read(type, id), '200 OK');
    return failed(
      '400 Bad Request',
      'This entry cannot be sent on its own (POST, PUT and read only)',
    );
  } catch (err) {
    const status = (err as { status?: unknown }).status;
    return failed(
      typeof status === 'number' ? `${status}` : '500 Internal Server Error',
      errorMessage(err),
    );
  }
}

function answer(resource: Resource, status: string): BundleEntry {
  return {
    resource,
    response: {
      status,
      ...(resource.id ? { location: `${resource.resourceType}/${resource.id}` } : {}),
      ...(resource.meta?.versionId ? { etag: `W/"${resource.meta.versionId}"` } : {}),
    },
  };
}

function failed(status: string, text: string): BundleEntry {
  const outcome: OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'processing', diagnostics: text }],
  };
  return { response: { status, outcome } };
}
