import type { ChargeItem, Claim, ClaimResponse, Encounter, Task } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { EXT, SYSTEM, SYSTEM_CLAIM_FREQUENCY } from '../../src/fhir/systems.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import {
  all,
  claimsOf,
  renewCoverage,
  tasksOf,
  startWorld,
  workerFor,
  type World,
  testClock,
  MINUTE,
} from './worker-kit.ts';
import { seedCodedEncounters } from './seed-encounters.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function answersOf(world: World, claim: Claim | undefined): Promise<ClaimResponse[]> {
  return (await all<ClaimResponse>(world.fhir, 'ClaimResponse')).filter(
    (r) => r.request?.reference === `Claim/${claim?.id ?? ''}`,
  );
}

describe('queued answers', () => {
  it('follows a queued claim with status inquiries until the final answer, never resubmitting it', async () => {
    world = await startWorld({ queueClaimsOver: 0, queuedPolls: 2 });
    const ledger = createMemoryLedger();
    const clock = testClock();
    const worker = workerFor(world, { ledger, now: clock.now, pollMs: 5 * MINUTE });
    const [id] = SEED_SCENARIOS.clean;

    await worker.tick();
    const [claim] = await claimsOf(world.fhir, id);
    expect((await answersOf(world, claim)).map((r) => r.outcome)).toEqual(['queued']);
    expect(await ledger.getItem(`Encounter/${id}`)).toMatchObject({
      stage: 'submitted',
      outcome: 'queued',
    });

    clock.advance(6 * MINUTE);
    await worker.tick();
    expect((await answersOf(world, claim)).map((r) => r.outcome)).toEqual(['queued']);
    clock.advance(6 * MINUTE);
    await worker.tick();

    const answers = await answersOf(world, claim);
    expect(answers.map((r) => r.outcome)).toEqual(['complete']);
    expect(answers[0]?.payment?.amount.value ?? 0).toBeGreaterThan(0);
    expect(await ledger.getItem(`Encounter/${id}`)).toMatchObject({
      stage: 'answered',
      outcome: 'complete',
    });
    const audit = world.payer.audit();
    expect(Object.values(audit.submits).every((n) => n === 1)).toBe(true);
    expect(audit.inquiries).toBe(14);
    // The timely-filing denial became a work item once its answer was final.
    expect(
      (await tasksOf(world.fhir, SEED_SCENARIOS.timelyFiling)).map(
        (t) => t.code?.coding?.[0]?.code,
      ),
    ).toEqual(['claim-denied']);
  });
});

describe('changes since the cursor', () => {
  it('releases a claim held for lapsed coverage as soon as billing staff fix the coverage', async () => {
    world = await startWorld();
    const ledger = createMemoryLedger();
    const worker = workerFor(world, { ledger });
    await worker.tick();
    expect(await claimsOf(world.fhir, SEED_SCENARIOS.lapsedCoverage)).toHaveLength(0);

    await renewCoverage(world.fhir, 'Patient/pat-19');
    // No clock change: the held item's recheck is not due; the changed Coverage makes it due.
    const summary = await worker.tick();
    expect(summary.submitted).toBe(1);
    const [claim] = await claimsOf(world.fhir, SEED_SCENARIOS.lapsedCoverage);
    expect((await answersOf(world, claim)).map((r) => r.outcome)).toEqual(['complete']);
    expect(
      (await tasksOf(world.fhir, SEED_SCENARIOS.lapsedCoverage)).map((t) => [
        t.code?.coding?.[0]?.code,
        t.status,
      ]),
    ).toEqual([['coverage-inactive', 'completed']]);
  });

  it('sends corrected coding after a denial as a replacement claim (frequency 7, related to the prior claim)', async () => {
    world = await startWorld();
    const ledger = createMemoryLedger();
    const worker = workerFor(world, { ledger });
    const id = SEED_SCENARIOS.notCovered;
    await worker.tick();
    const [original] = await claimsOf(world.fhir, id);
    const [first] = await answersOf(world, original);
    expect(first?.outcome).toBe('complete');

    const charges = await all<ChargeItem>(world.fhir, 'ChargeItem', { context: `Encounter/${id}` });
    const uncovered = charges.find((c) => c.code.coding?.[0]?.code === 'S9986');
    if (!uncovered) throw new Error('seed: enc-not-covered has no S9986 line');
    await world.fhir.update<ChargeItem>({
      ...uncovered,
      code: { coding: [{ system: SYSTEM.cpt, code: '36415' }] },
    });
    const summary = await worker.tick();
    expect(summary.submitted).toBe(1);

    const replacements = await all<Claim>(world.fhir, 'Claim', {
      identifier: `${SYSTEM.claimId}|enc-${id}-r1`,
    });
    expect(replacements).toHaveLength(1);
    const replacement = replacements[0];
    expect(replacement?.related?.[0]).toMatchObject({
      claim: { reference: `Claim/${original?.id ?? ''}` },
      relationship: { coding: [{ code: 'prior' }] },
      reference: first?.identifier?.[0],
    });
    expect(replacement?.extension).toContainEqual({
      url: EXT.claimFrequency,
      valueCoding: {
        system: SYSTEM_CLAIM_FREQUENCY,
        code: '7',
        display: 'Replacement of Prior Claim',
      },
    });
    expect(replacement?.item?.map((i) => i.productOrService.coding?.[0]?.code)).toEqual([
      '99213',
      '36415',
    ]);
    expect((await answersOf(world, replacement)).map((r) => r.outcome)).toEqual(['complete']);
    expect(await claimsOf(world.fhir, id)).toHaveLength(1);
    const tasks = await all<Task>(world.fhir, 'Task', { encounter: `Encounter/${id}` });
    expect(tasks.map((t) => [t.code?.coding?.[0]?.code, t.status])).toEqual([
      ['claim-denied', 'completed'],
    ]);
    expect(await ledger.getItem(`Encounter/${id}`)).toMatchObject({
      stage: 'answered',
      outcome: 'complete',
      replacements: 1,
    });
    // Nothing more to do: a third tick submits nothing.
    expect((await worker.tick()).submitted).toBe(0);
  });
});

describe('idle ticks', () => {
  it('re-reads the minute before the cursor only while the cursor is recent, not on every idle tick after a burst', async () => {
    world = await startWorld();
    await seedCodedEncounters(world.fhir, 30, 'burst');
    const clock = testClock();
    const worker = workerFor(world, { now: clock.now });
    expect((await worker.tick()).submitted).toBe(37);
    // Right after the burst the overlap re-reads it (all found final and skipped)...
    expect((await worker.tick()).skipped).toBeGreaterThanOrEqual(30);
    // ...but once the cursor is older than the overlap, an idle tick reads from the cursor on.
    clock.advance(2 * MINUTE);
    const idle = await worker.tick();
    expect(idle.seen).toBe(0);
    // Only the encounters stamped at the cursor itself (`ge`) are read again: a batch writes
    // several in the same millisecond on a fast server, none of the burst before them.
    const finished = await all<Encounter>(world.fhir, 'Encounter', { status: 'finished' });
    const stamps = finished.map((e) => e.meta?.lastUpdated ?? '');
    const cursor = stamps.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
    const atCursor = stamps.filter((s) => Date.parse(s) === Date.parse(cursor)).length;
    expect(idle.skipped).toBe(atCursor);
    expect(idle.skipped).toBeLessThan(30);
  });
});

describe('eligibility reuse', () => {
  it("checks eligibility once for a patient's visits on the same day within the reuse window", async () => {
    world = await startWorld();
    const extra = await seedCodedEncounters(world.fhir, 3, 'sameday', new Date(), {
      patients: 1,
      days: 1,
    });
    await workerFor(world, { eligibilityReuseMs: 60 * MINUTE }).tick();
    for (const id of extra) expect(await claimsOf(world.fhir, id), id).toHaveLength(1);
    // 8 seeded encounters with coverage (8 patients) + 1 for the three same-day visits of pat-01,
    // + 7 for today's visits under way (enc-today-*, the patients with a coverage), checked early.
    expect(world.payer.audit().eligibilityChecks).toBe(9 + 7);
  });
});
