import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import { startWorld, workerFor, type World } from '../worker/worker-kit.ts';
import { fuzzBatch } from './fuzz-encounters.ts';
import { tallyFuzz } from './fuzz-tally.ts';
import { putAll } from './hostile-encounters.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('worker fuzz', () => {
  it('holds every odd or hostile record with a reason naming it, pays every good encounter beside them, and never stalls', async () => {
    world = await startWorld();
    const batch = fuzzBatch({
      prefix: 'fz',
      minOddEncounters: 80,
      minOddRecords: 300,
      seed: 20261205,
    });
    expect(batch.odd.length).toBeGreaterThanOrEqual(80);
    expect(batch.oddRecords).toBeGreaterThanOrEqual(300);
    expect(new Set(batch.odd.map((o) => o.family))).toEqual(new Set(['records', 'payer', 'edits']));
    const good = await seedCodedEncounters(world.fhir, 40, 'fz-good');
    await putAll(world.fhir, batch.resources);
    const ledger = createMemoryLedger();

    const summary = await workerFor(world, { ledger }).tick();

    expect(summary.failed).toBe(0);
    const tally = await tallyFuzz(world.fhir, world.payer.audit(), batch, good);
    expect(tally.problems).toEqual([]);
    expect(tally).toMatchObject({ held: batch.odd.length, paid: good.length, wronglyPaid: 0 });
    // Nothing left half-done: every encounter of the batch has its outcome in the ledger.
    const stages = await Promise.all(
      [...batch.odd.map((o) => o.encounterId), ...good].map(
        async (id) => (await ledger.getItem(`Encounter/${id}`))?.stage,
      ),
    );
    expect(new Set(stages)).toEqual(new Set(['held', 'answered']));
  }, 600_000);
});
