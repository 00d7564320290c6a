import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Bundle, FhirResource } from 'fhir/r4';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { undiciTransport } from '../../src/fhir/fhir-transport.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { readServerCapabilities } from '../../src/fhir/server-capabilities.ts';
import { CODING_TYPES, routedCapabilities, routedGateway } from '../../src/fhir/routed-gateway.ts';
import {
  PREFETCH_CHUNK,
  prefetchContexts,
} from '../../worker/pipeline/stages/prefetch-contexts.ts';
import { eachConcurrently } from '../../worker/tick/each-concurrently.ts';
import type { RecordedCreate } from './counting-gateway.ts';

/** The worker's creates and batches, per context chunk (see counting-gateway.ts), replayed as the same requests. */
export type Writes = RecordedCreate[];

/** A bare run's job when it runs as its own process (a JSON file named on the command line). */
export interface BareJob {
  fhirBase: string;
  token: string;
  /** The billing store, in profiles whose EHR cannot hold the coding and the claims. */
  billing?: { fhirBase: string; token: string };
  lanes: number;
  writes: Writes;
  /** A run to make first, untimed (JIT warm-up), against servers seeded alike. */
  warmUp?: {
    fhirBase: string;
    token: string;
    billing?: { fhirBase: string; token: string };
    writes: Writes;
  };
}

/** The servers a bare run talks to: the EHR, and the billing store holding the coding when there is one. */
export interface BareServers {
  ehr: FhirGateway;
  billing?: FhirGateway;
}

const logger = createLogger('silent', 'bare-client');

/**
 * The same FHIR requests the worker made, with no worker logic (no payer, scrubbing or ledger):
 * the finished-encounter search pages, the same chunked context reads, and after each chunk's
 * reads the creates the worker made for that chunk (claims, answers, eligibility requests and
 * responses, work items), each with its `If-None-Exist`, rewritten from the worker's encounters
 * (`bench-n`) to this run's (`bare-n`). `lanes` creates at once. Run over the worker's transport
 * (undici) it is the fastest client we have. Returns the seconds taken.
 */
export async function bareClient(
  servers: BareServers,
  writes: Writes,
  lanes: number,
): Promise<number> {
  const started = performance.now();
  const { ehr, billing } = servers;
  // The coding read where the worker reads it: on the billing store when there is one.
  const fhir = billing ? routedGateway(ehr, billing, CODING_TYPES) : ehr;
  // The same searches as the worker, which uses the includes each server declares.
  const caps = billing
    ? await routedCapabilities(
        { get: () => readServerCapabilities(ehr.baseUrl) },
        { get: () => readServerCapabilities(billing.baseUrl) },
        CODING_TYPES,
      ).get()
    : await readServerCapabilities(fhir.baseUrl);
  const ids: string[] = [];
  for await (const page of fhir.searchPages('Encounter', {
    status: 'finished',
    _sort: '_lastUpdated',
    _count: 100,
  })) {
    for (const e of page.entry ?? [])
      if (e.resource?.resourceType === 'Encounter' && e.resource.id) ids.push(e.resource.id);
  }
  const byChunk = new Map<number, RecordedCreate[]>();
  for (const write of writes)
    byChunk.set(write.chunk, [...(byChunk.get(write.chunk) ?? []), write]);
  // Each chunk's reads go out while the previous chunk's creates are replayed, as the worker reads ahead.
  const read = (first: number) =>
    prefetchContexts(fhir, ids.slice(first, first + PREFETCH_CHUNK), logger, caps);
  let next = read(0);
  let chunk = 0;
  for (let first = 0; first < ids.length; first += PREFETCH_CHUNK) {
    const contexts = await next;
    if (contexts.size !== Math.min(PREFETCH_CHUNK, ids.length - first))
      throw new Error('the bare run read fewer encounters than it asked for');
    if (first + PREFETCH_CHUNK < ids.length) next = read(first + PREFETCH_CHUNK);
    chunk += 1;
    await eachConcurrently(byChunk.get(chunk) ?? [], lanes, (write) =>
      replay(write.server === 'billing' && billing ? billing : ehr, write),
    );
  }
  return (performance.now() - started) / 1000;
}

async function replay(fhir: FhirGateway, write: RecordedCreate): Promise<void> {
  if (write.batch) {
    // The worker's audit records (AuditEvents, Provenances): the same batches, for this run's encounters.
    await fhir.batch(
      JSON.parse(JSON.stringify(write.batch).replaceAll(/bench-(\d+)/g, 'bare-$1')) as Bundle,
    );
    return;
  }
  const resource = JSON.parse(
    JSON.stringify(write.resource).replaceAll(/bench-(\d+)/g, 'bare-$1'),
  ) as FhirResource;
  const ifNoneExist = write.ifNoneExist?.replaceAll(/bench-(\d+)/g, 'bare-$1');
  await fhir.create(resource, ifNoneExist ? { ifNoneExist } : {});
}

// As its own process: `node --import tsx test/bench/bare-client.ts job.json` makes the warm-up
// run, prints `warm`, waits for a line on stdin, then makes the timed run and prints `seconds <n>`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const job = JSON.parse(await readFile(process.argv[2] ?? '', 'utf8')) as BareJob;
  const gateway = (fhirBase: string, token: string) =>
    createFhirGateway({
      baseUrl: fhirBase,
      getToken: () => Promise.resolve(token),
      transport: undiciTransport,
    });
  const serversOf = (at: {
    fhirBase: string;
    token: string;
    billing?: { fhirBase: string; token: string };
  }): BareServers => ({
    ehr: gateway(at.fhirBase, at.token),
    ...(at.billing ? { billing: gateway(at.billing.fhirBase, at.billing.token) } : {}),
  });
  if (job.warmUp) await bareClient(serversOf(job.warmUp), job.warmUp.writes, job.lanes);
  process.stdout.write('warm\n');
  await once(process.stdin, 'data');
  process.stdout.write(
    `seconds ${String(await bareClient(serversOf(job), job.writes, job.lanes))}\n`,
  );
  process.stdin.destroy();
}
