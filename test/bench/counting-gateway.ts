import type { FhirResource } from 'fhir/r4';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';

/** A gateway that counts the HTTP requests it makes (each search page is one). */
export interface CountingGateway extends FhirGateway {
  requests(): number;
}

export function countingGateway(inner: FhirGateway): CountingGateway {
  let count = 0;
  const counted = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A): Promise<R> => {
    count += 1;
    return fn(...args);
  };
  const gateway: CountingGateway = {
    baseUrl: inner.baseUrl,
    requests: () => count,
    read: (type, id) => { count += 1; return inner.read(type, id); },
    async *searchPages(type, params) {
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
    create: (resource, options) => { count += 1; return inner.create(resource, options); },
    update: (resource, options) => { count += 1; return inner.update(resource, options); },
    batch: counted((bundle) => inner.batch(bundle)),
    operation: counted((path, body) => inner.operation(path, body)),
  };
  return gateway;
}
