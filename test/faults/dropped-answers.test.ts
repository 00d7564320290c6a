import { testWorker } from '../worker/test-worker.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { logger, startWorld, type World } from '../worker/worker-kit.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import { seededRandom, startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { expectOnceEach, SEEDED_SUBMITTED } from './exactly-once.ts';

let world: World | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await world?.close();
  world = undefined;
  proxy = undefined;
});

/**
 * The proxy forwards each `Claim/$submit` to the payer, which adjudicates it, and then drops the
 * answer (the connection is reset) at the given rate: the worker cannot know the claim arrived.
 */
async function runWithDroppedSubmitAnswers(rate: number): Promise<void> {
  world = await startWorld({ strict: true });
  const extra = await seedCodedEncounters(world.fhir, 12, `drop${String(rate * 100)}`);
  const random = seededRandom(42);
  proxy = await startFaultProxy({
    target: world.payer.url,
    choose: (_n, req) =>
      req.url?.endsWith('/Claim/$submit') && random() < rate ? 'reset-after' : 'pass',
  });
  const ledger = createMemoryLedger();
  const worker = testWorker(
    {
      CHARTBILL_WORKER_CONCURRENCY: '4',
      CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0',
      CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
      CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
      CHARTBILL_WORKER_MAX_ATTEMPTS: '20',
      CHARTBILL_WORKER_RETRY_BASE_SECONDS: '0.001',
    },
    {
      clinical: world.fhir,
      billing: world.fhir,
      ledger,
      logger,
      codes: starterCodeSet(),
      payer: createFhirPayerAdapter({
        baseUrl: `${proxy.origin}/fhir`,
        retry: { attempts: 5, baseDelayMs: 5, maxDelayMs: 40, timeoutMs: 5000 },
      }),
    },
  );
  const expected = [...extra, ...SEEDED_SUBMITTED];
  for (let tick = 0; tick < 40; tick++) {
    await worker.tick().catch(() => undefined);
    if ((await ledger.listItems({ stages: ['answered'] })).length >= expected.length) break;
  }

  expect(proxy.counts()['reset-after']).toBeGreaterThan(0);
  const audit = world.payer.audit();
  await expectOnceEach(world.fhir, audit, expected);
  expect(audit.duplicates).toEqual({});
  expect(await ledger.listItems({ stages: ['failed', 'gave-up'] })).toEqual([]);
}

describe('answers to Claim/$submit lost on the way back', () => {
  it('sends each claim once and takes its answer from a status inquiry when 10% of the answers are dropped', async () => {
    await runWithDroppedSubmitAnswers(0.1);
  }, 120_000);

  it('sends each claim once and takes its answer from a status inquiry when every answer is dropped', async () => {
    await runWithDroppedSubmitAnswers(1);
  }, 120_000);
});
