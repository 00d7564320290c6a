import type { ChargeItem, Claim, ClaimResponse, Coverage, Encounter } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import {
  addEncounterWithUnknownCode,
  all,
  deadUrl,
  claimsOf,
  startWorld,
  tasksOf,
  workerFor,
  type World,
  testClock,
  MINUTE,
} from './worker-kit.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('worker recovery', () => {
  it('records encounters that fail while the payer is down and submits them once it is back', async () => {
    world = await startWorld();
    const ledger = createMemoryLedger();
    const clock = testClock();
    const down = workerFor(world, { ledger, payerBase: await deadUrl(), now: clock.now });

    const outage = await down.tick();
    expect(outage).toMatchObject({ failed: 8, held: 1, submitted: 0 });
    expect(await all(world.fhir, 'Claim')).toHaveLength(0);
    const failed = await ledger.listItems({ stages: ['failed'] });
    expect(failed).toHaveLength(8);
    expect(failed[0]).toMatchObject({
      attempts: 1,
      lastError: expect.stringContaining('PAYER_UNAVAILABLE') as unknown,
    });
    expect(Date.parse(failed[0]?.nextAttemptAt ?? '')).toBeGreaterThan(clock.now().getTime());

    clock.advance(MINUTE);
    const back = workerFor(world, { ledger, now: clock.now });
    const recovered = await back.tick();
    expect(recovered).toMatchObject({ retries: 8, submitted: 7, failed: 0, held: 1 });
    for (const id of SEED_SCENARIOS.clean)
      expect(await claimsOf(world.fhir, id), id).toHaveLength(1);
  });

  it('gives an encounter up with a work item saying why, keeps it in the backlog, and tries it again a day later', async () => {
    world = await startWorld();
    const ledger = createMemoryLedger();
    const clock = testClock();
    const down = workerFor(world, { ledger, payerBase: await deadUrl(), now: clock.now });
    for (let attempt = 0; attempt < 3; attempt++) {
      await down.tick();
      clock.advance(10 * MINUTE);
    }
    const id = SEED_SCENARIOS.clean[0];
    const item = await ledger.getItem(`Encounter/${id}`);
    expect(item).toMatchObject({ stage: 'gave-up', attempts: 3, reason: 'worker-gave-up' });
    expect(Date.parse(item?.nextAttemptAt ?? '')).toBeGreaterThan(
      clock.now().getTime() + 20 * 60 * MINUTE,
    );
    const [task] = (await tasksOf(world.fhir, id)).filter(
      (t) => t.code?.coding?.[0]?.code === 'worker-gave-up',
    );
    expect(task?.status).toBe('requested');
    expect(task?.description).toContain('The payer (or clearinghouse) did not answer');
    expect(task?.description).toContain(`chartbill worker retry Encounter/${id}`);
    const gauge = (name: string) =>
      Number(new RegExp(`^chartbill_worker_${name} (\\d+)$`, 'm').exec(down.metrics.render())?.[1]);
    const gaveUp = (await ledger.listItems({ stages: ['gave-up'] })).length;
    expect(gaveUp).toBeGreaterThan(1);
    expect(gauge('gave_up')).toBe(gaveUp);
    expect(gauge('backlog')).toBeGreaterThanOrEqual(gaveUp);
    expect((await down.tick()).failed).toBe(0);

    // A day later, with the payer back, it goes out, and the work item is closed.
    clock.advance(25 * 60 * MINUTE);
    const back = workerFor(world, { ledger, now: clock.now });
    await back.tick();
    expect(await ledger.getItem(`Encounter/${id}`)).toMatchObject({ stage: 'answered' });
    expect(await claimsOf(world.fhir, id)).toHaveLength(1);
    const closed = (await tasksOf(world.fhir, id)).filter(
      (t) => t.code?.coding?.[0]?.code === 'worker-gave-up',
    );
    expect(closed.map((t) => t.status)).toEqual(['completed']);
  });

  it('submits a held encounter once billing staff add the coverage, and closes the work item', async () => {
    world = await startWorld();
    const ledger = createMemoryLedger();
    const clock = testClock();
    const worker = workerFor(world, { ledger, now: clock.now });
    await worker.tick();
    expect(await claimsOf(world.fhir, SEED_SCENARIOS.noCoverage)).toHaveLength(0);

    await world.fhir.create<Coverage>({
      resourceType: 'Coverage',
      status: 'active',
      beneficiary: { reference: 'Patient/pat-21' },
      subscriberId: 'SBX7000021',
      payor: [{ reference: 'Organization/org-payer' }],
      period: { start: '2020-01-01' },
      costToBeneficiary: [
        {
          type: { coding: [{ system: SYSTEM.copayType, code: 'gpvisit' }] },
          valueMoney: { value: 25, currency: 'USD' },
        },
      ],
    });
    clock.advance(16 * MINUTE);
    const summary = await worker.tick();
    expect(summary.submitted).toBe(1);
    const [claim] = await claimsOf(world.fhir, SEED_SCENARIOS.noCoverage);
    expect(claim?.status).toBe('active');
    const answers = (await all<ClaimResponse>(world.fhir, 'ClaimResponse')).filter(
      (r) => r.request?.reference === `Claim/${claim?.id ?? ''}`,
    );
    expect(answers.map((a) => a.outcome)).toEqual(['complete']);
    expect((await tasksOf(world.fhir, SEED_SCENARIOS.noCoverage)).map((t) => t.status)).toEqual([
      'completed',
    ]);
  });

  it('submits the draft claim once the coding is corrected, without making a second claim', async () => {
    world = await startWorld();
    const ledger = createMemoryLedger();
    const clock = testClock();
    const encounterId = await addEncounterWithUnknownCode(world.fhir);
    const worker = workerFor(world, { ledger, now: clock.now });
    await worker.tick();
    const [draft] = await claimsOf(world.fhir, encounterId);
    expect(draft?.status).toBe('draft');

    const [charge] = await all<ChargeItem>(world.fhir, 'ChargeItem', {
      context: `Encounter/${encounterId}`,
    });
    if (!charge) throw new Error('the test encounter has no ChargeItem');
    await world.fhir.update<ChargeItem>({
      ...charge,
      code: { coding: [{ system: SYSTEM.cpt, code: '99213' }] },
    });
    clock.advance(16 * MINUTE);
    await worker.tick();

    const claims = await claimsOf(world.fhir, encounterId);
    expect(claims.map((c) => [c.id, c.status])).toEqual([[draft?.id, 'active']]);
    expect(claims[0]?.item?.[0]?.productOrService.coding?.[0]?.code).toBe('99213');
    const answers = (await all<ClaimResponse>(world.fhir, 'ClaimResponse')).filter(
      (r) => r.request?.reference === `Claim/${draft?.id ?? ''}`,
    );
    expect(answers).toHaveLength(1);
    expect(
      (await tasksOf(world.fhir, encounterId)).map((t) => [t.code?.coding?.[0]?.code, t.status]),
    ).toEqual([['claim-scrub-errors', 'completed']]);
  });

  it('scrubs a draft claim billing staff edited as they left it, and submits it once clean, without rebuilding it from the chart', async () => {
    const w = await startWorld();
    world = w;
    const encounterId = await addEncounterWithUnknownCode(w.fhir);
    const worker = workerFor(w, { ledger: createMemoryLedger() });
    await worker.tick();
    const withCode = async (code: string) => {
      const [claim] = await claimsOf(w.fhir, encounterId);
      if (!claim?.item) throw new Error('no draft claim');
      await w.fhir.update<Claim>({
        ...claim,
        item: claim.item.map((i) => ({
          ...i,
          productOrService: { coding: [{ system: SYSTEM.cpt, code }] },
        })),
      });
    };

    // An edit that is still wrong: the draft stays as the staff left it (no clock advance: only the claim's change makes it due).
    await withCode('99998');
    await worker.tick();
    let claims = await claimsOf(world.fhir, encounterId);
    expect(claims.map((c) => [c.status, c.item?.[0]?.productOrService.coding?.[0]?.code])).toEqual([
      ['draft', '99998'],
    ]);

    await withCode('99213');
    const summary = await worker.tick();
    expect(summary.submitted).toBe(1);
    claims = await claimsOf(world.fhir, encounterId);
    expect(claims.map((c) => [c.status, c.item?.[0]?.productOrService.coding?.[0]?.code])).toEqual([
      ['active', '99213'],
    ]);
    // The chart still says 99999: the claim that went out is the one billing staff corrected.
    const [charge] = await all<ChargeItem>(world.fhir, 'ChargeItem', {
      context: `Encounter/${encounterId}`,
    });
    expect(charge?.code.coding?.[0]?.code).toBe('99999');
    const answers = (await all<ClaimResponse>(world.fhir, 'ClaimResponse')).filter(
      (r) => r.request?.reference === `Claim/${claims[0]?.id ?? ''}`,
    );
    expect(answers).toHaveLength(1);
    expect(world.payer.audit().submits[`${SYSTEM.claimId}|enc-${encounterId}`]).toBe(1);
    expect(
      (await tasksOf(world.fhir, encounterId)).map((t) => [t.code?.coding?.[0]?.code, t.status]),
    ).toEqual([['claim-scrub-errors', 'completed']]);
  });

  it('asks billing staff to code an encounter that finished without signed charges', async () => {
    world = await startWorld();
    const start = new Date(Date.now() - 86_400_000).toISOString();
    const { resource: encounter } = await world.fhir.create<Encounter>({
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: SYSTEM.actCode, code: 'AMB' },
      subject: { reference: 'Patient/pat-14' },
      period: { start, end: start },
      serviceProvider: { reference: 'Organization/org-billing' },
    });
    await world.fhir.create<ChargeItem>({
      resourceType: 'ChargeItem',
      status: 'planned',
      subject: { reference: 'Patient/pat-14' },
      context: { reference: `Encounter/${encounter.id ?? ''}` },
      code: { coding: [{ system: SYSTEM.cpt, code: '99213' }] },
    });
    await workerFor(world).tick();
    const tasks = await tasksOf(world.fhir, encounter.id ?? '');
    expect(tasks.map((t) => t.code?.coding?.[0]?.code)).toEqual(['not-coded']);
    expect(tasks[0]?.description).toContain('without signed charges');
    expect(await claimsOf(world.fhir, encounter.id ?? '')).toHaveLength(0);
  });
});
