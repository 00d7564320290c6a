import type { Claim, ClaimResponse, Encounter, Location, Practitioner } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { claimInput } from '../../src/x12/claim-input.ts';
import { practiceDateOf } from '../../src/claims/practice-date.ts';
import { EXT, SYSTEM } from '../../src/fhir/systems.ts';
import { claimsTo837 } from '../../src/x12/claim-to-837.ts';
import { testX12Config } from '../x12/x12-fixtures.ts';
import { all, codeEncounter, startWorld, workerFor, type World } from './worker-kit.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** 03:30Z two days ago: the evening before on a New York wall clock, in summer and in winter. */
function eveningVisitStart(): string {
  const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
  return `${day}T03:30:00Z`;
}

/** A hospital-outpatient visit, referred by another doctor, under a prior authorization. */
async function referredHospitalVisit(fhir: World['fhir']): Promise<string> {
  const patient = 'Patient/pat-02';
  const start = eveningVisitStart();
  const { resource: referrer } = await fhir.create<Practitioner>({
    resourceType: 'Practitioner',
    identifier: [{ system: SYSTEM.npi, value: '1497758544' }],
    name: [{ family: 'Nakamura', given: ['Kenji'] }],
  });
  const { resource: location } = await fhir.create<Location>({
    resourceType: 'Location',
    name: 'Springfield General Outpatient Clinic',
    type: [{ coding: [{ system: SYSTEM.roleCode, code: 'HOSP' }] }],
    address: { line: ['800 Hospital Dr'], city: 'Springfield', state: 'IL', postalCode: '62702' },
  });
  const { resource: encounter } = await fhir.create<Encounter>({
    resourceType: 'Encounter',
    status: 'finished',
    class: { system: SYSTEM.actCode, code: 'AMB' },
    subject: { reference: patient },
    period: { start, end: start },
    participant: [
      { individual: { reference: 'Practitioner/pr-1' } },
      {
        type: [{ coding: [{ system: SYSTEM.participationType, code: 'REF' }] }],
        individual: { reference: `Practitioner/${referrer.id ?? ''}` },
      },
    ],
    location: [{ location: { reference: `Location/${location.id ?? ''}` }, status: 'completed' }],
    serviceProvider: { reference: 'Organization/org-billing' },
  });
  await fhir.create<ClaimResponse>({
    resourceType: 'ClaimResponse',
    status: 'active',
    type: { coding: [{ system: SYSTEM.claimType, code: 'professional' }] },
    use: 'preauthorization',
    patient: { reference: patient },
    created: start,
    insurer: { reference: 'Organization/org-payer' },
    outcome: 'complete',
    preAuthRef: 'AUTH-20931',
    preAuthPeriod: { start: start.slice(0, 8) + '01', end: '2099-12-31' },
  });
  await codeEncounter(fhir, {
    patient,
    encounter: encounter.id ?? '',
    start,
    diagnosis: 'I10',
    service: '99213',
  });
  return encounter.id ?? '';
}

describe('the claim the worker writes carries what the 837P needs', () => {
  it('puts the local date, the place of service, the referral, the facility and the prior auth on the Claim, and the 837P from the stored Claim carries them', async () => {
    world = await startWorld();
    const id = await referredHospitalVisit(world.fhir);
    await workerFor(world).tick();
    const [claim] = await all<Claim>(world.fhir, 'Claim', {
      identifier: `${SYSTEM.claimId}|enc-${id}`,
    });
    if (!claim?.id) throw new Error('no claim was written');
    const localDate = practiceDateOf(eveningVisitStart(), 'America/New_York');
    expect(localDate < eveningVisitStart().slice(0, 10)).toBe(true);
    expect(claim.billablePeriod?.start).toBe(localDate);
    expect(claim.item?.[0]?.locationCodeableConcept?.coding?.[0]?.code).toBe('22');
    expect(claim.insurance[0]?.preAuthRef).toEqual(['AUTH-20931']);
    expect(claim.facility?.reference).toMatch(/^Location\//);
    expect(claim.careTeam?.map((c) => c.role?.coding?.[0]?.code)).toEqual(['primary', 'referring']);
    expect(claim.extension?.find((e) => e.url === EXT.claimFrequency)?.valueCoding?.code).toBe('1');
    const pcn = claim.identifier?.find((i) => i.system === SYSTEM.patientControlNumber)?.value;
    expect(pcn?.length).toBeLessThanOrEqual(20);

    const text = claimsTo837(
      [await claimInput(world.fhir, claim.id)],
      testX12Config(),
      1,
      new Date(),
    );
    expect(text).toContain(`CLM*${pcn ?? ''}*`);
    expect(text).toContain('*22:B:1*');
    expect(text).toContain('REF*G1*AUTH-20931~');
    expect(text).toContain('NM1*DN*1*NAKAMURA*KENJI****XX*1497758544~');
    expect(text).toContain('NM1*77*2*SPRINGFIELD GENERAL OUTPATIENT CLINIC~');
    expect(text).toContain(`DTP*472*D8*${localDate.replace(/-/g, '')}~`);
    expect(text).toContain('PRV*BI*PXC*207Q00000X~');
    expect(text).toContain('N4*SPRINGFIELD*IL*627014512~');
  });
});
