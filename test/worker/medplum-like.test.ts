import type { ClaimResponse } from 'fhir/r4';
import { testWorker } from './test-worker.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createFhirGateway, type FhirRetryEvent } from '../../src/fhir/http-fhir-gateway.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { medplumFaults, type MedplumFaultOptions } from '../../sandbox/medplum-faults.ts';
import { startSandboxPayer, type SandboxPayer } from '../../sandbox/payer-server.ts';
import { startSandboxEhr, type SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { adaptiveConcurrency } from '../../worker/tick/adaptive-concurrency.ts';
import { fhirObserver } from '../../worker/runtime/fhir-observer.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { createWorkerMetrics } from '../../worker/runtime/worker-metrics.ts';
import { seedCodedEncounters } from './seed-encounters.ts';
import { all, claimsOf, logger } from './worker-kit.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** The sandbox EHR acting as Medplum does (medplum-faults.ts), and the sandbox payer. */
async function medplumWorld(
  faults: MedplumFaultOptions,
): Promise<{ ehr: SandboxEhr; payer: SandboxPayer; token: Promise<string> }> {
  const ehr = await startSandboxEhr({
    port: 0,
    logger,
    clients: [],
    faults: medplumFaults(faults),
  });
  const payer = await startSandboxPayer({ port: 0, logger });
  closers.push(async () => {
    await Promise.all([ehr.close(), payer.close()]);
  });
  return { ehr, payer, token: ehr.issueSystemToken('system/*.cruds') };
}

describe('against a server that behaves like Medplum', () => {
  it('sends a conditional create that lost a serialization race again at once, and claims each encounter exactly once', async () => {
    // No quota here: only the serialization conflicts of concurrent If-None-Exist creates.
    // Transactions held open long enough that concurrent creates overlap even on a loaded machine.
    const { ehr, payer, token } = await medplumWorld({ quotaPoints: 0, transactionMs: 20 });
    const retries: FhirRetryEvent[] = [];
    const metrics = createWorkerMetrics();
    // Starting at the ceiling: creates race from the first encounter on, instead of only once
    // the level has climbed (which a loaded machine's latency can keep it from doing).
    const levels = adaptiveConcurrency({ ceiling: 8, initial: 8 });
    const cuts: number[] = [];
    const observer = fhirObserver('ehr', metrics, logger, {
      observe: (sample) => {
        if (sample.pushback) cuts.push(levels.current());
        levels.observe(sample);
      },
    });
    const fhir = createFhirGateway({
      baseUrl: ehr.fhirBase,
      getToken: () => token,
      onExchange: observer.onExchange,
      onRetry: (event) => {
        retries.push(event);
        observer.onRetry(event);
      },
    });
    const ids = await seedCodedEncounters(fhir, 24, 'race');
    const worker = testWorker(
      {
        CHARTBILL_WORKER_CONCURRENCY: '8',
        CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '60',
        CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
        CHARTBILL_WORKER_MAX_ATTEMPTS: '3',
      },
      {
        clinical: fhir,
        billing: fhir,
        payer: createFhirPayerAdapter({ baseUrl: payer.fhirBase }),
        codes: starterCodeSet(),
        ledger: createMemoryLedger(),
        logger,
        metrics,
        adaptive: levels,
      },
    );
    const summary = await worker.tick();
    // The server did push back, and no encounter failed because of it.
    expect(retries.filter((r) => r.reason === 'serialization-conflict').length).toBeGreaterThan(0);
    expect(summary).toMatchObject({ failed: 0, submitted: 7 + 24 });
    for (const id of ids) expect(await claimsOf(fhir, id)).toHaveLength(1);
    const answers = await all<ClaimResponse>(fhir, 'ClaimResponse');
    const answered = answers.map((a) => a.request?.reference);
    expect(new Set(answered).size).toBe(answered.length);
    // Each conflict reached adaptive concurrency as pushback, and /metrics shows the level.
    expect(cuts.length).toBeGreaterThan(0);
    expect(metrics.render()).toMatch(/^chartbill_worker_concurrency [1-8]$/m);
    expect(metrics.render()).toMatch(/^chartbill_worker_concurrency_ceiling 8$/m);
    // /metrics counts the 409s the server answered, by resource and interaction.
    expect(metrics.render()).toMatch(
      /chartbill_worker_fhir_requests_total\{server="ehr",resource="\w+",interaction="create",status="409"\} [1-9]/,
    );
  });

  it('waits out a 429 that names its wait only in the OperationOutcome, says so in the log, and then succeeds', async () => {
    // Five searches (20 points each) per window of 3 s: the sixth is refused.
    const { ehr, token } = await medplumWorld({ quotaPoints: 100, quotaWindowMs: 3_000 });
    const lines: string[] = [];
    const log = createLogger('info', 'quota-test', { write: (line: string) => lines.push(line) });
    const observer = fhirObserver('ehr', createWorkerMetrics(), log);
    const retries: FhirRetryEvent[] = [];
    const fhir = createFhirGateway({
      baseUrl: ehr.fhirBase,
      getToken: () => token,
      onExchange: observer.onExchange,
      onRetry: (event) => {
        retries.push(event);
        observer.onRetry(event);
      },
    });
    for (let n = 0; n < 8; n++) {
      const found = await fhir.searchAll('Patient', { _count: 1 }, 1);
      expect(found).toHaveLength(1);
    }
    const quota = retries.filter((r) => r.reason === 'quota');
    expect(quota.length).toBeGreaterThan(0);
    expect(quota.every((r) => r.status === 429 && r.detail === 'outcome')).toBe(true);
    // Never longer than the window the server named (plus the spread), never a blind minute.
    expect(Math.max(...quota.map((r) => r.delayMs))).toBeLessThan(3_000 * 1.1 + 100);
    const warned = lines.map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(warned.some((l) => l.level === 40 && /429 without Retry-After/.test(l.msg))).toBe(true);
  });
});

describe('adaptive concurrency', () => {
  it('grows from 1 to the ceiling while the server answers well, halves on 429 and 409, and grows back', () => {
    const levels = adaptiveConcurrency({ ceiling: 16 });
    expect(levels.current()).toBe(1);
    const good = (n: number) => {
      for (let i = 0; i < n; i++) levels.observe({ ms: 5, pushback: false });
    };
    good(40);
    expect(levels.current()).toBe(16);
    levels.observe({ ms: 5, pushback: true });
    expect(levels.current()).toBe(8);
    // A burst of pushback (every lane hit the same quota) cuts once, not once per answer.
    for (let i = 0; i < 5; i++) levels.observe({ ms: 5, pushback: true });
    expect(levels.current()).toBe(8);
    good(8);
    levels.observe({ ms: 5, pushback: true });
    expect(levels.current()).toBe(4);
    // After a cut, growth is additive: one more per window of good answers.
    good(4);
    expect(levels.current()).toBe(5);
    good(200);
    expect(levels.current()).toBe(16);
  });

  it('cuts by a quarter on a serialization conflict (retried at once), by half on overload', () => {
    const levels = adaptiveConcurrency({ ceiling: 16, initial: 16 });
    levels.observe({ ms: 5, pushback: true, mild: true });
    expect(levels.current()).toBe(12);
    for (let i = 0; i < 12; i++) levels.observe({ ms: 5, pushback: false });
    levels.observe({ ms: 5, pushback: true });
    expect(levels.current()).toBe(6);
  });

  it('stops growing while the server is queueing (latency far past its unloaded latency)', () => {
    const levels = adaptiveConcurrency({ ceiling: 16, latencyTolerance: 4 });
    for (let i = 0; i < 3; i++) levels.observe({ ms: 10, pushback: false });
    const before = levels.current();
    for (let i = 0; i < 100; i++) levels.observe({ ms: 200, pushback: false });
    expect(levels.current()).toBeLessThan(16);
    expect(levels.current()).toBeGreaterThanOrEqual(before);
  });

  it('admits no more work than its level, and admits the waiting work when the level grows', async () => {
    const levels = adaptiveConcurrency({ ceiling: 4 });
    const first = await levels.acquire();
    let second = false;
    const waiting = levels.acquire().then((release) => {
      second = true;
      return release;
    });
    await Promise.resolve();
    expect(second).toBe(false);
    levels.observe({ ms: 5, pushback: false });
    expect(levels.current()).toBe(2);
    (await waiting)();
    expect(second).toBe(true);
    first();
  });
});
