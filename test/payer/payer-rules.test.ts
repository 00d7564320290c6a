import { describe, expect, it } from 'vitest';
import { SANDBOX_PAYER_FEE_SCHEDULE } from '../../src/claims/fee-schedule.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import {
  costSharingOf,
  coverageDenial,
  coverageInForce,
  isOfficeVisit,
  isPreventive,
  missingDiagnosisDenial,
  patientShare,
  priceLine,
  priorAuthDenial,
  timelyFilingDenial,
} from '../../sandbox/payer-server-rules.ts';
import { seedCoverage } from '../../sandbox/seed-people.ts';
import { coverage } from '../claims/fixtures.ts';

describe('coverage in force on the date of service (CARC 27)', () => {
  it('accepts an active coverage whose period includes the date, open-ended or not', () => {
    expect(coverageInForce(coverage({ period: { start: '2025-01-01' } }), '2026-02-01')).toEqual({
      inforce: true,
    });
    expect(
      coverageInForce(
        coverage({ period: { start: '2025-01-01', end: '2026-02-01' } }),
        '2026-02-01',
      ),
    ).toEqual({ inforce: true });
    expect(coverageDenial(coverage(), '2026-02-01')).toBeUndefined();
  });

  it('denies with CO-27 when the coverage ended before, started after, is not active, or is unknown', () => {
    expect(
      coverageDenial(
        coverage({ period: { start: '2024-01-01', end: '2025-12-31' } }),
        '2026-01-05',
      ),
    ).toMatchObject({
      carc: '27',
      group: 'CO',
      note: expect.stringContaining('ended 2025-12-31') as unknown,
    });
    expect(
      coverageDenial(coverage({ period: { start: '2026-02-01' } }), '2026-01-05')?.note,
    ).toContain('starts 2026-02-01');
    expect(coverageDenial(coverage({ status: 'cancelled' }), '2026-01-05')?.note).toContain(
      'cancelled',
    );
    expect(coverageDenial(undefined, '2026-01-05')?.carc).toBe('27');
  });
});

describe('timely filing (CARC 29)', () => {
  it('accepts a claim received 90 days after the date of service and denies one received 91 days after', () => {
    expect(timelyFilingDenial('2025-03-01', new Date('2025-05-30T12:00:00Z'))).toBeUndefined();
    expect(timelyFilingDenial('2025-03-01', new Date('2025-05-31T12:00:00Z'))).toMatchObject({
      carc: '29',
      group: 'CO',
    });
  });
});

describe('missing diagnosis (CARC 16 / M76)', () => {
  it('denies a claim without diagnoses and passes one with a diagnosis', () => {
    const claim = {
      resourceType: 'Claim',
      status: 'active',
      type: {},
      use: 'claim',
      patient: {},
      created: '',
      provider: {},
      priority: {},
      insurance: [],
    } as const;
    expect(missingDiagnosisDenial({ ...claim, insurance: [] })).toMatchObject({
      carc: '16',
      rarc: 'M76',
    });
    expect(
      missingDiagnosisDenial({ ...claim, insurance: [], diagnosis: [{ sequence: 1 }] }),
    ).toBeUndefined();
  });
});

describe('line pricing (CARC 96)', () => {
  it('allows the fee schedule amount times units, never more than billed', () => {
    expect(priceLine('99213', 1, 185, SANDBOX_PAYER_FEE_SCHEDULE)).toEqual({ allowed: 92 });
    expect(priceLine('36415', 2, 20, SANDBOX_PAYER_FEE_SCHEDULE)).toEqual({ allowed: 6 });
    expect(priceLine('99213', 1, 80, SANDBOX_PAYER_FEE_SCHEDULE)).toEqual({ allowed: 80 });
  });

  it('denies a code that is not on the fee schedule as non-covered, CO-96 with N130', () => {
    expect(priceLine('S9986', 1, 50, SANDBOX_PAYER_FEE_SCHEDULE)).toEqual({
      denial: expect.objectContaining({ carc: '96', group: 'CO', rarc: 'N130' }) as unknown,
    });
  });
});

describe('cost sharing', () => {
  it('reads the office copay, coinsurance percentage and deductible from the coverage', () => {
    const cov = coverage();
    cov.costToBeneficiary?.push({
      type: { coding: [{ system: SYSTEM.copayType, code: 'deductible' }] },
      valueMoney: { value: 1500 },
    });
    expect(costSharingOf(cov)).toEqual({
      officeCopay: 25,
      coinsurancePercent: 20,
      deductible: 1500,
    });
    expect(costSharingOf(coverage({ costToBeneficiary: [] }))).toEqual({
      officeCopay: 0,
      coinsurancePercent: 0,
    });
  });

  it('charges the copay on the copay line, coinsurance on others, and nothing for preventive care', () => {
    const sharing = { officeCopay: 25, coinsurancePercent: 20 };
    expect(patientShare('99213', 92, true, sharing)).toEqual({ copay: 25, coinsurance: 0 });
    expect(patientShare('99211', 24, true, { ...sharing, officeCopay: 30 })).toEqual({
      copay: 24,
      coinsurance: 0,
    });
    expect(patientShare('85025', 8, false, sharing)).toEqual({ copay: 0, coinsurance: 1.6 });
    expect(patientShare('99396', 125, false, sharing)).toEqual({ copay: 0, coinsurance: 0 });
    expect(patientShare('G0439', 131, false, sharing)).toEqual({ copay: 0, coinsurance: 0 });
  });

  it('knows office visits and preventive visits by code', () => {
    expect(['99202', '99205', '99211', '99215'].every(isOfficeVisit)).toBe(true);
    expect(['99201', '99216', '99396', '36415'].some(isOfficeVisit)).toBe(false);
    expect(['99381', '99397', 'G0438'].every(isPreventive)).toBe(true);
    expect(['99380', '99398', '99213'].some(isPreventive)).toBe(false);
  });
});

describe('prior authorization (CARC 197)', () => {
  const mutual = seedCoverage(16, '2025-01-01', undefined, true);
  const healthPlan = seedCoverage(16, '2025-01-01');

  it("denies Sandbox Mutual's knee injection CO-197 when the claim names no authorization", () => {
    expect(priorAuthDenial('20610', mutual, [])).toMatchObject({ carc: '197', group: 'CO' });
    expect(priorAuthDenial('20610', mutual, [' '])).toMatchObject({ carc: '197' });
  });

  it('lets it through with an authorization, and asks none for other services or payers', () => {
    expect(priorAuthDenial('20610', mutual, ['SBXMUT-PA-4471'])).toBeUndefined();
    expect(priorAuthDenial('99213', mutual, [])).toBeUndefined();
    expect(priorAuthDenial('20610', healthPlan, [])).toBeUndefined();
  });
});
