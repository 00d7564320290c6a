import type { Claim, Encounter, OperationOutcome, Task } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import {
  addEncounterWithUnknownCode,
  all,
  claimsOf,
  startWorld,
  tasksOf,
  workerFor,
  type World,
} from '../worker/worker-kit.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';

let world: World | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await world?.close();
  world = undefined;
  proxy = undefined;
});

type Loose = Record<string, unknown> & { resourceType?: string };

/** A non-conformant EHR: answers with a Coverage without payor and a Claim without patient. */
function breaking(coveragePatient: string, claimIdentifier: string): (body: unknown) => unknown {
  const fix = (r: Loose): Loose => {
    if (
      r.resourceType === 'Coverage' &&
      (r.beneficiary as { reference?: string } | undefined)?.reference === coveragePatient
    )
      return { ...r, payor: undefined };
    if (
      r.resourceType === 'Claim' &&
      (r.identifier as { value?: string }[] | undefined)?.[0]?.value === claimIdentifier
    )
      return { ...r, patient: undefined };
    return r;
  };
  return (body) => {
    const b = body as Loose & { entry?: { resource?: Loose }[] };
    if (b.resourceType === 'Bundle')
      return {
        ...b,
        entry: b.entry?.map((e) => (e.resource ? { ...e, resource: fix(e.resource) } : e)),
      };
    return fix(b);
  };
}

function reasonOf(task: Task | undefined): OperationOutcome | undefined {
  return task?.contained?.find((r): r is OperationOutcome => r.resourceType === 'OperationOutcome');
}

async function onlyTask(world: World, encounterId: string): Promise<Task | undefined> {
  const tasks = await tasksOf(world.fhir, encounterId);
  expect(
    tasks.map((t) => t.code?.coding?.[0]?.code),
    encounterId,
  ).toEqual(['data-invalid']);
  return tasks[0];
}

describe('bad data', () => {
  it('quarantines each unusable encounter with a Task saying why, and the rest of the tick goes on', async () => {
    world = await startWorld({ strict: true });
    const { fhir } = world;
    const base = {
      resourceType: 'Encounter' as const,
      status: 'finished' as const,
      class: { system: SYSTEM.actCode, code: 'AMB' },
      period: { start: '2026-11-01', end: '2026-11-01' },
      serviceProvider: { reference: 'Organization/org-billing' },
    };
    const { resource: noPatient } = await fhir.create<Encounter>({ ...base });
    const { resource: danglingPatient } = await fhir.create<Encounter>({
      ...base,
      subject: { reference: 'Patient/does-not-exist' },
    });
    const unknownCode = await addEncounterWithUnknownCode(fhir);
    const [huge = '', claimless = ''] = await seedCodedEncounters(fhir, 2, 'bad');
    // A 900 kB narrative (the sandbox, like medplum, refuses strings over 1 MB with a 400).
    const hugeEncounter = await fhir.read<Encounter>('Encounter', huge);
    await fhir.update<Encounter>({
      ...hugeEncounter,
      text: {
        status: 'generated',
        div: `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(900_000)}</div>`,
      },
    });
    // A claim someone else made for this encounter, which the EHR will hand back without its patient.
    await fhir.create<Claim>({
      resourceType: 'Claim',
      status: 'active',
      use: 'claim',
      type: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' },
        ],
      },
      identifier: [{ system: SYSTEM.claimId, value: `enc-${claimless}` }],
      patient: { reference: 'Patient/pat-02' },
      created: '2026-11-01',
      provider: { reference: 'Organization/org-billing' },
      priority: { coding: [{ code: 'normal' }] },
      insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/cov-pat-02' } }],
    });
    proxy = await startFaultProxy({
      target: world.ehr.origin,
      choose: () => 'pass',
      rewrite: breaking('Patient/pat-06', `enc-${claimless}`),
    });
    const token = await world.ehr.issueSystemToken('system/*.cruds');
    const viaProxy = createFhirGateway({
      baseUrl: `${proxy.origin}/fhir`,
      getToken: () => Promise.resolve(token),
      retry: { attempts: 2, baseDelayMs: 10 },
    });
    const ledger = createMemoryLedger();
    const worker = workerFor({ ...world, fhir: viaProxy }, { ledger });

    const summary = await worker.tick();
    expect(summary.failed).toBe(0);

    expect(reasonOf(await onlyTask(world, noPatient.id ?? ''))?.issue[0]?.expression).toEqual([
      'Encounter.subject',
    ]);
    const dangling = await onlyTask(world, danglingPatient.id ?? '');
    expect(reasonOf(dangling)?.issue[0]?.code).toBe('not-found');
    expect(dangling?.statusReason?.text).toContain('Patient');
    const noPayor = await onlyTask(world, SEED_SCENARIOS.clean[0]);
    expect(reasonOf(noPayor)?.issue[0]?.expression).toEqual(['Coverage.payor']);
    expect(noPayor?.description).toContain('Coverage.payor');
    expect(noPayor?.for?.reference).toBe('Patient/pat-06');
    expect(reasonOf(await onlyTask(world, claimless))?.issue[0]?.expression).toEqual([
      'Claim.patient',
    ]);
    for (const id of [noPatient.id ?? '', danglingPatient.id ?? '', SEED_SCENARIOS.clean[0]])
      expect(await claimsOf(fhir, id), id).toHaveLength(0);
    const audit = world.payer.audit();
    expect(audit.submits[`${SYSTEM.claimId}|enc-${claimless}`]).toBeUndefined();
    expect(await ledger.getItem(`Encounter/${claimless}`)).toMatchObject({
      stage: 'held',
      reason: 'data-invalid',
    });

    // Unknown codes: a draft claim and a scrub Task, as before.
    expect((await claimsOf(fhir, unknownCode)).map((c) => c.status)).toEqual(['draft']);
    expect((await tasksOf(fhir, unknownCode)).map((t) => t.code?.coding?.[0]?.code)).toEqual([
      'claim-scrub-errors',
    ]);
    // And everything else went on: the huge encounter and the other clean ones were submitted.
    for (const id of [huge, ...SEED_SCENARIOS.clean.slice(1)])
      expect(audit.adjudicated[`${SYSTEM.claimId}|enc-${id}`], id).toBe(1);
    expect(
      (await all<Task>(fhir, 'Task')).filter((t) => t.code?.coding?.[0]?.code === 'data-invalid'),
    ).toHaveLength(4);
  });
});
