import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Claim, ClaimResponse, Encounter } from 'fhir/r4';
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
import { backendClient, spawnWorker } from '../faults/worker-child.ts';
import { dropSchema, freshSchemaName, PG_URL } from '../worker/pg-kit.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import { round, type Bench, type Report } from './bench-types.ts';
import { countingGateway } from './counting-gateway.ts';

const logger = createLogger('silent', 'worker-bench');
/** Encounters for the throughput figures, and for the memory figure (override for a quick run). */
const THROUGHPUT_ENCOUNTERS = Number(process.env.CHARTBILL_BENCH_ENCOUNTERS ?? 2000);
const RSS_ENCOUNTERS = Number(process.env.CHARTBILL_BENCH_RSS_ENCOUNTERS ?? 10_000);
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

/** The worker, in process, over `count` seeded encounters: claims per second and FHIR requests per claim. */
async function workerRun(count: number): Promise<{ claimsPerSecond: number; requestsPerClaim: number; claims: number }> {
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
    return { claimsPerSecond: submitted / seconds, requestsPerClaim: fhir.requests() / submitted, claims: submitted };
  } finally {
    await stack.close();
  }
}

/**
 * The bare sandbox answering the minimal requests a claim needs, with no worker logic: the
 * finished-encounter search pages, then per encounter the Patient, its ChargeItems, Conditions
 * and Coverage, the Claim and the ClaimResponse writes. Sequential, as the worker is.
 */
async function bareRun(count: number): Promise<number> {
  const stack = await startStack();
  try {
    await seedCodedEncounters(stack.fhir, count, 'bare');
    const { fhir } = stack;
    const started = performance.now();
    const encounters = (await fhir.searchAll('Encounter', { status: 'finished', _count: 100 })).filter((r): r is Encounter & { id: string } => r.resourceType === 'Encounter' && r.id !== undefined && r.id.startsWith('bare-'));
    for (const encounter of encounters) {
      const ref = `Encounter/${encounter.id}`;
      const patient = encounter.subject?.reference ?? '';
      await fhir.read('Patient', patient.replace('Patient/', ''));
      await fhir.searchAll('ChargeItem', { context: ref });
      await fhir.searchAll('Condition', { encounter: ref });
      await fhir.searchAll('Coverage', { beneficiary: patient });
      const identifier = { system: SYSTEM.claimId, value: `bare-${encounter.id}` };
      const { resource: claim } = await fhir.create<Claim>({
        resourceType: 'Claim', status: 'active', use: 'claim', type: { coding: [{ system: SYSTEM.claimType, code: 'professional' }] }, identifier: [identifier],
        patient: { reference: patient }, created: new Date().toISOString(), provider: { reference: 'Organization/org-billing' }, priority: { coding: [{ code: 'normal' }] },
        insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/x' } }],
      }, { ifNoneExist: `identifier=${encodeURIComponent(`${identifier.system}|${identifier.value}`)}` });
      await fhir.create<ClaimResponse>({
        resourceType: 'ClaimResponse', status: 'active', use: 'claim', type: claim.type, patient: claim.patient, created: new Date().toISOString(),
        insurer: { display: 'bench' }, outcome: 'complete', request: { reference: `Claim/${claim.id ?? ''}` }, identifier: [{ system: 'urn:bench', value: encounter.id }],
      }, { ifNoneExist: `identifier=urn:bench|${encounter.id}` });
    }
    return encounters.length / ((performance.now() - started) / 1000);
  } finally {
    await stack.close();
  }
}

/** The worker as its own process (PostgreSQL ledger) over `count` encounters: its RSS before and after. */
async function rssRun(count: number, report: Report): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-bench-'));
  const schema = freshSchemaName();
  const { client, keyFile } = await backendClient(dir);
  const stack = await startStack([client]);
  const child = spawnWorker({
    CHARTBILL_FHIR_BASE_URL: stack.ehr.fhirBase, CHARTBILL_PAYER_BASE_URL: stack.payer.fhirBase, CHARTBILL_TOKEN_URL: stack.ehr.tokenUrl,
    CHARTBILL_CLIENT_ID: client.clientId, CHARTBILL_PRIVATE_KEY_FILE: keyFile, CHARTBILL_LEDGER_URL: PG_URL, CHARTBILL_LEDGER_SCHEMA: schema,
    CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
  });
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
    child.process.kill('SIGTERM');
    await child.exited;
    await stack.close();
    await dropSchema(schema);
    await rm(dir, { recursive: true, force: true });
  }
}

async function waitFor(done: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end && !done()) await new Promise((r) => setTimeout(r, 250));
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
 * second for 2,000 encounters next to the bare sandbox's rate for the same minimal requests,
 * FHIR requests per claim, and the worker process's RSS across 10,000 encounters.
 */
export const workerBench: Bench = {
  name: 'worker',
  async run(report) {
    const worker = await workerRun(THROUGHPUT_ENCOUNTERS);
    report('worker_claims_submitted', worker.claims, 'claims');
    report('worker_claims_per_second', round(worker.claimsPerSecond, 1), 'claims/s');
    const bare = await bareRun(THROUGHPUT_ENCOUNTERS);
    report('sandbox_bare_claims_per_second', round(bare, 1), 'claims/s');
    report('worker_vs_bare_sandbox_ratio', round(worker.claimsPerSecond / bare, 2), '(goal >= 0.7)');
    report('worker_fhir_requests_per_claim', round(worker.requestsPerClaim, 2), 'requests (goal <= 4)');
    if (RSS_ENCOUNTERS > 0) await rssRun(RSS_ENCOUNTERS, report);
  },
};
