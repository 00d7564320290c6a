import { testWorker } from './test-worker.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { seedCodedEncounters } from './seed-encounters.ts';
import { logger, startWorld, type World } from './worker-kit.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** The schedule's beat: `*\/5 * * * * *`. */
const BEAT_MS = 5_000;

describe('an idle worker', () => {
  it('asks the server less and less often while nothing changes, and still picks up a change', async () => {
    world = await startWorld();
    const token = await world.ehr.issueSystemToken('system/*.cruds');
    let searches = 0;
    const fhir = createFhirGateway({
      baseUrl: world.ehr.fhirBase,
      getToken: () => Promise.resolve(token),
      onExchange: (e) => {
        if (e.interaction === 'search-type') searches += 1;
      },
    });
    // The backoff's own clock, moved by the test: one beat of the schedule at a time.
    let clock = 0;
    const worker = testWorker(
      {
        CHARTBILL_WORKER_CONCURRENCY: '1',
        CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0',
        CHARTBILL_WORKER_IDLE_MAX_SECONDS: '60',
        CHARTBILL_WORKER_MAX_ATTEMPTS: '3',
      },
      {
        clinical: fhir,
        billing: fhir,
        payer: createFhirPayerAdapter({ baseUrl: world.payer.fhirBase }),
        codes: starterCodeSet(),
        ledger: createMemoryLedger(),
        logger,
        clock: () => clock,
      },
    );
    expect((await worker.tick()).submitted).toBeGreaterThan(0);

    // 30 beats (2.5 minutes) with nothing new: without the backoff, 30 polls of 8 searches.
    searches = 0;
    let polls = 0;
    for (let beat = 0; beat < 30; beat++) {
      clock += BEAT_MS;
      if (await worker.poll()) polls += 1;
    }
    expect(polls).toBeLessThanOrEqual(10);
    // Eight searches a poll: finished Encounters, changed Coverage, ChargeItem and Condition, draft
    // Claims, the voids billing staff asked for (issue 17), and the visits under way and booked
    // whose eligibility is checked ahead (issue 15); the visits seen already are not checked again.
    expect(searches).toBeLessThanOrEqual(polls * 8);

    // A finished, coded encounter appears: found within the longest wait (a minute).
    await seedCodedEncounters(fhir, 1, 'late');
    let submitted = 0;
    for (let beat = 0; beat <= 60_000 / BEAT_MS && submitted === 0; beat++) {
      clock += BEAT_MS;
      submitted = (await worker.poll())?.submitted ?? 0;
    }
    expect(submitted).toBe(1);
    // Work found: the backoff starts over, and the next beat polls again.
    clock += BEAT_MS;
    expect(await worker.poll()).toBeDefined();
  });
});
