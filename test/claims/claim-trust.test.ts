import type { ChargeItem, Condition, Coverage, Organization } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { claimSourceProblems } from '../../src/claims/claim-belongs.ts';
import { payerProblem } from '../../src/claims/claim-payer.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { parsePayerIds, SANDBOX_PAYER_IDS } from '../../src/payer/payer-ids.ts';

const line = (subject: string, system: string = SYSTEM.cpt): ChargeItem => ({
  resourceType: 'ChargeItem',
  id: 'c1',
  status: 'billable',
  subject: { reference: subject },
  code: { coding: [{ system, code: '99213' }] },
});
const dx = (subject: string, system: string = SYSTEM.icd10cm): Condition => ({
  resourceType: 'Condition',
  id: 'd1',
  subject: { reference: subject },
  code: { coding: [{ ...(system ? { system } : {}), code: 'E11.9' }] },
});
const cover = (
  beneficiary: string,
  payor: Coverage['payor'][number] = { reference: 'Organization/org-payer' },
): Coverage => ({
  resourceType: 'Coverage',
  id: 'cov1',
  status: 'active',
  beneficiary: { reference: beneficiary },
  payor: [payor],
});
const insurer: Organization = {
  resourceType: 'Organization',
  id: 'org-payer',
  identifier: [{ system: SYSTEM.payerId, value: 'SBXHP' }],
};
const practice: Organization = {
  resourceType: 'Organization',
  id: 'org-billing',
  identifier: [{ system: SYSTEM.npi, value: '1234567893' }],
};

describe('what a claim may be made from', () => {
  it("accepts the patient's own records in billing code systems, absolute references included", () => {
    expect(
      claimSourceProblems({
        patientId: 'p1',
        chargeItems: [line('Patient/p1')],
        conditions: [dx('https://ehr.example/fhir/Patient/p1')],
        coverage: cover('Patient/p1'),
      }),
    ).toEqual([]);
  });

  it('names each record of another patient, or of none, and a coverage of someone else', () => {
    const problems = claimSourceProblems({
      patientId: 'p1',
      chargeItems: [line('Patient/p2')],
      conditions: [dx('Group/g1')],
      coverage: cover('Patient/p3'),
    });
    expect(problems.map((p) => p.expression)).toEqual([
      'ChargeItem.subject',
      'Condition.subject',
      'Coverage.beneficiary',
    ]);
    expect(problems[2]?.message).toContain('Patient/p3');
  });

  it('names the coding found when a record has none in a billing system', () => {
    const problems = claimSourceProblems({
      patientId: 'p1',
      chargeItems: [line('Patient/p1', SYSTEM.icd10cm)],
      conditions: [dx('Patient/p1', '')],
      coverage: undefined,
    });
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining(`${SYSTEM.icd10cm}|99213`),
      expect.stringContaining('(no system)|E11.9'),
    ]);
  });
});

describe('which payer a claim may go to', () => {
  const check = (
    coverage: Coverage,
    payerOrg: Organization | undefined,
    known = SANDBOX_PAYER_IDS,
  ) => payerProblem({ coverage, payerOrg, billingProvider: practice, knownPayers: known });

  it('accepts an insurer with a known payer id, and refuses one with another', () => {
    expect(check(cover('Patient/p1'), insurer)).toBeUndefined();
    expect(check(cover('Patient/p1'), insurer, parsePayerIds('OTHER'))?.message).toContain('SBXHP');
    expect(check(cover('Patient/p1'), insurer, parsePayerIds('SBXHP'))).toBeUndefined();
  });

  it('refuses a person, the practice itself (by id or shared NPI), a missing insurer and text only', () => {
    expect(check(cover('Patient/p1', { reference: 'Patient/p1' }), undefined)?.message).toContain(
      'only an insurer',
    );
    expect(
      check(cover('Patient/p1', { reference: 'Organization/org-billing' }), practice)?.message,
    ).toContain('billing organization itself');
    const twin: Organization = {
      resourceType: 'Organization',
      id: 'twin',
      identifier: [
        { system: SYSTEM.npi, value: '1234567893' },
        { system: SYSTEM.payerId, value: 'SBXHP' },
      ],
    };
    expect(check(cover('Patient/p1', { reference: 'Organization/twin' }), twin)?.message).toContain(
      'billing organization itself',
    );
    expect(
      check(cover('Patient/p1', { reference: 'Organization/gone' }), undefined)?.message,
    ).toContain('does not exist');
    expect(check(cover('Patient/p1', { display: 'Acme' }), undefined)?.message).toContain(
      'only as text',
    );
  });

  it('reads CHARTBILL_PAYER_IDS entries with or without a system, and refuses empty ones', () => {
    expect(parsePayerIds('urn:x|A1, B2')).toEqual([
      { system: 'urn:x', value: 'A1' },
      { value: 'B2' },
    ]);
    expect(() => parsePayerIds('A1,,B2')).toThrow(/not a payer id/);
    expect(() => parsePayerIds('|A1')).toThrow(/not a payer id/);
  });
});
