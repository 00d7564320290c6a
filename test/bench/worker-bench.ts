import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { undiciTransport } from '../../src/fhir/fhir-transport.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { startSandboxPayer } from '../../sandbox/payer-server.ts';
import { errorMessage } from '../../src/errors/error-message.ts';
import { medplumFaults, type FhirFaults } from '../../sandbox/medplum-faults.ts';
import type { SandboxClient } from '../../sandbox/sandbox-client.ts';
import { startSandboxEhr, type SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { loadWorkerConfig } from '../../worker/runtime/worker-config.ts';
import { backendClient, spawnWorker, type WorkerChild } from '../faults/worker-child.ts';
import { dropSchema, freshSchemaName, PG_URL } from '../worker/pg-kit.ts';
import { seedCodedEncounters, seedCodedEncountersIn } from '../worker/seed-encounters.ts';
import type { Resource } from 'fhir/r4';
import {
  holdsClaims,
  holdsCoding,
  SANDBOX_EHR_PROFILES,
  sandboxEhrProfile,
  type SandboxEhrProfileName,
} from '../../sandbox/ehr-profiles.ts';
import { isSeedCoding } from '../../sandbox/seed-data.ts';
import { CODING_TYPES, routedCapabilities, routedGateway } from '../../src/fhir/routed-gateway.ts';
import { createCapabilitiesSource } from '../../src/fhir/server-capabilities.ts';
import { BILLING_SCOPE, CODING_READ_SCOPE } from '../../worker/runtime/worker-config.ts';
import { testWorker } from '../worker/test-worker.ts';
import { bareClient, type BareJob, type Writes } from './bare-client.ts';
import { round, type Bench, type Report } from './bench-types.ts';
import { countingGateway } from './counting-gateway.ts';

const logger = createLogger('silent', 'worker-bench');
/** Encounters for the throughput figures, and for the memory figure (override for a quick run). */
const THROUGHPUT_ENCOUNTERS = Number(process.env.CHARTBILL_BENCH_ENCOUNTERS ?? 2000);
const RSS_ENCOUNTERS = Number(process.env.CHARTBILL_BENCH_RSS_ENCOUNTERS ?? 10_000);
/** Just enough configuration to read the worker's defaults. */
const EXAMPLE_WORKER_ENV = {
  CHARTBILL_FHIR_BASE_URL: 'http://ehr.invalid/fhir',
  CHARTBILL_PAYER_BASE_URL: 'http://payer.invalid/fhir',
  CHARTBILL_CLIENT_ID: 'bench',
  CHARTBILL_PRIVATE_KEY_FILE: 'unused.json',
};
/** Encounters the worker process keeps in flight: its own default unless set. */
const WORKER_CONCURRENCY = Number(
  process.env.CHARTBILL_BENCH_WORKER_CONCURRENCY ??
    loadWorkerConfig(EXAMPLE_WORKER_ENV).concurrency,
);
/**
 * Requests the bare client keeps in flight: its own process runs with each, and the fastest is
 * the server's rate (the in-process run uses the first).
 */
const BARE_LANES = (process.env.CHARTBILL_BENCH_BARE_LANES ?? '4,8,16').split(',').map(Number);
/** Encounters each side processes once, unmeasured, before the measured runs (JIT warm-up). */
const WARM_UP_ENCOUNTERS = Number(process.env.CHARTBILL_BENCH_WARM_UP_ENCOUNTERS ?? 200);
/** How often the worker's /metrics is read while its run is timed. */
const POLL_MS = 100;
/** Rounds of worker-then-bare runs; the median round's figures are reported. */
const ROUNDS = Math.max(1, Number(process.env.CHARTBILL_BENCH_ROUNDS ?? 5));
/** The seed's own finished encounters that reach the payer. */
const SEEDED_SUBMITTED = 7;
/**
 * The sandbox EHR profiles the worker and bare runs are timed against: every one by default.
 * `strict` is the sandbox as it is; `medplum-like` adds serialization conflicts under concurrent
 * conditional creates (sandbox/medplum-faults.ts); `epic-like` and `oracle-like` cannot hold the
 * coding or the claims, so a second sandbox server (strict) is the billing store, found by the
 * worker's `CHARTBILL_CODING_STORE=auto` as in production, and the bare client uses it alike.
 */
const EHR_PROFILES = (process.env.CHARTBILL_BENCH_EHR_PROFILES ?? SANDBOX_EHR_PROFILES.join(','))
  .split(',')
  .map((name) => name.trim())
  .filter(Boolean);
/**
 * The medplum-like quota in points per minute per user. Off by default: a quota-bound run
 * measures the quota (both sides wait out the same minutes), not the worker.
 */
const MEDPLUM_QUOTA_POINTS = Number(process.env.CHARTBILL_BENCH_MEDPLUM_QUOTA_POINTS ?? 0);

/** What the sandbox EHR does besides answering, per profile. */
function faultsOf(profile: string): FhirFaults | undefined {
  switch (profile) {
    case 'strict':
    case 'epic-like':
    case 'oracle-like':
      return undefined;
    case 'medplum-like':
      return medplumFaults({ quotaPoints: MEDPLUM_QUOTA_POINTS });
    default:
      throw new Error(
        `CHARTBILL_BENCH_EHR_PROFILES names ${profile}: the profiles are ${SANDBOX_EHR_PROFILES.join(', ')}`,
      );
  }
}
const HERE = import.meta.dirname;

/** The sandbox EHR in this process, and a system-scoped gateway to it. */
interface Ehr {
  ehr: SandboxEhr;
  fhir: FhirGateway;
  token(): Promise<string>;
}

async function startEhr(
  clients: SandboxClient[] = [],
  profile = 'strict',
  seed?: (r: Resource) => boolean,
): Promise<Ehr> {
  const faults = faultsOf(profile);
  const ehr = await startSandboxEhr({
    port: 0,
    logger,
    clients,
    profile: sandboxEhrProfile(profile as SandboxEhrProfileName),
    ...(seed ? { seed } : {}),
    ...(faults ? { faults } : {}),
  });
  // Sandbox tokens live 5 minutes; a long run asks for a fresh one every minute.
  let token = { value: await ehr.issueSystemToken('system/*.cruds'), at: Date.now() };
  const getToken = async () => {
    if (Date.now() - token.at > 60_000)
      token = { value: await ehr.issueSystemToken('system/*.cruds'), at: Date.now() };
    return token.value;
  };
  // The worker's transport, for the worker run here and for the bare runs alike.
  return {
    ehr,
    fhir: createFhirGateway({ baseUrl: ehr.fhirBase, getToken, transport: undiciTransport }),
    token: getToken,
  };
}

/**
 * The EHR in a profile and, where it cannot hold the coding or the claims (epic-like,
 * oracle-like), a billing store beside it (a strict sandbox server) holding the seed's coding, as
 * `chartbill sandbox` runs them (cli/sandbox-stack.ts).
 */
interface World {
  ehr: Ehr;
  billing?: Ehr;
  /** Finished, coded encounters: the coding on the billing store when the EHR cannot hold it. */
  seed(count: number, prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

async function startWorld(clients: SandboxClient[], profileName: string): Promise<World> {
  const profile = sandboxEhrProfile(profileName as SandboxEhrProfileName);
  const codingThere = !holdsCoding(profile);
  const separate = codingThere || !holdsClaims(profile);
  const ehr = await startEhr(
    clients,
    profileName,
    codingThere ? (r) => !isSeedCoding(r) : undefined,
  );
  const billing = separate
    ? await startEhr(
        clients.map((c) => ({ ...c, scope: `${BILLING_SCOPE} ${CODING_READ_SCOPE}` })),
        'strict',
        codingThere ? isSeedCoding : () => false,
      )
    : undefined;
  return {
    ehr,
    ...(billing ? { billing } : {}),
    seed: (count, prefix) =>
      separate
        ? seedCodedEncountersIn(
            {
              ehr: ehr.fhir,
              ehrBatch: profile.batch,
              ...(codingThere && billing ? { coding: billing.fhir } : {}),
            },
            count,
            prefix,
          )
        : seedCodedEncounters(ehr.fhir, count, prefix),
    async close() {
      await Promise.all([ehr.ehr.close(), billing?.ehr.close()]);
    },
  };
}

/**
 * The worker, in this process with the sandbox EHR and payer (one thread for all, one encounter
 * at a time), over `count` seeded encounters: claims per second, FHIR requests per claim, and
 * the claims and answers it wrote (for the bare run to replay).
 */
async function workerInProcess(
  count: number,
  profile = 'strict',
): Promise<{
  claimsPerSecond: number;
  requestsPerClaim: number;
  claims: number;
  writes: Writes;
  updates: number;
}> {
  const world = await startWorld([], profile);
  const payer = await startSandboxPayer({ port: 0, logger });
  try {
    await world.seed(count, 'bench');
    const fhir = countingGateway(world.ehr.fhir);
    // Where the EHR cannot hold them, the coding and the claims are on the billing store.
    const billing = world.billing
      ? countingGateway(world.billing.fhir, { chunkOf: () => fhir.chunk(), server: 'billing' })
      : undefined;
    const codingThere = !holdsCoding(sandboxEhrProfile(profile as SandboxEhrProfileName));
    const clinical = billing && codingThere ? routedGateway(fhir, billing, CODING_TYPES) : fhir;
    const capabilities =
      billing && codingThere
        ? routedCapabilities(
            createCapabilitiesSource({ baseUrl: fhir.baseUrl }),
            createCapabilitiesSource({ baseUrl: billing.baseUrl }),
            CODING_TYPES,
          )
        : undefined;
    const worker = testWorker(
      {
        CHARTBILL_WORKER_CONCURRENCY: '1',
        CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
        CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
        CHARTBILL_WORKER_RECHECK_MINUTES: '60',
        CHARTBILL_WORKER_MAX_ATTEMPTS: '5',
        CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '60',
      },
      {
        clinical,
        billing: billing ?? fhir,
        ...(capabilities ? { capabilities } : {}),
        payer: createFhirPayerAdapter({ baseUrl: payer.fhirBase }),
        codes: starterCodeSet(),
        ledger: createMemoryLedger(),
        logger,
      },
    );
    const started = performance.now();
    let submitted = 0;
    for (let tick = 0; tick < 10 && submitted < count + SEEDED_SUBMITTED; tick++) {
      // A tick that fails as a whole is tried again, as the scheduler would.
      submitted += (await worker.tick().catch(() => ({ submitted: 0 }))).submitted;
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      claimsPerSecond: submitted / seconds,
      requestsPerClaim: (fhir.requests() + (billing?.requests() ?? 0)) / submitted,
      claims: submitted,
      // In the order the worker made them, per context chunk (a stable sort keeps each server's order).
      writes: [...fhir.creates(), ...(billing?.creates() ?? [])].sort((a, b) => a.chunk - b.chunk),
      updates: fhir.updates() + (billing?.updates() ?? 0),
    };
  } finally {
    await Promise.all([world.close(), payer.close()]);
  }
}

/**
 * A bare run: the bare sandbox EHR answering the minimal requests of `count` claims (see
 * bare-client.ts). Claims per second, and (client in its own process) the CPU time per claim of
 * the EHR and the client.
 */
interface BareResult {
  rate: number;
  cpuMsPerClaim?: Record<'ehr' | 'client', CpuTime>;
}

/** A timed run made ready (servers up, data seeded) so that it can start the moment it is asked to. */
interface Prepared<R> {
  run(): Promise<R>;
  close(): Promise<void>;
}

/** The bare client in this process (the in-process comparison). */
async function bareInProcess(count: number, writes: Writes, lanes: number): Promise<number> {
  const { ehr, fhir } = await startEhr();
  try {
    await seedCodedEncounters(fhir, count, 'bare');
    return (count + SEEDED_SUBMITTED) / (await bareClient({ ehr: fhir }, writes, lanes));
  } finally {
    await ehr.close();
  }
}

/**
 * The bare client as its own process, against its own seeded sandbox EHR in this process. Like
 * the worker, the fresh process first replays the warm-up run's requests (against a second EHR
 * here, seeded alike), untimed; then this process reads the CPU times and lets it go.
 */
async function prepareBareRun(
  count: number,
  writes: Writes,
  lanes: number,
  warmUp: Writes,
  profile: string,
): Promise<Prepared<BareResult>> {
  const world = await startWorld([], profile);
  const warmWorld = await startWorld([], profile);
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-bare-'));
  const close = onlyOnce(async () => {
    await Promise.all([world.close(), warmWorld.close()]);
    await rm(dir, { recursive: true, force: true });
  });
  const billingOf = async (w: World) =>
    w.billing
      ? { billing: { fhirBase: w.billing.ehr.fhirBase, token: await w.billing.token() } }
      : {};
  try {
    await warmWorld.seed(WARM_UP_ENCOUNTERS, 'bare');
    await world.seed(count, 'bare');
    const job = join(dir, 'job.json');
    await writeFile(
      job,
      JSON.stringify({
        fhirBase: world.ehr.ehr.fhirBase,
        token: await world.ehr.token(),
        ...(await billingOf(world)),
        lanes,
        writes,
        warmUp: {
          fhirBase: warmWorld.ehr.ehr.fhirBase,
          token: await warmWorld.ehr.token(),
          ...(await billingOf(warmWorld)),
          writes: warmUp,
        },
      } satisfies BareJob),
    );
    const claims = count + SEEDED_SUBMITTED;
    return {
      close,
      async run() {
        const child = spawn(
          process.execPath,
          [...profileFlags('bare-client'), '--import', 'tsx', join(HERE, 'bare-client.ts'), job],
          { stdio: ['pipe', 'pipe', 'inherit'] },
        );
        await lineFrom(child, /^warm\n/m);
        const cpuBefore = await cpuTimes({ ehr: process.pid, client: child.pid ?? 0 });
        child.stdin.end('go\n');
        const out = await lineFrom(child, /^seconds \S+\n/m);
        const cpuAfter = await cpuTimes({ ehr: process.pid, client: child.pid ?? 0 });
        const seconds = Number(/seconds (\S+)/.exec(out)?.[1]);
        if (!Number.isFinite(seconds)) throw new Error('the bare client printed no time');
        return { rate: claims / seconds, cpuMsPerClaim: perClaim(cpuBefore, cpuAfter, claims) };
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Node flags that CPU-profile a child process into `<CHARTBILL_BENCH_PROFILE_DIR>/<name>/` when that is set. */
function profileFlags(name: string): string[] {
  const dir = process.env.CHARTBILL_BENCH_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, name)}`] : [];
}

/** Resolves with the child's stdout once it matches (rejects if the child exits first). */
function lineFrom(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (pattern.test(out)) resolve(out);
    });
    child.on('exit', (code) => {
      reject(
        new Error(`${child.spawnfile} exited (${String(code)}) before printing ${String(pattern)}`),
      );
    });
  });
}

interface ProcessWorld {
  ehr: Ehr;
  child: WorkerChild;
  /** The payer process's id. */
  payerPid: number;
  /** Claims the worker process reports submitted, from its /metrics. */
  submitted(): Promise<number>;
  /** A figure from the worker process's /metrics. */
  metric(name: string): Promise<number>;
  /** FHIR requests the worker process made so far (the EHR's and the billing store's, not the payer's). */
  fhirRequests(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Everything as deployed: the worker as its own process (`worker/runtime/main.ts`, the embedded or the
 * PostgreSQL ledger, default concurrency), the payer as its own process, the sandbox EHR in this
 * one. `beforeStart` runs first (e.g. seeding), so the timed run is the worker's alone.
 */
async function startProcessWorld(
  beforeStart: (world: World) => Promise<unknown>,
  ledger: 'file' | 'postgres',
  profile = 'strict',
): Promise<ProcessWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-bench-'));
  const schema = freshSchemaName();
  const { client, keyFile } = await backendClient(dir);
  const world = await startWorld([client], profile);
  const ehr = world.ehr;
  const payer = spawn(
    process.execPath,
    [...profileFlags('payer'), '--import', 'tsx', join(HERE, 'payer-process.ts')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const payerBase = /payer (\S+)/.exec(await lineFrom(payer, /payer \S+\n/))?.[1] ?? '';
  await beforeStart(world);
  const child = spawnWorker({
    CHARTBILL_FHIR_BASE_URL: ehr.ehr.fhirBase,
    // CHARTBILL_CODING_STORE unset: `auto` finds the coding on the billing store where there is one.
    ...(world.billing
      ? {
          CHARTBILL_BILLING_FHIR_BASE_URL: world.billing.ehr.fhirBase,
          CHARTBILL_BILLING_TOKEN_URL: world.billing.ehr.tokenUrl,
        }
      : {}),
    CHARTBILL_PAYER_BASE_URL: payerBase,
    CHARTBILL_TOKEN_URL: ehr.ehr.tokenUrl,
    CHARTBILL_CLIENT_ID: client.clientId,
    CHARTBILL_PRIVATE_KEY_FILE: keyFile,
    ...(ledger === 'postgres'
      ? { CHARTBILL_LEDGER_URL: PG_URL, CHARTBILL_LEDGER_SCHEMA: schema }
      : { CHARTBILL_LEDGER_PATH: join(dir, 'ledger.json') }),
    CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
    CHARTBILL_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    // The throughput runs start the worker with its work waiting: the default idle backoff.
    // The memory run seeds its load after the worker has idled: it polls on every beat.
    CHARTBILL_WORKER_IDLE_MAX_SECONDS: String(
      ledger === 'file' ? loadWorkerConfig(EXAMPLE_WORKER_ENV).idleMaxMs / 1000 : 0,
    ),
  });
  async function metric(name: string): Promise<number> {
    const metrics = await (await fetch(`${await child.started}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN);
  }
  return {
    ehr,
    child,
    payerPid: payer.pid ?? 0,
    metric,
    submitted: () => metric('chartbill_worker_claims_submitted_total'),
    async fhirRequests() {
      const metrics = await (await fetch(`${await child.started}/metrics`)).text();
      return [...metrics.matchAll(/^chartbill_worker_fhir_requests_total\{([^}]*)\} (\S+)$/gm)]
        .filter((m) => !(m[1] ?? '').includes('server="payer"'))
        .reduce((sum, m) => sum + Number(m[2]), 0);
    },
    async close() {
      child.process.kill('SIGTERM');
      payer.kill('SIGTERM');
      await child.exited;
      await world.close();
      if (ledger === 'postgres') await dropSchema(schema);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Claims per second of the worker process, and the CPU time per claim of each process meanwhile (the EHR's is this process's). */
interface WorkerResult {
  claimsPerSecond: number;
  cpuMsPerClaim: Record<'worker' | 'payer' | 'ehr', CpuTime>;
  /** Claims per second from the worker's start, its JIT warm-up and the warm-up encounters included. */
  coldClaimsPerSecond: number;
  /** FHIR requests per claim the worker process made in the timed part (/metrics). */
  requestsPerClaim: number;
  /** Encounters in flight (adaptive concurrency), averaged over the timed part's readings. */
  meanConcurrency: number;
}

/**
 * The worker process over `count` encounters: the EHR seeded and the payer up when this
 * resolves. `run` starts the worker and times it once it has submitted the seed's claims and
 * WARM_UP_ENCOUNTERS more (seeded first, so found first): the worker and the payer are fresh
 * processes, and their first claims are spent compiling (about twice the CPU per claim), which a
 * long-running worker does once. The timing ends when every claim is submitted.
 */
async function prepareWorkerRun(count: number, profile: string): Promise<Prepared<WorkerResult>> {
  let seeded = (): void => undefined;
  let go = (): void => undefined;
  const ready = new Promise<void>((resolve) => {
    seeded = resolve;
  });
  const gate = new Promise<void>((resolve) => {
    go = resolve;
  });
  const starting = startProcessWorld(
    async (world) => {
      await world.seed(WARM_UP_ENCOUNTERS, 'warm');
      await world.seed(count, 'bench');
      seeded();
      await gate;
    },
    'file',
    profile,
  );
  // A world that fails while seeding rejects `starting`; one that seeded waits at the gate.
  await Promise.race([ready, starting]);
  const warmedAt = SEEDED_SUBMITTED + WARM_UP_ENCOUNTERS;
  const all = warmedAt + count;
  return {
    close: onlyOnce(async () => {
      go();
      await (await starting).close();
    }),
    async run() {
      go();
      const world = await starting;
      await world.child.started;
      const pids = {
        worker: world.child.process.pid ?? 0,
        payer: world.payerPid,
        ehr: process.pid,
      };
      const startedCold = performance.now();
      // The timed part starts at the first reading past the warm-up, with the count read then.
      let first = 0;
      if (
        !(await waitFor(
          async () => (first = await world.submitted()) >= warmedAt,
          600_000,
          POLL_MS,
        ))
      )
        throw new Error(
          `the worker process submitted ${String(first)} of its ${String(warmedAt)} warm-up claims`,
        );
      const cpuBefore = await cpuTimes(pids);
      const requestsBefore = await world.fhirRequests();
      const started = performance.now();
      const levels: number[] = [];
      const done = await waitFor(
        async () => {
          levels.push(await world.metric('chartbill_worker_concurrency'));
          return (await world.submitted()) >= all;
        },
        1_800_000,
        POLL_MS,
      );
      if (!done)
        throw new Error(
          `the worker process submitted ${String(await world.submitted())} of ${String(all)} claims`,
        );
      const ended = performance.now();
      const cpuAfter = await cpuTimes(pids);
      const claims = all - first;
      const requests = (await world.fhirRequests()) - requestsBefore;
      return {
        requestsPerClaim: requests / claims,
        meanConcurrency: levels.reduce((a, b) => a + b, 0) / Math.max(1, levels.length),
        claimsPerSecond: claims / ((ended - started) / 1000),
        cpuMsPerClaim: perClaim(cpuBefore, cpuAfter, claims),
        coldClaimsPerSecond: all / ((ended - startedCold) / 1000),
      };
    },
  };
}

/** `close` made safe to call twice: the second call waits for the first. */
function onlyOnce(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

/**
 * Runs `run`, with this process (the EHR's) CPU-profiled into CHARTBILL_BENCH_PROFILE_DIR when set
 * (the payer and bare client processes profile themselves into folders of their own there).
 */
async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
  const dir = process.env.CHARTBILL_BENCH_PROFILE_DIR;
  if (!dir) return run();
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

/** CPU time in ms, in user space and in the kernel. */
interface CpuTime {
  user: number;
  system: number;
}

/** User and system CPU time of each process so far, in ms, from /proc (Linux). */
async function cpuTimes<K extends string>(pids: Record<K, number>): Promise<Record<K, CpuTime>> {
  const msPerTick = 1000 / 100; // USER_HZ is 100 on Linux
  const entries = await Promise.all(
    Object.entries<number>(pids).map(async ([name, pid]) => {
      const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [
        name,
        { user: Number(fields[11]) * msPerTick, system: Number(fields[12]) * msPerTick },
      ] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<K, CpuTime>;
}

/** Each process's CPU time between two readings, per claim. */
function perClaim<K extends string>(
  before: Record<K, CpuTime>,
  after: Record<K, CpuTime>,
  claims: number,
): Record<K, CpuTime> {
  const entries = (Object.keys(before) as K[]).map(
    (name) =>
      [
        name,
        {
          user: (after[name].user - before[name].user) / claims,
          system: (after[name].system - before[name].system) / claims,
        },
      ] as const,
  );
  return Object.fromEntries(entries) as Record<K, CpuTime>;
}

/**
 * The worker process's RSS once it has handled the seed's encounters and settled, and again
 * after `count` more encounters, settled. Settled: still ticking every second with nothing to do,
 * until two readings 10 s apart differ by under 2 MB (V8 gives back the heap a burst of work grew
 * only once the process is quiet), at most 2 minutes.
 */
async function rssRun(count: number, report: Report): Promise<void> {
  const world = await startProcessWorld(() => Promise.resolve(), 'postgres');
  const { child } = world;
  try {
    await child.started;
    // Let it settle on the seed's few encounters, then measure, then give it the load.
    await waitFor(async () => (await world.submitted()) >= SEEDED_SUBMITTED, 120_000);
    const pid = child.process.pid ?? 0;
    const before = await settledRss(pid);
    const memoryBefore = await memoryFigures(world);
    await seedCodedEncounters(world.ehr.fhir, count, 'rss');
    const started = performance.now();
    let peak = before;
    const done = await waitFor(async () => {
      peak = Math.max(peak, await rssOf(child.process.pid ?? 0));
      return (await world.submitted()) >= count + SEEDED_SUBMITTED;
    }, 3_600_000);
    const seconds = (performance.now() - started) / 1000;
    const atEnd = await rssOf(child.process.pid ?? 0);
    const after = await settledRss(pid);
    const memoryAfter = await memoryFigures(world);
    report(
      'worker_rss_before',
      round(before / 1_048_576, 1),
      "MB (after the seed's 9 encounters, settled)",
    );
    report(
      `worker_rss_after_${String(count)}_encounters`,
      round(after / 1_048_576, 1),
      'MB (settled)',
    );
    report('worker_rss_growth', round((after - before) / 1_048_576, 1), 'MB (goal < 50)');
    report('worker_rss_growth_at_last_claim', round((atEnd - before) / 1_048_576, 1), 'MB');
    report(
      'worker_rss_peak_growth',
      round((peak - before) / 1_048_576, 1),
      'MB (sampled every 250 ms)',
    );
    for (const [name, before] of Object.entries(memoryBefore)) {
      report(`worker_${name}_before`, round(before / 1_048_576, 1), 'MB');
      report(
        `worker_${name}_after_${String(count)}_encounters`,
        round((memoryAfter[name] ?? Number.NaN) / 1_048_576, 1),
        'MB',
      );
    }
    report(
      'worker_process_postgres_claims_per_second',
      round(count / seconds, 1),
      'claims/s (seeding overlaps the start)',
    );
    if (!done) report('worker_rss_run_incomplete', await world.submitted(), 'claims');
  } finally {
    await world.close();
  }
}

/** Where the worker process's memory is, from its /metrics: the V8 heap (all, and the young generation) and buffers. */
async function memoryFigures(world: ProcessWorld): Promise<Record<string, number>> {
  return {
    heap_used: await world.metric('nodejs_heap_size_used_bytes'),
    heap_reserved: await world.metric('nodejs_heap_size_total_bytes'),
    young_generation_reserved: await world.metric(
      'nodejs_heap_space_size_total_bytes\\{space="new"\\}',
    ),
    external: await world.metric('nodejs_external_memory_bytes'),
  };
}

/** The RSS once two readings 10 s apart differ by under 2 MB (at most 2 minutes). */
async function settledRss(pid: number): Promise<number> {
  let last = await rssOf(pid);
  for (let n = 0; n < 12; n++) {
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const now = await rssOf(pid);
    if (Math.abs(now - last) < 2 * 1_048_576) return now;
    last = now;
  }
  return last;
}

async function waitFor(done: () => Promise<boolean>, ms: number, everyMs = 250): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end && !(await done())) await new Promise((r) => setTimeout(r, everyMs));
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
 * second for 2,000 encounters next to the bare sandbox EHR's rate for the same requests, FHIR
 * requests per claim, and the worker process's RSS across 10,000 encounters.
 */
export const workerBench: Bench = {
  name: 'worker',
  async run(report) {
    if (THROUGHPUT_ENCOUNTERS > 0) await throughput(report);
    if (RSS_ENCOUNTERS > 0) await rssRun(RSS_ENCOUNTERS, report);
  },
};

/** The worker's ratio to the bare client against a profile: the strict one keeps its old name. */
function ratioName(profile: string): string {
  return profile === 'strict'
    ? 'worker_vs_bare_sandbox_ratio'
    : `worker_vs_bare_${profile.replaceAll('-', '_')}_ratio`;
}

/** A timed round's figures. */
interface Round {
  own: WorkerResult;
  bare: BareResult & { lanes: number };
  ratio: number;
}

/**
 * ROUNDS rounds of the worker process and the bare client against the sandbox EHR in `profile`,
 * each round's ratio reported; resolves with the median round.
 */
async function timedRounds(
  profile: string,
  writes: Writes,
  warmUp: Writes,
  report: Report,
): Promise<{ median: Round }> {
  // Rounds: both sides are seeded first, then timed back to back, the worker first in odd
  // rounds and last in even ones. This machine's speed drifts by up to 40% within minutes (the
  // same bare run 201 to 368 claims/s today); runs seconds apart, in both orders, keep the drift
  // off one side of the ratio. The median round gives the headline figures.
  const rounds: { own: WorkerResult; bare: BareResult & { lanes: number }; ratio: number }[] = [];
  for (let n = 1; n <= ROUNDS; n++) {
    const worker = await prepareWorkerRun(THROUGHPUT_ENCOUNTERS, profile);
    const bares: { lanes: number; prepared: Prepared<BareResult> }[] = [];
    let own: WorkerResult | undefined;
    // The bare side at each number of lanes, keeping the fastest (and its CPU figures).
    let bare: BareResult & { lanes: number } = { rate: 0, lanes: 0 };
    try {
      for (const lanes of BARE_LANES)
        bares.push({
          lanes,
          prepared: await prepareBareRun(THROUGHPUT_ENCOUNTERS, writes, lanes, warmUp, profile),
        });
      // Each side is closed as soon as it is timed: a worker left running ticks every second,
      // re-reading the last minute's changes from this EHR while the bare side is timed, and a
      // finished EHR's data would stay in this process's heap.
      const runWorker = async () => {
        own = await profiled(`ehr-during-worker-${profile}-${String(n)}`, () => worker.run());
        await worker.close();
      };
      const runBares = async () => {
        for (const { lanes, prepared } of bares) {
          // A plain client can fail outright where the server pushes back (medplum-like at 16
          // lanes: conflicts past its retries); the lanes that finished count.
          const result = await profiled(
            `ehr-during-bare-${profile}-${String(lanes)}-${String(n)}`,
            () => prepared.run(),
          ).catch((err: unknown) => {
            report(
              `${ratioName(profile)}_bare_failed_at_lanes`,
              lanes,
              `(round ${String(n)}: ${errorMessage(err).slice(0, 160)})`,
            );
            return { rate: 0 };
          });
          await prepared.close();
          if (result.rate > bare.rate) bare = { ...result, lanes };
        }
      };
      if (n % 2 === 1) {
        await runWorker();
        await runBares();
      } else {
        await runBares();
        await runWorker();
      }
    } finally {
      await worker.close();
      for (const { prepared } of bares) await prepared.close();
    }
    if (!own) throw new Error('the worker run did not finish');
    if (bare.rate === 0) throw new Error(`no bare run finished against the ${profile} sandbox`);
    const ratio = own.claimsPerSecond / bare.rate;
    report(
      `${ratioName(profile)}_round_${String(n)}`,
      round(ratio, 2),
      `(worker ${String(round(own.claimsPerSecond, 1))} claims/s at ${String(round(own.meanConcurrency, 1))} in flight on average, ${String(round(own.requestsPerClaim, 2))} FHIR requests per claim; bare ${String(round(bare.rate, 1))} claims/s at ${String(bare.lanes)} lanes; ${n % 2 === 1 ? 'worker' : 'bare'} first)`,
    );
    rounds.push({ own, bare, ratio });
  }
  const sorted = [...rounds].sort((a, b) => a.ratio - b.ratio);
  const median = sorted[Math.floor((rounds.length - 1) / 2)];
  if (!median) throw new Error('the bench ran no rounds');
  const low = sorted[0]?.ratio ?? median.ratio;
  const high = sorted.at(-1)?.ratio ?? median.ratio;
  report(
    ratioName(profile),
    round(median.ratio, 2),
    `(${profile} sandbox EHR; goal >= 0.8; the median of ${String(rounds.length)} rounds, spread ${String(round(low, 2))}-${String(round(high, 2))}; worker ${String(round(median.own.claimsPerSecond, 1))} claims/s, bare ${String(round(median.bare.rate, 1))} claims/s)`,
  );
  report(`${ratioName(profile)}_spread`, round(high - low, 2), `(max - min of the round ratios)`);
  return { median };
}

/**
 * As deployed (worker, payer and bare client each their own process; the EHR in this one), and
 * all in this process on one thread. The in-process worker run also counts requests and records
 * the claims the bare runs replay. Each side runs once in this process on a small load first
 * (this process's JIT warm-up); in each timed run the fresh worker, payer and bare client
 * processes handle a warm-up load of their own before the clock starts.
 */
async function throughput(report: Report): Promise<void> {
  const warm = await workerInProcess(WARM_UP_ENCOUNTERS);
  await bareInProcess(WARM_UP_ENCOUNTERS, warm.writes, BARE_LANES[0] ?? 4);

  const inProcess = await workerInProcess(THROUGHPUT_ENCOUNTERS);
  const medians = new Map<string, Round>();
  for (const profile of EHR_PROFILES) {
    // Each profile's own requests (no batch, no includes, a billing store) for the bare side to replay.
    const [profileWarm, profileRun] =
      profile === 'strict'
        ? [warm, inProcess]
        : [
            await workerInProcess(WARM_UP_ENCOUNTERS, profile),
            await workerInProcess(THROUGHPUT_ENCOUNTERS, profile),
          ];
    report(
      `${ratioName(profile).replace(/_ratio$/, '')}_fhir_requests_per_claim`,
      round(profileRun.requestsPerClaim, 2),
      `requests (${profile}: the EHR's and the billing store's, AuditEvents and Provenances included)`,
    );
    const timed = await timedRounds(profile, profileRun.writes, profileWarm.writes, report);
    medians.set(profile, timed.median);
  }
  // The other figures are the strict sandbox's (or the first profile's).
  const median = medians.get('strict') ?? medians.get(EHR_PROFILES[0] ?? '');
  if (!median) throw new Error('the bench ran no rounds');
  const { own, bare: bareOwn } = median;
  const bareIn = await bareInProcess(THROUGHPUT_ENCOUNTERS, inProcess.writes, BARE_LANES[0] ?? 4);
  report('worker_claims_submitted', inProcess.claims, 'claims');
  report(
    'worker_claims_per_second',
    round(own.claimsPerSecond, 1),
    `claims/s (worker and payer each their own process, ${String(WORKER_CONCURRENCY)} encounters in flight, after ${String(WARM_UP_ENCOUNTERS)} warm-up encounters)`,
  );
  report(
    'worker_claims_per_second_from_start',
    round(own.coldClaimsPerSecond, 1),
    `claims/s (the same run timed from the worker's start: its ${String(WARM_UP_ENCOUNTERS + SEEDED_SUBMITTED)} first claims, JIT warm-up included)`,
  );
  report(
    'sandbox_bare_claims_per_second',
    round(bareOwn.rate, 1),
    `claims/s (client its own process, after its warm-up run; the fastest: ${String(bareOwn.lanes)} in flight)`,
  );
  const cpu = (name: string, time: CpuTime, run: string) => {
    report(
      name,
      round(time.user + time.system, 2),
      `ms (${run}: user ${String(round(time.user, 2))} + system ${String(round(time.system, 2))})`,
    );
  };
  for (const [name, time] of Object.entries(own.cpuMsPerClaim))
    cpu(`${name}_cpu_per_claim`, time, `${name} process, during the worker run`);
  for (const [name, time] of Object.entries(bareOwn.cpuMsPerClaim ?? {}))
    cpu(`bare_run_${name}_cpu_per_claim`, time, `${name} process, during the bare run`);
  report(
    'worker_in_process_claims_per_second',
    round(inProcess.claimsPerSecond, 1),
    'claims/s (worker, payer and EHR on one thread, 1 in flight)',
  );
  report(
    'sandbox_bare_in_process_claims_per_second',
    round(bareIn, 1),
    `claims/s (client and EHR on one thread, ${String(BARE_LANES[0] ?? 4)} in flight)`,
  );
  report(
    'worker_in_process_vs_bare_sandbox_ratio',
    round(inProcess.claimsPerSecond / bareIn, 2),
    '(the payer and all worker work share the thread)',
  );
  report(
    'worker_fhir_requests_per_claim',
    round(inProcess.requestsPerClaim, 2),
    'requests (goal <= 4)',
  );
  report(
    'worker_fhir_creates_replayed_by_bare_run',
    inProcess.writes.length,
    `creates (${String(inProcess.updates)} updates not replayed)`,
  );
}
