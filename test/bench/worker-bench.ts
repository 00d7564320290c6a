import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Claim, ClaimResponse } from 'fhir/r4';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { startSandboxPayer, type SandboxPayer } from '../../src/sandbox/payer-server.ts';
import { startSandboxEhr, type SandboxEhr } from '../../src/sandbox/start-sandbox-ehr.ts';
import { buildWorker } from '../../worker/build-worker.ts';
import { createMemoryLedger } from '../../worker/memory-ledger.ts';
import { backendClient, spawnWorker, type WorkerChild } from '../faults/worker-child.ts';
import { dropSchema, freshSchemaName, PG_URL } from '../worker/pg-kit.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import { round, type Bench, type Report } from './bench-types.ts';
import { countingGateway } from './counting-gateway.ts';
import { PREFETCH_CHUNK, prefetchContexts } from '../../worker/stages/prefetch-contexts.ts';

const logger = createLogger('silent', 'worker-bench');
/** Encounters for the throughput figures, and for the memory figure (override for a quick run). */
const THROUGHPUT_ENCOUNTERS = Number(process.env.CHARTBILL_BENCH_ENCOUNTERS ?? 2000);
const RSS_ENCOUNTERS = Number(process.env.CHARTBILL_BENCH_RSS_ENCOUNTERS ?? 10_000);
/** Encounters in flight at once: the worker process's default, and the bare run's lanes. */
const CONCURRENCY = 4;
/** Encounters each side processes once, unmeasured, before the measured runs. */
const WARM_UP_ENCOUNTERS = 200;
/** The seed's own finished encounters that reach the payer. */
const SEEDED_SUBMITTED = 7;

interface Stack {
  ehr: SandboxEhr;
  payer: SandboxPayer;
  fhir: FhirGateway;
  close(): Promise<void>;
}

async function startStack(clients: Parameters<typeof startSandboxEhr>[0]['clients'] = []): Promise<Stack> {
  const ehr = await startSandboxEhr({ port: 0, logger, clients });
  const payer = await startSandboxPayer({ port: 0, logger });
  // Sandbox tokens live 5 minutes; a long run asks for a fresh one every minute.
  let token = { value: await ehr.issueSystemToken('system/*.cruds'), at: Date.now() };
  const getToken = async () => {
    if (Date.now() - token.at > 60_000) token = { value: await ehr.issueSystemToken('system/*.cruds'), at: Date.now() };
    return token.value;
  };
  const fhir = createFhirGateway({ baseUrl: ehr.fhirBase, getToken });
  return { ehr, payer, fhir, close: async () => { await Promise.all([ehr.close(), payer.close()]); } };
}

/** What the worker wrote for one bench encounter, replayed by the bare run as the same requests. */
interface Written {
  claim: Claim;
  answer: ClaimResponse;
}

/** The worker, in process, over `count` seeded encounters: claims per second and FHIR requests per claim. */
export async function workerRun(count: number): Promise<{ claimsPerSecond: number; requestsPerClaim: number; claims: number; written: Map<number, Written> }> {
  const stack = await startStack();
  try {
    await seedCodedEncounters(stack.fhir, count, 'bench');
    const fhir = countingGateway(stack.fhir);
    const worker = buildWorker({ schedule: '* * * * * *', recheckMs: 3_600_000, maxAttempts: 5, eligibilityReuseMs: 3_600_000 }, {
      clinical: fhir, billing: fhir, payer: createFhirPayerAdapter({ baseUrl: stack.payer.fhirBase }), codes: starterCodeSet(), ledger: createMemoryLedger(), logger,
    });
    const started = performance.now();
    let submitted = 0;
    for (let tick = 0; tick < 10 && submitted < count + SEEDED_SUBMITTED; tick++) {
      // A tick that fails as a whole is tried again, as the scheduler would.
      submitted += (await worker.tick().catch(() => ({ submitted: 0 }))).submitted;
    }
    const seconds = (performance.now() - started) / 1000;
    return { claimsPerSecond: submitted / seconds, requestsPerClaim: fhir.requests() / submitted, claims: submitted, written: await writtenBy(stack.fhir) };
  } finally {
    await stack.close();
  }
}

/** The worker's Claims and their ClaimResponses, by the bench encounter's number. */
export async function writtenBy(fhir: FhirGateway): Promise<Map<number, Written>> {
  const claims = new Map<string, Claim>();
  for (const r of await fhir.searchAll('Claim', { _count: 1000 }, 100_000)) if (r.resourceType === 'Claim' && r.id) claims.set(`Claim/${r.id}`, r);
  const out = new Map<number, Written>();
  for (const r of await fhir.searchAll('ClaimResponse', { _count: 1000 }, 100_000)) {
    if (r.resourceType !== 'ClaimResponse') continue;
    const claim = claims.get(r.request?.reference ?? '');
    const n = /^enc-bench-(\d+)$/.exec(claim?.identifier?.[0]?.value ?? '')?.[1];
    if (claim && n) out.set(Number(n), { claim, answer: r });
  }
  return out;
}

/**
 * The bare sandbox answering the minimal requests a claim needs, with no worker logic: the
 * finished-encounter search pages, the same chunked context reads the worker makes (Encounters
 * with their Patient, Organization, Practitioners, ChargeItems and Conditions; the patients'
 * Coverages with their payors), then per encounter the conditional creates of the Claim and the
 * ClaimResponse the worker wrote for the same encounter (same bodies, so the same work for the
 * server). As many at once as the worker keeps in flight.
 */
export async function bareRun(count: number, written: Map<number, Written>): Promise<number> {
  const stack = await startStack();
  try {
    await seedCodedEncounters(stack.fhir, count, 'bare');
    const { fhir } = stack;
    const started = performance.now();
    const ids: string[] = [];
    for await (const page of fhir.searchPages('Encounter', { status: 'finished', _sort: '_lastUpdated', _count: 100 })) {
      for (const e of page.entry ?? []) if (e.resource?.resourceType === 'Encounter' && e.resource.id?.startsWith('bare-')) ids.push(e.resource.id);
    }
    for (let first = 0; first < ids.length; first += PREFETCH_CHUNK) {
      const contexts = await prefetchContexts(fhir, ids.slice(first, first + PREFETCH_CHUNK), logger);
      if (contexts.size !== Math.min(PREFETCH_CHUNK, ids.length - first)) throw new Error('the bare run read fewer encounters than it asked for');
      await inLanes([...contexts.keys()], CONCURRENCY, async (id) => {
        const recorded = written.get(Number(id.replace('bare-', '')));
        if (!recorded) throw new Error(`the worker run wrote no claim for encounter ${id}`);
        await writeClaimAndAnswer(fhir, id, recorded);
      });
    }
    return ids.length / ((performance.now() - started) / 1000);
  } finally {
    await stack.close();
  }
}

/** The worker's claim and answer for the same encounter number, as this encounter's. */
async function writeClaimAndAnswer(fhir: FhirGateway, encounterId: string, recorded: Written): Promise<void> {
  const claimBody = JSON.parse(JSON.stringify(recorded.claim).replaceAll(/bench-(\d+)/g, 'bare-$1')) as Claim;
  delete claimBody.id;
  delete claimBody.meta;
  const identifier = claimBody.identifier?.[0] ?? { system: SYSTEM.claimId, value: `enc-${encounterId}` };
  const { resource: claim } = await fhir.create(claimBody, { ifNoneExist: `identifier=${encodeURIComponent(`${identifier.system ?? ''}|${identifier.value ?? ''}`)}` });
  const answerBody: ClaimResponse = { ...recorded.answer, request: { reference: `Claim/${claim.id ?? ''}` }, identifier: [{ system: 'urn:bench', value: encounterId }] };
  delete answerBody.id;
  delete answerBody.meta;
  await fhir.create(answerBody, { ifNoneExist: `identifier=urn:bench|${encounterId}` });
}

/** Runs `fn` over the items, `lanes` at a time. */
async function inLanes<T>(items: readonly T[], lanes: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

interface ProcessWorld {
  stack: Stack;
  child: WorkerChild;
  close(): Promise<void>;
}

/**
 * The worker as deployed: its own process (`worker/main.ts`, PostgreSQL ledger, default
 * concurrency) against the sandbox EHR and payer in this process. `beforeStart` runs first
 * (e.g. seeding), so the timed run is the worker's alone.
 */
async function startProcessWorld(beforeStart: (stack: Stack) => Promise<unknown>): Promise<ProcessWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-bench-'));
  const schema = freshSchemaName();
  const { client, keyFile } = await backendClient(dir);
  const stack = await startStack([client]);
  await beforeStart(stack);
  const child = spawnWorker({
    CHARTBILL_FHIR_BASE_URL: stack.ehr.fhirBase, CHARTBILL_PAYER_BASE_URL: stack.payer.fhirBase, CHARTBILL_TOKEN_URL: stack.ehr.tokenUrl,
    CHARTBILL_CLIENT_ID: client.clientId, CHARTBILL_PRIVATE_KEY_FILE: keyFile, CHARTBILL_LEDGER_URL: PG_URL, CHARTBILL_LEDGER_SCHEMA: schema,
    CHARTBILL_WORKER_SCHEDULE: '* * * * * *', CHARTBILL_WORKER_CONCURRENCY: String(CONCURRENCY),
  });
  return {
    stack,
    child,
    async close() {
      child.process.kill('SIGTERM');
      await child.exited;
      await stack.close();
      await dropSchema(schema);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Claims per second of the worker process over `count` encounters seeded before it starts. */
async function processRun(count: number): Promise<number> {
  const world = await startProcessWorld((stack) => seedCodedEncounters(stack.fhir, count, 'bench'));
  try {
    await world.child.started;
    const started = performance.now();
    const adjudicated = () => Object.keys(world.stack.payer.audit().adjudicated).length;
    if (!await waitFor(() => adjudicated() >= count + SEEDED_SUBMITTED, 1_800_000, 50)) throw new Error(`the worker process submitted ${String(adjudicated())} of ${String(count + SEEDED_SUBMITTED)} claims`);
    return adjudicated() / ((performance.now() - started) / 1000);
  } finally {
    await world.close();
  }
}

/** The worker process's RSS once settled on the seed, and after `count` more encounters. */
async function rssRun(count: number, report: Report): Promise<void> {
  const world = await startProcessWorld(() => Promise.resolve());
  const { stack, child } = world;
  try {
    await child.started;
    // Let it settle on the seed's few encounters, then measure, then give it the load.
    await waitFor(() => Object.keys(stack.payer.audit().adjudicated).length >= SEEDED_SUBMITTED, 120_000);
    const before = await rssOf(child.process.pid ?? 0);
    await seedCodedEncounters(stack.fhir, count, 'rss');
    const started = performance.now();
    const done = await waitFor(() => Object.keys(stack.payer.audit().adjudicated).length >= count + SEEDED_SUBMITTED, 3_600_000);
    const after = await rssOf(child.process.pid ?? 0);
    report('worker_rss_before', round(before / 1_048_576, 1), 'MB');
    report(`worker_rss_after_${String(count)}_encounters`, round(after / 1_048_576, 1), 'MB');
    report('worker_rss_growth', round((after - before) / 1_048_576, 1), 'MB (goal < 50)');
    report('worker_process_claims_per_second', round(count / ((performance.now() - started) / 1000), 1), 'claims/s');
    if (!done) report('worker_rss_run_incomplete', Object.keys(stack.payer.audit().adjudicated).length, 'claims');
  } finally {
    await world.close();
  }
}

async function waitFor(done: () => boolean, ms: number, everyMs = 250): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end && !done()) await new Promise((r) => setTimeout(r, everyMs));
  return done();
}

/** Resident set size of a process, from /proc (Linux). */
async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${String(pid)}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return kb * 1024;
}

/**
 * The billing worker end to end against the sandbox (issue 4's performance goals): claims per
 * second for 2,000 encounters, by the worker as its own process and in process, next to the
 * bare sandbox's rate for the same requests; FHIR requests per claim; and the worker process's
 * RSS across 10,000 encounters.
 */
export const workerBench: Bench = {
  name: 'worker',
  async run(report) {
    if (THROUGHPUT_ENCOUNTERS > 0) await throughput(report);
    if (RSS_ENCOUNTERS > 0) await rssRun(RSS_ENCOUNTERS, report);
  },
};

/**
 * The worker (as its own process, and in this process to count its requests and record what it
 * wrote) and the bare sandbox over the same number of encounters. Each runs once on a small load
 * first, so none pays for the JIT warming up.
 */
async function throughput(report: Report): Promise<void> {
  await bareRun(WARM_UP_ENCOUNTERS, (await workerRun(WARM_UP_ENCOUNTERS)).written);
  await processRun(WARM_UP_ENCOUNTERS);
  const inProcess = await workerRun(THROUGHPUT_ENCOUNTERS);
  const own = await processRun(THROUGHPUT_ENCOUNTERS);
  const bare = await bareRun(THROUGHPUT_ENCOUNTERS, inProcess.written);
  report('worker_claims_submitted', inProcess.claims, 'claims');
  report('worker_claims_per_second', round(own, 1), `claims/s (its own process, ${String(CONCURRENCY)} encounters in flight)`);
  report('worker_in_process_claims_per_second', round(inProcess.claimsPerSecond, 1), 'claims/s (one thread with the sandbox and payer, 1 in flight)');
  report('sandbox_bare_claims_per_second', round(bare, 1), `claims/s (${String(CONCURRENCY)} in flight)`);
  report('worker_vs_bare_sandbox_ratio', round(own / bare, 2), '(goal >= 0.7)');
  report('worker_in_process_vs_bare_sandbox_ratio', round(inProcess.claimsPerSecond / bare, 2), '');
  report('worker_fhir_requests_per_claim', round(inProcess.requestsPerClaim, 2), 'requests (goal <= 4)');
}
