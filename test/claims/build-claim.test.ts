import { describe, expect, it } from 'vitest';
import { buildClaim, claimIdentifierFor } from '../../src/claims/build-claim.ts';
import { identifierQuery } from '../../src/fhir/identifier-query.ts';
import { PRACTICE_CHARGE_MASTER } from '../../src/claims/fee-schedule.ts';
import type { EncounterCoding } from '../../src/coding/coding-model.ts';
import { isAppError } from '../../src/errors/app-error.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import {
  billingOrg,
  coverage,
  encounter,
  officeVisitCoding,
  patient,
  practitioner,
} from './fixtures.ts';

const created = '2026-03-03T10:00:00Z';

function claimFor(
  coding: EncounterCoding,
  extra: { placeOfService?: string; withPractitioner?: boolean } = {},
) {
  return buildClaim({
    encounter: encounter('enc-42'),
    patient: patient(),
    coverage: coverage(),
    coding,
    billingProvider: billingOrg(),
    ...(extra.withPractitioner === false ? {} : { practitioner: practitioner() }),
    ...(extra.placeOfService ? { placeOfService: extra.placeOfService } : {}),
    feeSchedule: PRACTICE_CHARGE_MASTER,
    created,
  });
}

describe('buildClaim', () => {
  it('makes a professional claim for the encounter, identified by the encounter so reruns find it', () => {
    const claim = claimFor(officeVisitCoding());
    expect(claim.identifier?.slice(0, 1)).toEqual([
      { system: SYSTEM.claimId, value: 'enc-enc-42' },
    ]);
    expect(claimIdentifierFor('enc-42')).toEqual(claim.identifier?.[0]);
    expect(identifierQuery(claimIdentifierFor('42'))).toBe(
      `identifier=${encodeURIComponent(`${SYSTEM.claimId}|enc-42`)}`,
    );
    expect(claim.type.coding?.[0]).toMatchObject({
      system: SYSTEM.claimType,
      code: 'professional',
    });
    expect(claim.use).toBe('claim');
    expect(claim.status).toBe('draft');
    expect(claim.patient.reference).toBe('Patient/pat-1');
    expect(claim.provider.reference).toBe('Organization/org-billing');
    expect(claim.insurer?.reference).toBe('Organization/org-payer');
    expect(claim.insurance).toEqual([
      { sequence: 1, focal: true, coverage: { reference: 'Coverage/cov-1' } },
    ]);
    expect(claim.priority.coding?.[0]?.code).toBe('normal');
    expect(claim.created).toBe(created);
  });

  it('puts the primary diagnosis first as principal and keeps at most 12 in order', () => {
    const codes = [
      'I10',
      'E11.9',
      'J06.9',
      'M54.50',
      'Z00.00',
      'E78.5',
      'K21.9',
      'F41.1',
      'R51.9',
      'J45.909',
      'N39.0',
      'R05.9',
      'L70.0',
      'G43.909',
    ];
    const claim = claimFor({
      diagnoses: codes.map((code) => ({ code })),
      lines: [{ code: '99214', system: 'cpt', units: 1, modifiers: [], pointers: [1] }],
    });
    expect(claim.diagnosis).toHaveLength(12);
    expect(claim.diagnosis?.map((d) => d.diagnosisCodeableConcept?.coding?.[0]?.code)).toEqual(
      codes.slice(0, 12),
    );
    expect(claim.diagnosis?.map((d) => d.sequence)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ]);
    expect(claim.diagnosis?.[0]?.type?.[0]?.coding?.[0]).toEqual({
      system: SYSTEM.diagnosisType,
      code: 'principal',
    });
    expect(claim.diagnosis?.[1]?.type).toBeUndefined();
    expect(claim.diagnosis?.[0]?.diagnosisCodeableConcept?.coding?.[0]?.system).toBe(
      SYSTEM.icd10cm,
    );
  });

  it('maps diagnosis pointers to diagnosisSequence, at most 4 and only to diagnoses on the claim', () => {
    const diagnoses = Array.from({ length: 13 }, (_, i) => ({ code: `Z0${i % 10}.00` }));
    const claim = claimFor({
      diagnoses,
      lines: [
        { code: '99213', system: 'cpt', units: 1, modifiers: [], pointers: [3, 1] },
        { code: '36415', system: 'cpt', units: 1, modifiers: [], pointers: [1, 2, 3, 4, 5] },
        { code: '85025', system: 'cpt', units: 1, modifiers: [], pointers: [13, 2] },
      ],
    });
    expect(claim.item?.map((i) => i.diagnosisSequence)).toEqual([[3, 1], [1, 2, 3, 4], [2]]);
  });

  it('codes service lines and modifiers with the right systems and the place of service', () => {
    const claim = claimFor({
      diagnoses: [{ code: 'M17.11' }],
      lines: [
        { code: '99213', system: 'cpt', units: 1, modifiers: ['25'], pointers: [1] },
        { code: '20610', system: 'cpt', units: 1, modifiers: ['RT'], pointers: [1] },
        { code: 'G0439', system: 'hcpcs', units: 1, modifiers: [], pointers: [1] },
      ],
    });
    const [visit, injection, awv] = claim.item ?? [];
    expect(visit?.productOrService.coding?.[0]).toMatchObject({
      system: SYSTEM.cpt,
      code: '99213',
    });
    expect(visit?.modifier).toEqual([{ coding: [{ system: SYSTEM.cpt, code: '25' }] }]);
    expect(injection?.modifier).toEqual([{ coding: [{ system: SYSTEM.hcpcs, code: 'RT' }] }]);
    expect(awv?.productOrService.coding?.[0]).toMatchObject({
      system: SYSTEM.hcpcs,
      code: 'G0439',
    });
    expect(awv?.modifier).toBeUndefined();
    expect(visit?.locationCodeableConcept?.coding?.[0]).toEqual({
      system: SYSTEM.placeOfService,
      code: '11',
    });
    expect(visit?.servicedDate).toBe('2026-03-02');
    expect(visit?.careTeamSequence).toEqual([1]);
    expect(visit?.encounter).toEqual([{ reference: 'Encounter/enc-42' }]);
    const telehealth = claimFor(officeVisitCoding(), { placeOfService: '10' });
    expect(telehealth.item?.[0]?.locationCodeableConcept?.coding?.[0]?.code).toBe('10');
  });

  it('prices lines from the charge master, multiplies units and totals the claim', () => {
    const claim = claimFor({
      diagnoses: [{ code: 'E11.9' }],
      lines: [
        { code: '99213', system: 'cpt', units: 1, modifiers: [], pointers: [1] },
        { code: '36415', system: 'cpt', units: 2, modifiers: [], pointers: [1] },
      ],
    });
    expect(claim.item?.map((i) => [i.unitPrice?.value, i.quantity?.value, i.net?.value])).toEqual([
      [185, 1, 185],
      [10, 2, 20],
    ]);
    expect(claim.total).toEqual({ value: 205, currency: 'USD' });
  });

  it('names the referral the visit was based on (Claim.referral), and none without one', () => {
    const based = buildClaim({
      encounter: {
        ...encounter('enc-42'),
        basedOn: [{ reference: 'CarePlan/cp-1' }, { reference: 'ServiceRequest/sr-9' }],
      },
      patient: patient(),
      coverage: coverage(),
      coding: officeVisitCoding(),
      billingProvider: billingOrg(),
      feeSchedule: PRACTICE_CHARGE_MASTER,
      created,
    });
    expect(based.referral).toEqual({ reference: 'ServiceRequest/sr-9' });
    expect(claimFor(officeVisitCoding()).referral).toBeUndefined();
  });

  it('names the rendering practitioner on the care team, and leaves it out when unknown', () => {
    const claim = claimFor(officeVisitCoding());
    expect(claim.careTeam).toEqual([
      {
        sequence: 1,
        provider: { reference: 'Practitioner/prac-1' },
        responsible: true,
        role: { coding: [{ system: SYSTEM.careTeamRole, code: 'primary' }] },
      },
    ]);
    const without = claimFor(officeVisitCoding(), { withPractitioner: false });
    expect(without.careTeam).toBeUndefined();
    expect(without.item?.[0]?.careTeamSequence).toBeUndefined();
  });

  it("uses the visit's date on the practice's calendar as the date of service and refuses an encounter without one", () => {
    const late = buildClaim({
      encounter: encounter('e', '2026-03-02T23:30:00-08:00'),
      patient: patient(),
      coverage: coverage(),
      coding: officeVisitCoding(),
      billingProvider: billingOrg(),
      feeSchedule: PRACTICE_CHARGE_MASTER,
      timeZone: 'America/Los_Angeles',
      created,
    });
    expect(late.billablePeriod?.start).toBe('2026-03-02');
    expect(late.item?.map((i) => i.servicedDate)).toEqual(['2026-03-02', '2026-03-02']);
    // An EHR that stores UTC: 23:30 in New York is 04:30Z the next day; the claim keeps the 2nd.
    const atFourThirtyZ = (timeZone: string) =>
      buildClaim({
        encounter: encounter('e', '2026-03-03T04:30:00Z'),
        patient: patient(),
        coverage: coverage(),
        coding: officeVisitCoding(),
        billingProvider: billingOrg(),
        feeSchedule: PRACTICE_CHARGE_MASTER,
        timeZone,
        created,
      });
    const utc = atFourThirtyZ('America/New_York');
    expect(utc.billablePeriod).toEqual({ start: '2026-03-02', end: '2026-03-02' });
    expect(utc.item?.[0]?.servicedDate).toBe('2026-03-02');
    // The same instant in a practice elsewhere is on that practice's calendar, not New York's.
    const tokyo = atFourThirtyZ('Asia/Tokyo');
    expect(tokyo.item?.[0]?.servicedDate).toBe('2026-03-03');
    const undated = { ...encounter('e'), period: {} };
    let error: unknown;
    try {
      buildClaim({
        encounter: undated,
        patient: patient(),
        coverage: coverage(),
        coding: officeVisitCoding(),
        billingProvider: billingOrg(),
        feeSchedule: PRACTICE_CHARGE_MASTER,
        created,
      });
    } catch (err) {
      error = err;
    }
    expect(isAppError(error, 'CLAIM_INVALID')).toBe(true);
  });
});
