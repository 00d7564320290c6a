import type { Bundle, FhirResource } from 'fhir/r4';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';

/**
 * A conditional create the gateway passed on, or a batch (the worker's AuditEvents and
 * Provenances), in order; `chunk` counts the context reads before it.
 */
export type RecordedCreate = (
  | { chunk: number; resource: FhirResource; ifNoneExist?: string; batch?: undefined }
  | { chunk: number; batch: Bundle; resource?: undefined; ifNoneExist?: undefined }
) & {
  /** Made on the billing store (a profile whose EHR cannot hold the coding or the claims). */
  server?: 'billing';
};

/** A gateway that counts the HTTP requests it makes (each search page is one) and records its creates. */
export interface CountingGateway extends FhirGateway {
  requests(): number;
  /** Every create and batch, with the number of `Encounter?_id=…` context reads made before it. */
  creates(): RecordedCreate[];
  /** Updates made (not replayed: they name ids of this server). */
  updates(): number;
  /** Context reads so far (`Encounter?_id=…` searches). */
  chunk(): number;
}

/**
 * Counts and records `inner`'s requests. On a billing store, `options.chunkOf` is the EHR's
 * gateway's count of context reads (the encounters are read there) and its creates are tagged.
 */
export function countingGateway(
  inner: FhirGateway,
  options: { chunkOf?: () => number; server?: 'billing' } = {},
): CountingGateway {
  let count = 0;
  let ownChunk = 0;
  const chunkNow = () => options.chunkOf?.() ?? ownChunk;
  const tag = options.server ? { server: options.server } : {};
  let updates = 0;
  const creates: RecordedCreate[] = [];
  const counted =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      count += 1;
      return fn(...args);
    };
  const gateway: CountingGateway = {
    baseUrl: inner.baseUrl,
    requests: () => count,
    creates: () => creates,
    updates: () => updates,
    chunk: chunkNow,
    read: (type, id) => {
      count += 1;
      return inner.read(type, id);
    },
    async *searchPages(type, params) {
      if (type === 'Encounter' && '_id' in params) ownChunk += 1;
      for await (const page of inner.searchPages(type, params)) {
        count += 1;
        yield page;
      }
    },
    async searchAll(type, params, max) {
      const out: FhirResource[] = [];
      for await (const page of gateway.searchPages(type, params)) {
        for (const e of page.entry ?? []) if (e.resource) out.push(e.resource as FhirResource);
        if (out.length >= (max ?? 10_000)) break;
      }
      return out;
    },
    create: (resource, options) => {
      count += 1;
      creates.push({
        chunk: chunkNow(),
        ...tag,
        resource: structuredClone(resource) as FhirResource,
        ...(options?.ifNoneExist ? { ifNoneExist: options.ifNoneExist } : {}),
      });
      return inner.create(resource, options);
    },
    update: (resource, options) => {
      count += 1;
      updates += 1;
      return inner.update(resource, options);
    },
    batch: (bundle) => {
      count += 1;
      creates.push({ chunk: chunkNow(), ...tag, batch: structuredClone(bundle) });
      return inner.batch(bundle);
    },
    operation: counted((path, body) => inner.operation(path, body)),
  };
  return gateway;
}
