import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Claim, ClaimResponse, Task } from 'fhir/r4';
import pg from 'pg';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { startSandboxPayer, type PayerAudit } from '../../sandbox/payer-server.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { startSandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { faultsAtRates, seededRandom, startFaultProxy, type Fault } from '../faults/fault-proxy.ts';
import { backendClient, spawnWorker, type WorkerChild } from '../faults/worker-child.ts';
import { all } from '../worker/worker-kit.ts';
import { dropSchema, freshSchemaName, PG_URL } from '../worker/pg-kit.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import type { Bench, Report } from './bench-types.ts';

const logger = createLogger('silent', 'chaos-bench');
const ENCOUNTERS = Number(process.env.CHARTBILL_CHAOS_ENCOUNTERS ?? 1000);
const WORKERS = Number(process.env.CHARTBILL_CHAOS_WORKERS ?? 4);
const KILLS = Number(process.env.CHARTBILL_CHAOS_KILLS ?? 10);
/** Share of requests (to the EHR and to the payer) the fault proxies spoil. */
const FAULT_RATE = Number(process.env.CHARTBILL_CHAOS_FAULT_RATE ?? 0.1);
/** Stop waiting when nothing more was answered for this long: what is left is lost. */
const STALL_SECONDS = Number(process.env.CHARTBILL_CHAOS_STALL_SECONDS ?? 180);
const SEED = Number(process.env.CHARTBILL_CHAOS_SEED ?? 2026);
/** The seed's own finished encounters that reach the payer. */
const SEEDED_SUBMITTED = [
  ...SEED_SCENARIOS.clean,
  SEED_SCENARIOS.timelyFiling,
  SEED_SCENARIOS.notCovered,
];
/** The fault mix: every transient kind the proxy knows, in these proportions of FAULT_RATE (a 403 is no passing fault). */
const MIX: Record<Exclude<Fault, 'pass'>, number> = {
  'status-500': 0.2,
  'status-503': 0.2,
  'status-429': 0.1,
  slow: 0.1,
  'reset-before': 0.2,
  'reset-after': 0.2,
  'status-403': 0,
};
/** The workers' lease: short, so a killed worker's encounters are taken over soon. */
const LEASE_SECONDS = Number(process.env.CHARTBILL_CHAOS_LEASE_SECONDS ?? 10);
/** The workers' HTTP timeout; a `slow` answer is held past it. */
const HTTP_TIMEOUT_MS = 4000;

/**
 * `npm run bench -- chaos`: the exactly-once promise under the faults of real operations.
 * ENCOUNTERS coded encounters, WORKERS worker processes sharing one PostgreSQL ledger (a schema
 * of its own), KILLS SIGKILLs of a random worker at random moments (each restarted at once, as a
 * supervisor does), and FAULT_RATE of the requests to the EHR and to the payer spoiled by fault
 * proxies (5xx, 429, answers held past the timeout, connections reset before or after the
 * server did the work). Submissions are counted at the payer per claim identifier.
 */
export const chaosBench: Bench = {
  name: 'chaos',
  async run(report: Report) {
    const result = await chaos();
    report('chaos_encounters', result.encounters, 'encounters');
    report('chaos_duplicate_submissions', result.duplicates, 'submissions');
    report('chaos_lost', result.lost, 'encounters');
    report('chaos_seconds', result.seconds, 's');
    report('chaos_kills', result.kills, 'kills');
    report('chaos_faults', result.faults, 'requests');
    report('chaos_submit_answers_lost', result.submitAnswersLost, 'requests');
  },
};

interface ChaosResult {
  encounters: number;
  duplicates: number;
  lost: number;
  seconds: number;
  kills: number;
  faults: number;
  /** `Claim/$submit` requests the payer received but whose answer the worker never got (reset after, held past the timeout). */
  submitAnswersLost: number;
}

async function chaos(): Promise<ChaosResult> {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-chaos-'));
  const schema = freshSchemaName();
  const { client, keyFile } = await backendClient(dir);
  const ehr = await startSandboxEhr({ port: 0, logger, clients: [client] });
  const payer = await startSandboxPayer({ port: 0, logger, strict: true });
  const random = seededRandom(SEED);
  const rates = Object.fromEntries(
    Object.entries(MIX).map(([fault, share]) => [fault, share * FAULT_RATE]),
  );
  const ehrProxy = await startFaultProxy({
    target: ehr.origin,
    choose: faultsAtRates(rates, seededRandom(SEED + 1)),
    slowMs: HTTP_TIMEOUT_MS + 1000,
  });
  const payerProxy = await startFaultProxy({
    target: payer.url,
    choose: faultsAtRates(rates, seededRandom(SEED + 2)),
    slowMs: HTTP_TIMEOUT_MS + 1000,
  });
  const db = new pg.Client({ connectionString: PG_URL });
  await db.connect();
  const workers: WorkerChild[] = [];
  try {
    // Sandbox tokens live 5 minutes; a long run asks for a fresh one every minute.
    let token = { value: await ehr.issueSystemToken('system/*.cruds'), at: Date.now() };
    const getToken = async () => {
      if (Date.now() - token.at > 60_000)
        token = { value: await ehr.issueSystemToken('system/*.cruds'), at: Date.now() };
      return token.value;
    };
    const fhir = createFhirGateway({
      baseUrl: ehr.fhirBase,
      getToken,
      retry: { attempts: 3, baseDelayMs: 50 },
    });
    const expected = [
      ...(await seedCodedEncounters(fhir, ENCOUNTERS, 'chaos')),
      ...SEEDED_SUBMITTED,
    ];
    const env = {
      CHARTBILL_FHIR_BASE_URL: `${ehrProxy.origin}/fhir`,
      CHARTBILL_PAYER_BASE_URL: `${payerProxy.origin}/fhir`,
      CHARTBILL_TOKEN_URL: ehr.tokenUrl,
      CHARTBILL_CLIENT_ID: client.clientId,
      CHARTBILL_PRIVATE_KEY_FILE: keyFile,
      CHARTBILL_LEDGER_URL: PG_URL,
      CHARTBILL_LEDGER_SCHEMA: schema,
      CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
      CHARTBILL_WORKER_RETRY_BASE_SECONDS: '0.2',
      CHARTBILL_HTTP_BACKOFF_MS: '20',
      CHARTBILL_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS),
      CHARTBILL_WORKER_LEASE_SECONDS: String(LEASE_SECONDS),
    };
    const started = performance.now();
    for (let n = 0; n < WORKERS; n++) workers.push(spawnWorker(env));
    await Promise.all(workers.map(running));
    const answered = () => answeredCount(db, schema);
    const done = async () => (await answered()) >= expected.length;

    // Kill a random worker at random moments while the backlog drains; restart it at once.
    let kills = 0;
    while (kills < KILLS && !(await done())) {
      await new Promise((resolve) => setTimeout(resolve, 500 + random() * 4000));
      const index = Math.floor(random() * workers.length);
      const victim = workers[index];
      if (!victim) continue;
      victim.process.kill('SIGKILL');
      if ((await victim.exited).signal === 'SIGKILL') kills += 1;
      const fresh = spawnWorker(env);
      workers[index] = fresh;
      await running(fresh);
    }
    await settle(answered, expected.length);
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(
      workers.map(async (w) => {
        w.process.kill('SIGTERM');
        await w.exited;
      }),
    );
    const lost = await lostEncounters(fhir, expected);
    return {
      encounters: expected.length,
      duplicates: duplicateSubmissions(payer.audit()),
      lost,
      seconds: Math.round(seconds * 10) / 10,
      kills,
      faults: faultsOf(ehrProxy.counts()) + faultsOf(payerProxy.counts()),
      submitAnswersLost: payerProxy.records.filter(
        (r) =>
          r.path.includes('Claim/$submit') && (r.fault === 'reset-after' || r.fault === 'slow'),
      ).length,
    };
  } finally {
    for (const w of workers) w.process.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await db.end();
    await Promise.all([ehrProxy.close(), payerProxy.close()]);
    await Promise.all([ehr.close(), payer.close()]);
    await dropSchema(schema);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Resolves once the worker serves its health URL; rejects if it exits first. */
function running(worker: WorkerChild): Promise<string> {
  return Promise.race([
    worker.started,
    worker.exited.then(() => {
      throw new Error(`a worker exited at start: ${worker.stderr()}`);
    }),
  ]);
}

/** Items of the shared ledger with a final answer recorded. */
async function answeredCount(db: pg.Client, schema: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM "${schema}".ledger_items WHERE stage = 'answered'`,
  );
  return Number(rows[0]?.n ?? 0);
}

/** Waits until `count` are answered, or until nothing more was answered for STALL_SECONDS. */
async function settle(answered: () => Promise<number>, count: number): Promise<void> {
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    const now = await answered();
    if (now >= count) return;
    if (now !== last) {
      last = now;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > STALL_SECONDS * 1000) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Submissions beyond the first per claim identifier, as the payer counted them. */
function duplicateSubmissions(audit: PayerAudit): number {
  return Object.values(audit.submits).reduce((sum, n) => sum + Math.max(0, n - 1), 0);
}

/** Encounters with neither a final answer to their claim in the billing store nor a Task saying why not. */
async function lostEncounters(
  fhir: Parameters<typeof all>[0],
  expected: readonly string[],
): Promise<number> {
  const [claims, answers, tasks] = await Promise.all([
    all<Claim>(fhir, 'Claim'),
    all<ClaimResponse>(fhir, 'ClaimResponse'),
    all<Task>(fhir, 'Task'),
  ]);
  const claimOf = new Map(
    claims.map((c) => [
      c.identifier?.find((i) => i.system === SYSTEM.claimId)?.value ?? '',
      `Claim/${c.id ?? ''}`,
    ]),
  );
  const answeredClaims = new Set(
    answers.filter((r) => r.outcome !== 'queued').map((r) => r.request?.reference),
  );
  const withTask = new Set(tasks.map((t) => t.encounter?.reference));
  return expected.filter(
    (id) => !answeredClaims.has(claimOf.get(`enc-${id}`)) && !withTask.has(`Encounter/${id}`),
  ).length;
}

function faultsOf(counts: Record<Fault, number>): number {
  return Object.entries(counts).reduce((sum, [fault, n]) => sum + (fault === 'pass' ? 0 : n), 0);
}
