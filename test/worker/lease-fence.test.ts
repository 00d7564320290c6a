import { afterEach, describe, expect, it } from 'vitest';
import { claimIdentifierFor } from '../../src/claims/build-claim.ts';
import type { Ledger } from '../../worker/ledger/ledger.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { seedCodedEncounters } from './seed-encounters.ts';
import { startWorld, workerFor, type World } from './worker-kit.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/**
 * A ledger on which another worker takes one encounter's lease right after this worker took it,
 * as happens when a busy worker's renewals stall past the lease's time and a second worker takes
 * the encounter over. A fault a single process cannot otherwise cause on cue.
 */
function leaseTakenOver(ledger: Ledger, encounter: string): Ledger {
  let taken = false;
  return {
    ...ledger,
    async acquireLease(ref, owner, ttlMs) {
      const lease = await ledger.acquireLease(ref, owner, ttlMs);
      if (ref === encounter && lease.acquired && !taken) {
        taken = true;
        await ledger.releaseLease(ref, owner);
        await ledger.acquireLease(ref, 'another-worker', 60_000);
      }
      return lease;
    },
  };
}

describe('a worker whose lease was taken over', () => {
  it('sends nothing and records nothing for that encounter, and goes on with the others', async () => {
    world = await startWorld({ strict: true });
    const [target, other] = await seedCodedEncounters(world.fhir, 2, 'fence');
    if (!target || !other) throw new Error('seeding failed');
    const memory = createMemoryLedger();
    const worker = workerFor(world, { ledger: leaseTakenOver(memory, `Encounter/${target}`) });

    await worker.tick();

    const submits = world.payer.audit().submits;
    const key = (id: string) =>
      `${claimIdentifierFor(id).system ?? ''}|${claimIdentifierFor(id).value ?? ''}`;
    expect(submits[key(target)] ?? 0).toBe(0);
    expect(submits[key(other)]).toBe(1);
    // The other worker decides for the encounter: this one wrote no state over its lease.
    expect((await memory.getItem(`Encounter/${target}`))?.stage ?? 'pending').toBe('pending');
    expect(await memory.getItem(`Encounter/${other}`)).toMatchObject({ stage: 'answered' });
  });
});
