import type { CoverageEligibilityRequest } from 'fhir/r4';
import { testWorker } from '../worker/test-worker.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { loadWorkerConfig } from '../../worker/runtime/worker-config.ts';
import { all, logger, startWorld, type World } from '../worker/worker-kit.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { expectOnceEach, SEEDED_SUBMITTED } from './exactly-once.ts';

let world: World | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await world?.close();
  world = undefined;
  proxy = undefined;
});

/** Everything ten times faster than in production: a 3 s payer stands for a 30 s one. */
const SCALE = 10;

describe('a payer that takes 30 seconds to answer', () => {
  it('gets every claim, once, with one eligibility check per encounter, under the default timeouts', async () => {
    world = await startWorld({ strict: true });
    const extra = await seedCodedEncounters(world.fhir, 6, 'slow');
    // A real payer behind a slow link: every request reaches it 3 s late.
    proxy = await startFaultProxy({
      target: world.payer.url,
      choose: () => 'pass',
      latencyMs: 30_000 / SCALE,
    });
    const defaults = loadWorkerConfig({
      CHARTBILL_FHIR_BASE_URL: 'http://ehr.invalid/fhir',
      CHARTBILL_PAYER_BASE_URL: 'http://payer.invalid/fhir',
      CHARTBILL_CLIENT_ID: 'w',
      CHARTBILL_PRIVATE_KEY_FILE: 'k.json',
    });
    const ledger = createMemoryLedger();
    const worker = testWorker(
      {
        CHARTBILL_WORKER_CONCURRENCY: '8',
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
          retry: {
            attempts: defaults.http.attempts,
            baseDelayMs: 5,
            maxDelayMs: 40,
            timeoutMs: defaults.http.timeoutMs / SCALE,
          },
          timeouts: {
            eligibilityMs: defaults.payerTimeouts.eligibilityMs / SCALE,
            submitMs: defaults.payerTimeouts.submitMs / SCALE,
            inquireMs: defaults.payerTimeouts.inquireMs / SCALE,
          },
        }),
      },
    );
    const expected = [...extra, ...SEEDED_SUBMITTED];
    const end = Date.now() + 150_000;
    while (Date.now() < end) {
      await worker.tick().catch(() => undefined);
      if (
        (await ledger.listItems({ stages: ['failed', 'gave-up', 'submitting'] })).length === 0 &&
        (await ledger.listItems({ stages: ['answered'] })).length >= expected.length
      )
        break;
    }

    const audit = world.payer.audit();
    await expectOnceEach(world.fhir, audit, expected);
    // One eligibility request per encounter in the store (If-None-Exist), and the payer was asked once for each.
    expect(audit.eligibilityChecks).toBe(
      (await all<CoverageEligibilityRequest>(world.fhir, 'CoverageEligibilityRequest')).length,
    );
    expect(audit.duplicates).toEqual({});
  }, 240_000);
});
