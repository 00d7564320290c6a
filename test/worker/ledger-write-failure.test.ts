import { afterEach, describe, expect, it } from 'vitest';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import type { Ledger } from '../../worker/ledger/ledger.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { ENCOUNTER_CURSOR } from '../../worker/pipeline/stages/find-work.ts';
import { seedCodedEncounters } from './seed-encounters.ts';
import { MINUTE, startWorld, tasksOf, testClock, workerFor, type World } from './worker-kit.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** The ledger with the next `failures` writes of one encounter's state refused, as a full disk or a dropped connection does. */
function failingWrites(ledger: Ledger, encounter: string, failures: number): Ledger {
  let left = failures;
  return {
    ...ledger,
    putItem(item) {
      if (item.encounter === encounter && left > 0) {
        left -= 1;
        return Promise.reject(new Error('write refused'));
      }
      return ledger.putItem(item);
    },
  };
}

describe('a ledger write that fails', () => {
  it('loses no encounter: the cursor stays before it and it is taken again once its lease runs out', async () => {
    world = await startWorld();
    const clock = testClock();
    const memory = createMemoryLedger({ now: () => clock.now().getTime() });
    const target = `Encounter/${SEED_SCENARIOS.noCoverage}`;
    const ledger = failingWrites(memory, target, 1);
    const worker = workerFor(world, { ledger, now: clock.now, leaseMs: 60_000 });
    // An encounter finished after it: a cursor moved past everything found would skip the first.
    await seedCodedEncounters(world.fhir, 1, 'later');

    const first = await worker.tick();
    expect(first.held).toBeGreaterThan(0);
    expect(await memory.getItem(target)).toBeUndefined();
    const cursor = await memory.getCursor(ENCOUNTER_CURSOR);
    const encounter = await world.fhir.read('Encounter', SEED_SCENARIOS.noCoverage);
    expect(Date.parse(cursor ?? '')).toBeLessThanOrEqual(
      Date.parse(encounter.meta?.lastUpdated ?? ''),
    );

    // Past the overlap the search re-reads and past the lease: the encounter comes back.
    clock.advance(3 * MINUTE);
    await worker.tick();
    expect(await memory.getItem(target)).toMatchObject({ stage: 'held', reason: 'no-coverage' });
    expect(await tasksOf(world.fhir, SEED_SCENARIOS.noCoverage)).toHaveLength(1);
  });
});
