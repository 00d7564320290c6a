import type { ClaimResponse } from 'fhir/r4';
import { testWorker } from '../worker/test-worker.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import type { Worker } from '../../worker/runtime/build-worker.ts';
import { openPostgresLedger } from '../../worker/ledger/postgres-ledger.ts';
import { all, logger, startWorld } from '../worker/worker-kit.ts';
import { dropSchema, freshSchemaName, PG_URL } from '../worker/pg-kit.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import { startFaultProxy } from './fault-proxy.ts';
import { startTcpProxy } from './tcp-proxy.ts';
import { expectOnceEach, SEEDED_SUBMITTED } from './exactly-once.ts';

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function waitUntil(done: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('PostgreSQL cut off and restarted under four workers', () => {
  it('sends each claim once: a tick waits for all its lanes and never re-enters an encounter another tick holds', async () => {
    const world = await startWorld({ strict: true });
    cleanup.push(() => world.close());
    const extra = await seedCodedEncounters(world.fhir, 40, 'pgblip');
    const expected = [...extra, ...SEEDED_SUBMITTED];
    // A payer across a network, so that lanes are out when the database goes away.
    const payer = await startFaultProxy({
      target: world.payer.url,
      choose: () => 'pass',
      latencyMs: 150,
    });
    cleanup.push(() => payer.close());
    const database = await startTcpProxy({
      host: '127.0.0.1',
      port: Number(new URL(PG_URL).port || 5432),
    });
    cleanup.push(() => database.close());
    const schema = freshSchemaName();
    cleanup.push(() => dropSchema(schema));
    const url = new URL(PG_URL);
    url.port = String(database.port);

    const workers: Worker[] = [];
    for (let n = 0; n < 4; n++) {
      const ledger = await openPostgresLedger({ url: url.toString(), schema, poolSize: 4 });
      cleanup.push(() => ledger.close());
      const worker = testWorker(
        {
          CHARTBILL_WORKER_CONCURRENCY: '4',
          CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0',
          CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
          CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
          CHARTBILL_WORKER_MAX_ATTEMPTS: '50',
          CHARTBILL_WORKER_RETRY_BASE_SECONDS: '0.05',
          CHARTBILL_WORKER_LEASE_SECONDS: '5',
          CHARTBILL_WORKER_ID: `pg-worker-${String(n)}`,
        },
        {
          clinical: world.fhir,
          billing: world.fhir,
          ledger,
          logger,
          codes: starterCodeSet(),
          payer: createFhirPayerAdapter({
            baseUrl: `${payer.origin}/fhir`,
            retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 40, timeoutMs: 5000 },
          }),
        },
      );
      workers.push(worker);
      cleanup.push(() => worker.stop());
    }
    for (const worker of workers) worker.start();

    // Three outages while claims are going out, each a second or so, as a fast restart.
    const adjudicated = () => Object.keys(world.payer.audit().adjudicated).length;
    for (const mark of [5, 15, 25]) {
      expect(await waitUntil(() => adjudicated() >= mark, 90_000)).toBe(true);
      database.down();
      const refusedFrom = database.connections();
      // Down until the workers have tried to reconnect and been refused.
      await waitUntil(() => database.connections() >= refusedFrom + 4, 10_000);
      database.up();
    }
    const answers = async () =>
      (await all<ClaimResponse>(world.fhir, 'ClaimResponse')).filter((r) => r.outcome !== 'queued')
        .length;
    expect(
      await waitUntil(
        async () => adjudicated() >= expected.length && (await answers()) >= expected.length,
        150_000,
      ),
    ).toBe(true);
    await Promise.all(workers.map((w) => w.stop()));

    const audit = world.payer.audit();
    await expectOnceEach(world.fhir, audit, expected);
    expect(audit.duplicates).toEqual({});
  }, 300_000);
});
