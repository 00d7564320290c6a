import type { Claim, ClaimResponse, Task } from 'fhir/r4';
import { testWorker } from '../worker/test-worker.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { workerCommand } from '../../cli/worker-command.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { all, logger, startWorld, type World } from '../worker/worker-kit.ts';
import { PG_URL, postgresLedgers } from '../worker/pg-kit.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import { startFaultProxy } from './fault-proxy.ts';
import { SEEDED_SUBMITTED } from './exactly-once.ts';

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** Runs ticks until `done` holds; false after `max` ticks. */
async function tickUntil(
  tick: () => Promise<unknown>,
  done: () => Promise<boolean>,
  max = 60,
): Promise<boolean> {
  for (let n = 0; n < max; n++) {
    await tick().catch(() => undefined);
    if (await done()) return true;
  }
  return false;
}

describe('a payer outage longer than the retry budget', () => {
  it('gives up with a Task per encounter and a gauge, waits, and sends each claim once when released with chartbill worker retry', async () => {
    const world: World = await startWorld({ strict: true });
    cleanup.push(() => world.close());
    const pg = postgresLedgers();
    cleanup.push(pg.cleanup);
    const extra = await seedCodedEncounters(world.fhir, 8, 'outage');
    let down = true;
    const proxy = await startFaultProxy({
      target: world.payer.url,
      choose: () => (down ? 'status-503' : 'pass'),
    });
    cleanup.push(() => proxy.close());
    const ledger = await pg.open();
    const worker = testWorker(
      {
        CHARTBILL_WORKER_CONCURRENCY: '4',
        CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0',
        CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
        CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
        CHARTBILL_WORKER_MAX_ATTEMPTS: '2',
        CHARTBILL_WORKER_RETRY_BASE_SECONDS: '0.001',
        CHARTBILL_WORKER_GAVE_UP_RETRY_HOURS: '1',
      },
      {
        clinical: world.fhir,
        billing: world.fhir,
        ledger,
        logger,
        codes: starterCodeSet(),
        payer: createFhirPayerAdapter({
          baseUrl: `${proxy.origin}/fhir`,
          retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5000 },
        }),
      },
    );
    const expected = [...extra, ...SEEDED_SUBMITTED];
    const gaveUp = async () =>
      (await ledger.listItems({ stages: ['gave-up'] })).map((i) => i.encounter);
    expect(
      await tickUntil(
        () => worker.tick(),
        async () => (await gaveUp()).length >= expected.length,
      ),
    ).toBe(true);

    // Visible: a Task per encounter saying what failed and what to do, a gauge, the backlog.
    const tasks = (await all<Task>(world.fhir, 'Task')).filter(
      (t) => t.code?.coding?.[0]?.code === 'worker-gave-up',
    );
    for (const id of expected) {
      const mine = tasks.filter((t) => t.encounter?.reference === `Encounter/${id}`);
      expect(
        mine.map((t) => t.status),
        id,
      ).toEqual(['requested']);
      expect(mine[0]?.description, id).toContain('did not answer');
    }
    const gauge = (name: string) =>
      Number(
        new RegExp(`^chartbill_worker_${name} (\\d+)$`, 'm').exec(worker.metrics.render())?.[1],
      );
    const given = await gaveUp();
    expect(given).toEqual(expect.arrayContaining(expected.map((id) => `Encounter/${id}`)));
    expect(gauge('gave_up')).toBe(given.length);
    expect(gauge('backlog')).toBeGreaterThanOrEqual(given.length);

    // The payer is back, but given-up items wait (an hour here): nothing is sent by itself yet.
    down = false;
    await worker.tick();
    expect(world.payer.audit().submits).toEqual({});

    const env = { CHARTBILL_LEDGER_URL: PG_URL, CHARTBILL_LEDGER_SCHEMA: pg.schema };
    const [first = '', ...rest] = expected;
    expect(await workerCommand(['retry', first], env)).toBe(0);
    await worker.tick();
    expect(await ledger.getItem(`Encounter/${first}`)).toMatchObject({ stage: 'answered' });
    expect(Object.keys(world.payer.audit().submits)).toEqual([`${SYSTEM.claimId}|enc-${first}`]);
    expect(await workerCommand(['retry', '--all-gave-up'], env)).toBe(0);
    expect(
      await tickUntil(
        () => worker.tick(),
        async () =>
          (await ledger.listItems({ stages: ['failed', 'gave-up', 'submitting'] })).length === 0,
      ),
    ).toBe(true);

    const audit = world.payer.audit();
    const claims = await all<Claim>(world.fhir, 'Claim');
    const answers = await all<ClaimResponse>(world.fhir, 'ClaimResponse');
    const closed = (await all<Task>(world.fhir, 'Task')).filter(
      (t) => t.code?.coding?.[0]?.code === 'worker-gave-up',
    );
    for (const id of [first, ...rest]) {
      const mine = claims.filter((c) => c.identifier?.[0]?.value === `enc-${id}`);
      expect(mine, id).toHaveLength(1);
      expect(audit.submits[`${SYSTEM.claimId}|enc-${id}`], id).toBe(1);
      expect(
        answers
          .filter((r) => r.request?.reference === `Claim/${mine[0]?.id ?? ''}`)
          .map((r) => r.outcome === 'queued'),
        id,
      ).toEqual([false]);
      expect(
        closed.filter((t) => t.encounter?.reference === `Encounter/${id}`).map((t) => t.status),
        id,
      ).toEqual(['completed']);
    }
    expect(audit.duplicates).toEqual({});
  }, 180_000);
});
