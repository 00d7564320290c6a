import type { Encounter, Patient } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { isValidNpi } from '../../src/edits/npi-check.ts';
import { runEdits } from '../../src/edits/run-edits.ts';
import { scrubInputFromBundle } from '../../src/edits/scrub-input.ts';
import { visitFacts } from '../../smart-app/coding/encounter-coding.ts';
import { cleanCoding, dx, FACTS, findingsOf, line } from './edit-fixtures.ts';

describe('impossible claims', () => {
  it('claim-future-date: blocks a date of service after today, not today itself', () => {
    expect(
      findingsOf('claim-future-date', cleanCoding(), { ...FACTS, today: '2026-03-01' }),
    ).toMatchObject([
      { severity: 'error', message: expect.stringContaining('2026-03-02') as unknown },
    ]);
    expect(
      findingsOf('claim-future-date', cleanCoding(), { ...FACTS, today: '2026-03-02' }),
    ).toEqual([]);
    expect(findingsOf('claim-future-date', cleanCoding(), FACTS)).toEqual([]);
  });

  it('patient-born-after-visit: blocks a birth date after the visit, at the precision it was recorded', () => {
    expect(
      findingsOf('patient-born-after-visit', cleanCoding(), {
        ...FACTS,
        patientBirthDate: '2026-03-03',
      }),
    ).toMatchObject([{ severity: 'error' }]);
    expect(
      findingsOf('patient-born-after-visit', cleanCoding(), { ...FACTS, patientBirthDate: '2027' }),
    ).toHaveLength(1);
    expect(
      findingsOf('patient-born-after-visit', cleanCoding(), {
        ...FACTS,
        patientBirthDate: '2026-03-02',
      }),
    ).toEqual([]);
    expect(
      findingsOf('patient-born-after-visit', cleanCoding(), {
        ...FACTS,
        patientBirthDate: '2026-03',
      }),
    ).toEqual([]);
  });

  it('visit-ends-before-start: blocks a visit ending before it starts, by day or by time', () => {
    const at = (start: string, end: string) =>
      findingsOf('visit-ends-before-start', cleanCoding(), {
        ...FACTS,
        visitPeriod: { start, end },
      });
    expect(at('2026-03-02T10:00:00Z', '2026-03-01T10:30:00Z')).toMatchObject([
      { severity: 'error' },
    ]);
    expect(at('2026-03-02T10:00:00Z', '2026-03-02T09:30:00Z')).toHaveLength(1);
    expect(at('2026-03-02T10:00:00Z', '2026-03-02T10:30:00Z')).toEqual([]);
    // A date-only end means the whole day.
    expect(at('2026-03-02T10:00:00Z', '2026-03-02')).toEqual([]);
    expect(at('2026-03-02', '2026-03-02')).toEqual([]);
    // Instants in different offsets: 16:00Z then 17:00Z, though the local dates read backwards.
    expect(at('2026-03-03T01:00:00+09:00', '2026-03-02T17:00:00Z')).toEqual([]);
  });

  it('billing-provider-npi: blocks a billing provider with no NPI or a wrong check digit', () => {
    const npi = (value?: string) =>
      findingsOf('billing-provider-npi', cleanCoding(), {
        ...FACTS,
        billingProvider: value === undefined ? {} : { npi: value },
      });
    expect(npi('1234567893')).toEqual([]);
    expect(npi('1234567890')).toMatchObject([
      { severity: 'error', message: expect.stringContaining('1234567890') as unknown },
    ]);
    expect(npi('123456789')).toHaveLength(1);
    expect(npi('12345678A3')).toHaveLength(1);
    expect(npi()).toMatchObject([{ message: expect.stringContaining('no NPI') as unknown }]);
    // Unknown billing provider (the app while coding): not checked.
    expect(findingsOf('billing-provider-npi', cleanCoding(), FACTS)).toEqual([]);
  });

  it('checks the NPI check digit as CMS computes it (Luhn with the 80840 prefix)', () => {
    expect(isValidNpi('1234567893')).toBe(true);
    expect(isValidNpi('1000000010')).toBe(false);
    expect(['1234567891', '1234567892', '1234567894'].map(isValidNpi)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('line-duplicate: blocks the same service twice, not a repeat with modifier 76 or another code', () => {
    const twice = { diagnoses: dx('I10'), lines: [line('36415'), line('36415')] };
    expect(findingsOf('line-duplicate', twice)).toMatchObject([
      { severity: 'error', target: { kind: 'line', index: 1 } },
    ]);
    const sameModifiers = {
      diagnoses: dx('I10'),
      lines: [
        line('93000', { modifiers: ['59', '76'] }),
        line('93000', { modifiers: ['76', '59'] }),
      ],
    };
    expect(findingsOf('line-duplicate', sameModifiers)).toHaveLength(1);
    const repeated = {
      diagnoses: dx('I10'),
      lines: [line('93000'), line('93000', { modifiers: ['76'] })],
    };
    expect(findingsOf('line-duplicate', repeated)).toEqual([]);
    expect(findingsOf('line-duplicate', cleanCoding())).toEqual([]);
  });

  it('em-office-per-day: blocks two office visits (or 2 units of one) on one claim', () => {
    const two = { diagnoses: dx('I10'), lines: [line('99213'), line('99214')] };
    expect(findingsOf('em-office-per-day', two)).toMatchObject([
      { severity: 'error', message: expect.stringContaining('99213, 99214') as unknown },
    ]);
    expect(
      findingsOf('em-office-per-day', {
        diagnoses: dx('I10'),
        lines: [line('99203', { units: 2 })],
      }),
    ).toHaveLength(1);
    // One office visit and a preventive visit (99396) is not two office visits.
    expect(
      findingsOf('em-office-per-day', {
        diagnoses: dx('I10'),
        lines: [line('99213', { modifiers: ['25'] }), line('99396')],
      }),
    ).toEqual([]);
    expect(findingsOf('em-office-per-day', cleanCoding())).toEqual([]);
  });
});

describe('impossible claims where the clinician codes', () => {
  it("the app's visit facts carry today and the visit period, so it shows the date edits while coding", () => {
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const encounter: Encounter = {
      resourceType: 'Encounter',
      status: 'in-progress',
      class: { code: 'AMB' },
      period: { start: tomorrow, end: '2020-01-01T00:00:00Z' },
    };
    const patient: Patient = { resourceType: 'Patient', birthDate: '1970-05-20' };
    const rules = runEdits(cleanCoding(), visitFacts(encounter, patient), starterCodeSet()).map(
      (f) => f.rule,
    );
    expect(rules).toEqual(expect.arrayContaining(['claim-future-date', 'visit-ends-before-start']));
    const today: Encounter = { ...encounter, period: { start: new Date().toISOString() } };
    expect(
      runEdits(cleanCoding(), visitFacts(today, patient), starterCodeSet()).map((f) => f.rule),
    ).not.toContain('claim-future-date');
  });

  it("chartbill scrub reads an encounter bundle's period for visit-ends-before-start", () => {
    const input = scrubInputFromBundle({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          resource: {
            resourceType: 'Encounter',
            id: 'e1',
            status: 'finished',
            period: { start: '2026-03-02T10:00:00Z', end: '2026-03-02T09:00:00Z' },
          },
        },
        {
          resource: {
            resourceType: 'Condition',
            id: 'd1',
            code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'I10' }] },
          },
        },
        {
          resource: {
            resourceType: 'ChargeItem',
            id: 'c1',
            status: 'billable',
            code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '99213' }] },
          },
        },
      ],
    });
    expect(runEdits(input.coding, input.facts, starterCodeSet()).map((f) => f.rule)).toContain(
      'visit-ends-before-start',
    );
  });
});
