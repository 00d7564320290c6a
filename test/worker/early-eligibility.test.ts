import type {
  CoverageEligibilityRequest,
  CoverageEligibilityResponse,
  Encounter,
  Identifier,
} from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import {
  appointmentEligibilityIdentifierFor,
  eligibilityIdentifierFor,
} from '../../src/claims/build-eligibility-request.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { sandboxNcciTables } from '../../src/ncci/sandbox-ncci.ts';
import { loadClaimDetail } from '../../smart-app/billing/load-claim-detail.ts';
import { loadStatus } from '../../smart-app/status/build-status.ts';
import { parseServerCapabilities } from '../../src/fhir/server-capabilities.ts';
import { startX12World } from '../x12/x12-worker-kit.ts';
import { identifierToken } from '../../src/fhir/identifier-query.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import {
  all,
  claimsOf,
  renewCoverage,
  codeEncounter,
  idOf,
  bookVisit,
  MINUTE,
  startWorld,
  tasksOf,
  testClock,
  workerFor,
  type World,
} from './worker-kit.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** Times the payer was asked with this request: each answer it gave is kept, one per question. */
async function answersTo(w: World, identifier: Identifier): Promise<CoverageEligibilityResponse[]> {
  const [request] = await all<CoverageEligibilityRequest>(w.fhir, 'CoverageEligibilityRequest', {
    identifier: identifierToken(identifier),
  });
  if (!request) return [];
  return all<CoverageEligibilityResponse>(w.fhir, 'CoverageEligibilityResponse', {
    request: `CoverageEligibilityRequest/${idOf(request)}`,
  });
}

/** Times the payer was asked about this encounter. */
function checksFor(w: World, encounterId: string): Promise<CoverageEligibilityResponse[]> {
  return answersTo(w, eligibilityIdentifierFor(encounterId));
}

/** A visit that has just begun: the patient is at the front desk (`arrived`). */
async function arrive(w: World, patient: string): Promise<Encounter & { id: string }> {
  const { resource } = await w.fhir.create<Encounter>({
    resourceType: 'Encounter',
    status: 'arrived',
    class: { system: SYSTEM.actCode, code: 'AMB' },
    subject: { reference: patient },
    period: { start: new Date().toISOString() },
    participant: [{ individual: { reference: 'Practitioner/pr-1' } }],
    serviceProvider: { reference: 'Organization/org-billing' },
  });
  return { ...resource, id: idOf(resource) };
}

async function moveTo(
  w: World,
  encounter: Encounter & { id: string },
  status: Encounter['status'],
): Promise<Encounter & { id: string }> {
  const current = await w.fhir.read<Encounter>('Encounter', encounter.id);
  const end = status === 'finished' ? { end: new Date().toISOString() } : {};
  const updated = await w.fhir.update<Encounter>({
    ...current,
    status,
    period: { ...current.period, ...end },
  });
  return { ...updated, id: encounter.id };
}

async function finishCoded(w: World, encounter: Encounter & { id: string }, patient: string) {
  await codeEncounter(w.fhir, {
    patient,
    encounter: encounter.id,
    start: encounter.period?.start ?? new Date().toISOString(),
    diagnosis: 'J06.9',
    service: '99213',
  });
  return moveTo(w, encounter, 'finished');
}

function taskStates(tasks: Awaited<ReturnType<typeof tasksOf>>): [string, string][] {
  return tasks.map((t) => [t.code?.coding?.[0]?.code ?? '', t.status]);
}

describe('eligibility checked when the visit arrives', () => {
  it('asks the payer once per visit across arrived, in-progress and finished, and the claim goes out', async () => {
    world = await startWorld();
    const worker = workerFor(world);
    await worker.tick();
    const patient = 'Patient/pat-06';
    const before = world.payer.audit().eligibilityChecks;

    let visit = await arrive(world, patient);
    await worker.tick();
    // Checked while the patient is there, not after the visit ends.
    const early = await checksFor(world, visit.id);
    expect(early).toHaveLength(1);
    expect(early[0]?.insurance?.[0]?.inforce).toBe(true);
    expect(await claimsOf(world.fhir, visit.id)).toHaveLength(0);

    visit = await moveTo(world, visit, 'in-progress');
    await worker.tick();
    visit = await finishCoded(world, visit, patient);
    const summary = await worker.tick();

    expect(summary.submitted).toBe(1);
    expect(await claimsOf(world.fhir, visit.id)).toHaveLength(1);
    // One check for the visit, not one per status: the finished visit reused the arrival's answer.
    expect(await checksFor(world, visit.id)).toHaveLength(1);
    expect(world.payer.audit().eligibilityChecks - before).toBe(1);
  });

  it('raises the coverage-inactive work item while the patient is there, closes it when the front desk fixes the coverage, and bills the visit without asking again', async () => {
    world = await startWorld();
    const worker = workerFor(world, { ledger: createMemoryLedger() });
    await worker.tick();
    const patient = 'Patient/pat-19';

    const visit = await arrive(world, patient);
    await worker.tick();
    expect(taskStates(await tasksOf(world.fhir, visit.id))).toEqual([
      ['coverage-inactive', 'requested'],
    ]);
    // Idle ticks while the visit goes on do not ask the payer again.
    await worker.tick();
    await moveTo(world, visit, 'in-progress');
    await worker.tick();
    expect(await checksFor(world, visit.id)).toHaveLength(1);

    await renewCoverage(world.fhir, patient);
    await worker.tick();
    // The changed Coverage is checked on the next tick, and the work item closes itself.
    const afterFix = await checksFor(world, visit.id);
    expect(afterFix.map((r) => r.insurance?.[0]?.inforce)).toEqual(
      expect.arrayContaining([false, true]),
    );
    expect(afterFix).toHaveLength(2);
    expect(taskStates(await tasksOf(world.fhir, visit.id))).toEqual([
      ['coverage-inactive', 'completed'],
    ]);

    await finishCoded(world, visit, patient);
    const summary = await worker.tick();
    expect(summary.submitted).toBeGreaterThanOrEqual(1);
    expect(await claimsOf(world.fhir, visit.id)).toHaveLength(1);
    expect(await checksFor(world, visit.id)).toHaveLength(2);
    // Still the one work item, not a second one for the finished visit.
    expect(taskStates(await tasksOf(world.fhir, visit.id))).toEqual([
      ['coverage-inactive', 'completed'],
    ]);
  });
});

function appointmentChecks(w: World, appointmentId: string) {
  return answersTo(w, appointmentEligibilityIdentifierFor(appointmentId));
}

describe('eligibility ahead of the visit through a clearinghouse', () => {
  it('sends one 270 for a visit to an X12 payer, at arrival, and the finished visit goes out as an 837P without a second', async () => {
    const x = await startX12World(['enc-clean-1']);
    try {
      const worker = x.worker();
      await worker.tick();
      const seeded = await x.world.fhir.read<Encounter>('Encounter', 'enc-clean-1');
      const patient = seeded.subject?.reference ?? '';
      const before = x.realTime.requests.length;

      let visit = await arrive(x.world, patient);
      await worker.tick();
      expect(x.realTime.requests.slice(before).map((r) => r.type)).toEqual([
        'X12_270_Request_005010X279A1',
      ]);
      expect((await checksFor(x.world, visit.id)).map((r) => r.insurance?.[0]?.inforce)).toEqual([
        true,
      ]);

      const filesBefore = (await x.folder.sent()).length;
      visit = await finishCoded(x.world, visit, patient);
      await worker.tick();
      expect(await claimsOf(x.world.fhir, visit.id)).toHaveLength(1);
      // The visit's 837P went to the clearinghouse's folder.
      expect((await x.folder.sent()).length - filesBefore).toBe(1);
      expect(x.realTime.requests.length - before).toBe(1);
    } finally {
      await x.close();
    }
  });
});

describe('eligibility checked when the visit is booked', () => {
  it('asks the payer once across booked, arrived and finished: the visit reuses the answer its appointment got', async () => {
    world = await startWorld();
    const worker = workerFor(world);
    await worker.tick();
    const patient = 'Patient/pat-07';
    const before = world.payer.audit().eligibilityChecks;

    const appointment = await bookVisit(world.fhir, patient, 5);
    await worker.tick();
    const booked = await appointmentChecks(world, appointment.id);
    expect(booked.map((r) => r.insurance?.[0]?.inforce)).toEqual([true]);
    await worker.tick();
    expect(world.payer.audit().eligibilityChecks - before).toBe(1);

    // The patient arrives (a little early): the EHR opens the visit's Encounter from the appointment.
    const { resource: opened } = await world.fhir.create<Encounter>({
      resourceType: 'Encounter',
      status: 'arrived',
      class: { system: SYSTEM.actCode, code: 'AMB' },
      subject: { reference: patient },
      appointment: [{ reference: `Appointment/${appointment.id}` }],
      period: { start: new Date().toISOString() },
      participant: [{ individual: { reference: 'Practitioner/pr-1' } }],
      serviceProvider: { reference: 'Organization/org-billing' },
    });
    let visit = { ...opened, id: idOf(opened) };
    await worker.tick();
    visit = await moveTo(world, visit, 'in-progress');
    await worker.tick();
    visit = await finishCoded(world, visit, patient);
    expect((await worker.tick()).submitted).toBe(1);

    expect(await claimsOf(world.fhir, visit.id)).toHaveLength(1);
    // One question to the payer for the visit, not one at booking, one at arrival, one at the end.
    expect(world.payer.audit().eligibilityChecks - before).toBe(1);
    expect(await checksFor(world, visit.id)).toHaveLength(0);

    // The chart's claim timeline and the billing office's claim history show that answer.
    const checkedOn = booked[0]?.created.slice(0, 10) ?? '';
    const chart = await loadStatus(world.fhir, 'pat-07', visit.id);
    const steps = chart.claims.find((c) => c.encounterId === visit.id)?.steps ?? [];
    expect(steps.map((s) => s.label)).toContain(
      `Eligibility checked when booked, ${checkedOn}: in force`,
    );
    const [claim] = await claimsOf(world.fhir, visit.id);
    const { detail } = await loadClaimDetail(world.fhir, claim?.id ?? '', starterCodeSet(), {
      ncci: sandboxNcciTables(),
    });
    expect(detail.timeline.filter((e) => e.kind === 'eligibility').map((e) => e.title)).toEqual([
      'Eligibility checked when booked: in force',
    ]);
  });

  it('does not look for appointments on a server whose CapabilityStatement has no Appointment search, and says so once', async () => {
    world = await startWorld();
    const statement = (await (await fetch(`${world.ehr.fhirBase}/metadata`)).json()) as {
      rest: { resource: { type: string }[] }[];
    };
    for (const rest of statement.rest)
      rest.resource = rest.resource.filter((r) => r.type !== 'Appointment');
    const lines: string[] = [];
    const worker = workerFor(world, {
      capabilities: { get: () => Promise.resolve(parseServerCapabilities(statement)) },
      logLines: lines,
    });
    await worker.tick();
    const appointment = await bookVisit(world.fhir, 'Patient/pat-07', 30);
    const visit = await arrive(world, 'Patient/pat-08');
    await worker.tick();
    await worker.tick();

    expect(await appointmentChecks(world, appointment.id)).toHaveLength(0);
    // Visits under way are still checked early.
    expect(await checksFor(world, visit.id)).toHaveLength(1);
    const told = lines.filter((l) => l.includes('declares no Appointment search'));
    expect(told).toHaveLength(1);
  });
});

describe('a held visit is rechecked on a back-off', () => {
  it('asks the payer at most five times in a day about a visit held for lapsed coverage, not every 15 minutes', async () => {
    world = await startWorld();
    const clock = testClock();
    const worker = workerFor(world, { now: clock.now });
    const id = SEED_SCENARIOS.lapsedCoverage;
    await worker.tick();
    expect(await checksFor(world, id)).toHaveLength(1);

    // A day of ticks every 15 minutes (the schedule's pace with the default recheck).
    for (let tick = 0; tick < 96; tick++) {
      clock.advance(15 * MINUTE);
      await worker.tick();
    }
    // 15 min, 1 h, 4 h, 16 h after the first check: still rechecked, but not 96 times.
    const inADay = (await checksFor(world, id)).length;
    expect(inADay).toBeGreaterThanOrEqual(4);
    expect(inADay).toBeLessThanOrEqual(5);
    expect(await claimsOf(world.fhir, id)).toHaveLength(0);
    expect(taskStates(await tasksOf(world.fhir, id))).toEqual([['coverage-inactive', 'requested']]);
  }, 180_000);

  it('asks again on the next tick when the Coverage changes, not from the cached inactive answer, and the claim goes out', async () => {
    world = await startWorld();
    // Answers reused for an hour (the default): the inactive one must not stand for the new Coverage.
    const worker = workerFor(world, { eligibilityReuseMs: 60 * MINUTE });
    const id = SEED_SCENARIOS.lapsedCoverage;
    await worker.tick();
    await worker.tick();
    expect(await checksFor(world, id)).toHaveLength(1);

    await renewCoverage(world.fhir, 'Patient/pat-19');
    const summary = await worker.tick();
    expect(summary.submitted).toBe(1);
    const checks = await checksFor(world, id);
    expect(checks.map((r) => r.insurance?.[0]?.inforce).sort()).toEqual([false, true]);
    expect(await claimsOf(world.fhir, id)).toHaveLength(1);
    expect(taskStates(await tasksOf(world.fhir, id))).toEqual([['coverage-inactive', 'completed']]);
  });
});
