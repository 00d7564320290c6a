import type { Claim, ClaimResponse } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { all, startWorld, workerFor, type World } from './worker-kit.ts';
import { postgresLedgers } from './pg-kit.ts';
import { seedCodedEncounters } from './seed-encounters.ts';

let world: World | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await world?.close();
  world = undefined;
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

describe('two workers sharing a PostgreSQL ledger', () => {
  it('split the encounters between them: each gets exactly one claim, one submission and one answer', async () => {
    world = await startWorld();
    const pg = postgresLedgers();
    cleanups.push(pg.cleanup);
    const extra = await seedCodedEncounters(world.fhir, 40, 'pair');
    const first = workerFor(world, { ledger: await pg.open(), workerId: 'worker-a' });
    const second = workerFor(world, { ledger: await pg.open(), workerId: 'worker-b' });

    const [a, b] = await Promise.all([first.tick(), second.tick()]);
    // 40 extra + the seed's 7 submitted claims (5 clean, timely filing, not covered).
    expect(a.submitted + b.submitted).toBe(47);
    const submits = world.payer.audit().submits;
    const claims = await all<Claim>(world.fhir, 'Claim');
    const answers = await all<ClaimResponse>(world.fhir, 'ClaimResponse');
    for (const id of [...extra, ...SEED_SCENARIOS.clean]) {
      const mine = claims.filter((c) => c.identifier?.[0]?.value === `enc-${id}`);
      expect(mine, id).toHaveLength(1);
      expect(submits[`${SYSTEM.claimId}|enc-${id}`], id).toBe(1);
      expect(
        answers.filter((r) => r.request?.reference === `Claim/${mine[0]?.id ?? ''}`),
        id,
      ).toHaveLength(1);
    }
    // Nothing is left for either worker.
    const [again1, again2] = await Promise.all([first.tick(), second.tick()]);
    expect(again1.submitted + again2.submitted).toBe(0);
    expect(Object.values(world.payer.audit().submits).every((n) => n === 1)).toBe(true);
  });

  it('lets a second worker take over the encounters of a worker that died holding their leases', async () => {
    world = await startWorld();
    const pg = postgresLedgers();
    cleanups.push(pg.cleanup);
    const ledger = await pg.open();
    const survivor = workerFor(world, {
      ledger: await pg.open(),
      workerId: 'survivor',
      leaseMs: 60_000,
    });
    await survivor.tick();
    const [id = ''] = await seedCodedEncounters(world.fhir, 1, 'orphan');
    const { fhir } = world;
    const claimsOfOrphan = () => all(fhir, 'Claim', { identifier: `${SYSTEM.claimId}|enc-${id}` });
    // A worker that took the lease and died before recording anything.
    const taken = Date.now();
    expect((await ledger.acquireLease(`Encounter/${id}`, 'dead-worker', 1500)).acquired).toBe(true);

    const during = await survivor.tick();
    // Under heavy load the lease may have run out already; then only the take-over is checked.
    if (Date.now() - taken < 1400) {
      expect(during.skipped).toBeGreaterThanOrEqual(1);
      expect(await claimsOfOrphan()).toHaveLength(0);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, 1600 - (Date.now() - taken))));
    await survivor.tick();
    expect(await claimsOfOrphan()).toHaveLength(1);
    expect(world.payer.audit().submits[`${SYSTEM.claimId}|enc-${id}`]).toBe(1);
  });
});
