import { describe, expect, it } from 'vitest';
import { createCodeSet } from '../../src/codes/memory-code-set.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { cleanCoding, dx, FACTS, findingsOf, line } from './edit-fixtures.ts';

describe('diagnosis edits', () => {
  it('dx-unknown: reports a code not in the code set, with nearby codes', () => {
    const [finding] = findingsOf('dx-unknown', { diagnoses: dx('E11.99'), lines: [line('99213')] });
    expect(finding).toMatchObject({ severity: 'error', target: { kind: 'diagnosis', index: 0 } });
    expect(finding?.message).toContain('E11.99');
    expect(finding?.suggestions?.length).toBeGreaterThan(0);
    expect(findingsOf('dx-unknown', cleanCoding())).toEqual([]);
  });

  it('dx-not-billable: names the category and offers its codes', () => {
    const [finding] = findingsOf('dx-not-billable', {
      diagnoses: dx('E11'),
      lines: [line('99213')],
    });
    expect(finding?.severity).toBe('error');
    expect(finding?.message).toMatch(
      /^E11 is a category, not a billable code: choose one of E11\.\d–E11\.[0-9A-Z]\.$/,
    );
    // Only billable codes are offered: E11.9 and E11.65, never the subcategory E11.6.
    expect(finding?.suggestions).toEqual(expect.arrayContaining(['E11.9', 'E11.65']));
    const starter = starterCodeSet();
    expect(finding?.suggestions?.every((c) => starter.lookup('icd10cm', c)?.billable)).toBe(true);
    expect(finding?.suggestions).not.toContain('E11.6');
    const [sub] = findingsOf('dx-not-billable', { diagnoses: dx('E11.6'), lines: [line('99213')] });
    expect(sub?.message).toContain('E11.6 is a subcategory');
    expect(sub?.suggestions).toContain('E11.65');
    expect(findingsOf('dx-not-billable', cleanCoding())).toEqual([]);
  });

  it('dx-not-valid-on-date: reports a code outside its validity on the date of service', () => {
    const codes = createCodeSet([
      {
        system: 'icd10cm',
        code: 'U09.9',
        display: 'Post COVID-19 condition, unspecified',
        billable: true,
        validFrom: '2021-10-01',
      },
      { system: 'cpt', code: '99213', display: 'Visit', billable: true },
    ]);
    const coding = { diagnoses: dx('U09.9'), lines: [line('99213')] };
    const [finding] = findingsOf(
      'dx-not-valid-on-date',
      coding,
      { dateOfService: '2021-06-01' },
      codes,
    );
    expect(finding?.message).toContain('2021-10-01');
    expect(
      findingsOf('dx-not-valid-on-date', coding, { dateOfService: '2021-10-01' }, codes),
    ).toEqual([]);
  });

  it('dx-duplicate: warns about a diagnosis listed twice, however it is spelled', () => {
    const [finding] = findingsOf('dx-duplicate', {
      diagnoses: dx('I10', 'E11.9', 'e119'),
      lines: [line('99213')],
    });
    expect(finding).toMatchObject({ severity: 'warning', target: { kind: 'diagnosis', index: 2 } });
    expect(finding?.message).toContain('diagnoses 2 and 3');
    expect(findingsOf('dx-duplicate', cleanCoding())).toEqual([]);
  });

  it('dx-external-cause-first: blocks an external cause code listed first and offers the injury', () => {
    const [finding] = findingsOf('dx-external-cause-first', {
      diagnoses: dx('W19.XXXA', 'S93.401A'),
      lines: [line('99213')],
    });
    expect(finding).toMatchObject({ severity: 'error', suggestions: ['S93.401A'] });
    expect(
      findingsOf('dx-external-cause-first', {
        diagnoses: dx('S93.401A', 'W19.XXXA'),
        lines: [line('99213')],
      }),
    ).toEqual([]);
  });

  it('dx-manifestation-first: blocks a manifestation code listed before its underlying disease', () => {
    const [finding] = findingsOf('dx-manifestation-first', {
      diagnoses: dx('D63.1', 'N18.4'),
      lines: [line('99213')],
    });
    expect(finding?.message).toContain('D63.1');
    expect(
      findingsOf('dx-manifestation-first', {
        diagnoses: dx('G63', 'E11.42'),
        lines: [line('99213')],
      }),
    ).toHaveLength(1);
    expect(
      findingsOf('dx-manifestation-first', {
        diagnoses: dx('N18.4', 'D63.1'),
        lines: [line('99213', { pointers: [1, 2] })],
      }),
    ).toEqual([]);
  });

  it('dx-age-conflict: a child well visit code for an adult is an error the clinician can override with a reason', () => {
    const coding = { diagnoses: dx('Z00.129'), lines: [line('99393')] };
    const [finding] = findingsOf('dx-age-conflict', coding, {
      ...FACTS,
      patientBirthDate: '1980-01-01',
    });
    expect(finding).toMatchObject({ severity: 'error', overridable: true });
    const kept = {
      ...coding,
      diagnoses: [
        {
          code: 'Z00.129',
          overrides: [{ rule: 'dx-age-conflict', reason: 'Developmental delay' }],
        },
      ],
    };
    const [overridden] = findingsOf('dx-age-conflict', kept, {
      ...FACTS,
      patientBirthDate: '1980-01-01',
    });
    expect(overridden).toMatchObject({ severity: 'warning' });
    expect(overridden?.message).toContain('Kept by the clinician: Developmental delay');
    const blank = {
      ...coding,
      diagnoses: [{ code: 'Z00.129', overrides: [{ rule: 'dx-age-conflict', reason: ' ' }] }],
    };
    expect(
      findingsOf('dx-age-conflict', blank, { ...FACTS, patientBirthDate: '1980-01-01' })[0]
        ?.severity,
    ).toBe('error');
    expect(finding?.message).toContain('46');
    expect(
      findingsOf('dx-age-conflict', coding, { ...FACTS, patientBirthDate: '2018-07-01' }),
    ).toEqual([]);
    expect(findingsOf('dx-age-conflict', coding, { dateOfService: FACTS.dateOfService })).toEqual(
      [],
    );
  });
});
