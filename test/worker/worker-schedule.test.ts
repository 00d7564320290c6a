import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testWorker } from './test-worker.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { openFileLedger } from '../../worker/ledger/file-ledger.ts';
import { startHealthServer } from '../../worker/runtime/health-server.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import {
  all,
  deadUrl,
  logger,
  startWorld,
  workerFor,
  writeCounts,
  type World,
} from './worker-kit.ts';

/** A promise someone else resolves. */
function gate(): { promise: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

let world: World | undefined;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
  await world?.close();
  world = undefined;
});

async function waitFor(condition: () => boolean, timeoutMs = 8000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('worker scheduling and operations', () => {
  it("never runs two ticks at once: a call during a tick gets that tick's result", async () => {
    world = await startWorld();
    const worker = workerFor(world);
    const [a, b] = await Promise.all([worker.tick(), worker.tick()]);
    expect(b).toBe(a);
    expect(a.submitted).toBe(7);
    expect(worker.metrics.status().ticks).toBe(1);
  });

  it('ticks on its cron schedule and, when stopped, waits for the running tick and ticks no more', async () => {
    world = await startWorld();
    const worker = testWorker(
      {
        CHARTBILL_WORKER_CONCURRENCY: '1',
        CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0',
        CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
        CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
        CHARTBILL_WORKER_MAX_ATTEMPTS: '3',
      },
      {
        clinical: world.fhir,
        billing: world.fhir,
        payer: createFhirPayerAdapter({ baseUrl: world.payer.fhirBase }),
        codes: starterCodeSet(),
        ledger: createMemoryLedger(),
        logger,
      },
    );
    worker.start();
    cleanups.push(() => worker.stop());
    await waitFor(() => worker.metrics.status().ticks >= 1);
    await worker.stop();
    const ticks = worker.metrics.status().ticks;
    expect(worker.metrics.status().running).toBe(false);
    await new Promise((r) => setTimeout(r, 1500));
    expect(worker.metrics.status().ticks).toBe(ticks);
    expect((await all(world.fhir, 'ClaimResponse')).length).toBe(7);
  });

  it("shows a long tick's progress on /metrics while it runs, not only when it ends", async () => {
    world = await startWorld();
    const payer = createFhirPayerAdapter({ baseUrl: world.payer.fhirBase });
    // The payer holds the fourth submission until the test has looked at /metrics.
    let submissions = 0;
    const held = gate();
    const atFourth = gate();
    const worker = testWorker(
      {
        CHARTBILL_WORKER_CONCURRENCY: '1',
        CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0',
        CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
        CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
        CHARTBILL_WORKER_RECHECK_MINUTES: '1',
        CHARTBILL_WORKER_MAX_ATTEMPTS: '3',
      },
      {
        clinical: world.fhir,
        billing: world.fhir,
        codes: starterCodeSet(),
        ledger: createMemoryLedger(),
        logger,
        payer: {
          ...payer,
          async submitClaim(bundle) {
            if (++submissions === 4) {
              atFourth.open();
              await held.promise;
            }
            return payer.submitClaim(bundle);
          },
        },
      },
    );
    const health = await startHealthServer({ metrics: worker.metrics, logger, port: 0 });
    cleanups.push(() => health.close());
    const ticking = worker.tick();
    await atFourth.promise;
    const during = await (await fetch(`${health.url}/metrics`)).text();
    held.open();
    await ticking;
    const after = await (await fetch(`${health.url}/metrics`)).text();
    expect(during).toContain('chartbill_worker_claims_submitted_total 3\n');
    expect(after).toContain('chartbill_worker_claims_submitted_total 7\n');
  });

  it('serves health and Prometheus metrics, and reports a tick that failed as a whole', async () => {
    world = await startWorld();
    const worker = workerFor(world);
    const health = await startHealthServer({ metrics: worker.metrics, logger, port: 0 });
    cleanups.push(() => health.close());
    const starting = await fetch(`${health.url}/healthz`);
    expect(starting.status).toBe(200);
    expect(await starting.json()).toMatchObject({ status: 'starting', ticks: 0 });

    await worker.tick();
    const ok = await fetch(`${health.url}/healthz`);
    expect(await ok.json()).toMatchObject({
      status: 'ok',
      ticks: 1,
      lastTickAt: expect.any(String) as unknown,
    });
    const metrics = await fetch(`${health.url}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toContain('chartbill_worker_claims_submitted_total 7');
    expect(text).toContain('chartbill_worker_claims_denied_total 2');
    expect(text).toContain('chartbill_worker_backlog 2');
    expect(text).toMatch(/chartbill_worker_tick_duration_seconds_count 1\n/);
    expect(Number(/^process_resident_memory_bytes (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(
      10_000_000,
    );
    expect(Number(/^nodejs_heap_size_used_bytes (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(
      1_000_000,
    );
    // Per V8 space, so an operator can tell the young generation from the old.
    expect(
      Number(/^nodejs_heap_space_size_total_bytes\{space="new"\} (\d+)$/m.exec(text)?.[1]),
    ).toBeGreaterThan(0);
    expect(
      Number(/^nodejs_heap_space_size_used_bytes\{space="old"\} (\d+)$/m.exec(text)?.[1]),
    ).toBeGreaterThan(1_000_000);

    const blind = testWorker(
      {
        CHARTBILL_WORKER_CONCURRENCY: '1',
        CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0',
        CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
        CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
        CHARTBILL_WORKER_MAX_ATTEMPTS: '1',
      },
      {
        clinical: createFhirGateway({ baseUrl: await deadUrl(), retry: { attempts: 1 } }),
        billing: world.fhir,
        payer: createFhirPayerAdapter({ baseUrl: world.payer.fhirBase }),
        codes: starterCodeSet(),
        ledger: createMemoryLedger(),
        logger,
      },
    );
    const blindHealth = await startHealthServer({ metrics: blind.metrics, logger, port: 0 });
    cleanups.push(() => blindHealth.close());
    await expect(blind.tick()).rejects.toThrow(/FHIR server did not answer/);
    const failing = await fetch(`${blindHealth.url}/healthz`);
    expect(failing.status).toBe(503);
    expect(await failing.json()).toMatchObject({ status: 'failing' });
  });

  it('remembers its progress in the ledger file across a restart', async () => {
    world = await startWorld();
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-worker-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'ledger.json');
    await workerFor(world, { ledger: await openFileLedger(path) }).tick();
    const before = await writeCounts(world.fhir);

    const restarted = await workerFor(world, { ledger: await openFileLedger(path) }).tick();
    expect(restarted).toMatchObject({ submitted: 0, held: 0, failed: 0 });
    expect(restarted.skipped).toBeGreaterThanOrEqual(9);
    expect(await writeCounts(world.fhir)).toEqual(before);
  });
});
