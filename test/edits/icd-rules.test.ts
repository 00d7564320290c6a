import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCodeSet } from '../../src/codes/memory-code-set.ts';
import { MCE_AGE_CATEGORIES } from '../../src/edits/mce-age-categories.ts';
import { cpt, dx, FACTS, findingsOf, icd, line } from './edit-fixtures.ts';

const DATA = new URL('../../../shared/data/', import.meta.url);
const visit = (...codes: string[]) => ({
  diagnoses: dx(...codes),
  lines: [line('99213', { pointers: codes.map((_, i) => i + 1).slice(0, 4) })],
});

describe('7th character and placeholder X', () => {
  it('dx-seventh-character: S93.401 needs a 7th character and offers A, D and S', () => {
    const [finding] = findingsOf('dx-seventh-character', visit('S93.401'));
    expect(finding?.severity).toBe('error');
    expect(finding?.message).toContain('S93.401 needs a 7th character');
    expect(finding?.message).toContain('S93.401A (initial encounter)');
    expect(finding?.suggestions).toEqual(['S93.401A', 'S93.401D', 'S93.401S']);
    expect(findingsOf('dx-not-billable', visit('S93.401'))).toEqual([]);
    expect(findingsOf('dx-seventh-character', visit('S93.401A'))).toEqual([]);
  });

  it('dx-placeholder-x: a short code gets X placeholders, a code missing them is corrected', () => {
    const [short] = findingsOf('dx-placeholder-x', visit('T78.40'));
    expect(short?.message).toContain('T78.40 needs the placeholder X and a 7th character');
    expect(short?.suggestions).toContain('T78.40XA');
    const [missing] = findingsOf('dx-placeholder-x', visit('I10', 'W19A'));
    expect(missing).toMatchObject({
      severity: 'error',
      suggestions: ['W19.XXXA'],
      target: { kind: 'diagnosis', index: 1 },
    });
    expect(findingsOf('dx-unknown', visit('I10', 'W19A'))).toEqual([]);
    expect(findingsOf('dx-placeholder-x', visit('T78.40XA', 'W19.XXXA'))).toEqual([]);
  });

  it('names each 7th character by what follows the parent title, commas and all', () => {
    const femur = 'Fracture of unspecified part of neck of right femur';
    const codes = createCodeSet([
      icd('S72.001', femur, { billable: false, requiresSeventh: true }),
      icd('S72.001A', `${femur}, initial encounter for closed fracture`),
      icd('S72.001C', `${femur}, initial encounter for open fracture type IIIA, IIIB, or IIIC`),
      cpt('99213'),
    ]);
    const [finding] = findingsOf('dx-seventh-character', visit('S72.001'), FACTS, codes);
    expect(finding?.message).toContain(
      'S72.001C (initial encounter for open fracture type IIIA, IIIB, or IIIC)',
    );
  });

  it('does not call a digit-completed subcategory a 7th-character case unless the code set says so', () => {
    const codes = createCodeSet([
      icd(
        'E11.321',
        'Type 2 diabetes mellitus with mild nonproliferative diabetic retinopathy with macular edema',
        { billable: false },
      ),
      icd(
        'E11.3211',
        'Type 2 diabetes mellitus with mild nonproliferative diabetic retinopathy with macular edema, right eye',
      ),
      cpt('99213'),
    ]);
    expect(findingsOf('dx-seventh-character', visit('E11.321'), FACTS, codes)).toEqual([]);
    expect(findingsOf('dx-not-billable', visit('E11.321'), FACTS, codes)).toHaveLength(1);
  });
});

describe('dx-excludes1', () => {
  const codes = createCodeSet([
    icd('E10', 'Type 1 diabetes mellitus', { billable: false, excludes1: ['E11'] }),
    icd('E10.9', 'Type 1 diabetes mellitus without complications'),
    icd('E11', 'Type 2 diabetes mellitus', {
      billable: false,
      excludes1: ['E10'],
      excludes2: ['E66'],
    }),
    icd('E11.9', 'Type 2 diabetes mellitus without complications'),
    icd('E66.9', 'Obesity, unspecified'),
    icd('I10', 'Essential (primary) hypertension'),
    cpt('99213'),
  ]);

  it('blocks two codes an inherited Excludes1 note separates, naming both and the note', () => {
    const [finding] = findingsOf('dx-excludes1', visit('E11.9', 'E10.9'), FACTS, codes);
    expect(finding).toMatchObject({
      severity: 'error',
      target: { kind: 'diagnosis', index: 1 },
      suggestions: ['E11.9', 'E10.9'],
    });
    expect(finding?.message).toContain('E11.9 and E10.9 cannot be reported together');
    expect(finding?.message).toContain(
      'Excludes1 note at E11 (Type 2 diabetes mellitus) lists E10 (Type 1 diabetes mellitus)',
    );
    expect(finding?.fix).toContain('I.A.12.a');
    expect(findingsOf('dx-excludes1', visit('E11.9', 'E10.9'), FACTS, codes)).toHaveLength(1);
  });

  it('finds nothing for an Excludes2 pair or unrelated codes', () => {
    expect(findingsOf('dx-excludes1', visit('E11.9', 'E66.9', 'I10'), FACTS, codes)).toEqual([]);
  });

  it('uses the FY2026 Tabular notes: E11 excludes E10 and E13 (real data)', () => {
    const notes = JSON.parse(
      readFileSync(
        new URL('icd10cm/fy2026-tabular-notes/icd10cm_instructional_notes_fy2026.json', DATA),
        'utf8',
      ),
    ) as { codes: Record<string, { excludes1_code_refs?: string[] }> };
    const e11 = notes.codes.E11?.excludes1_code_refs;
    expect(e11).toEqual(expect.arrayContaining(['E10', 'E13']));
    const real = createCodeSet([
      icd('E11', 'Type 2 diabetes mellitus', { billable: false, excludes1: e11 ?? [] }),
      icd('E11.9', 'T2DM'),
      icd('E13.9', 'Other specified diabetes mellitus without complications'),
      icd('I10', 'HTN'),
      cpt('99213'),
    ]);
    expect(findingsOf('dx-excludes1', visit('E13.9', 'E11.9'), FACTS, real)).toHaveLength(1);
    expect(findingsOf('dx-excludes1', visit('I10', 'E11.9'), FACTS, real)).toEqual([]);
  });
});

describe('age and sex conflicts', () => {
  const codes = createCodeSet([
    icd('P07.30', 'Preterm newborn, unspecified weeks of gestation', { ageGroup: 'newborn' }),
    icd('O80', 'Encounter for full-term uncomplicated delivery', {
      ageGroup: 'maternity',
      sex: 'female',
    }),
    icd('N40.0', 'Benign prostatic hyperplasia without lower urinary tract symptoms', {
      ageGroup: 'adult',
      sex: 'male',
    }),
    icd('I10', 'Essential (primary) hypertension'),
    cpt('99213'),
  ]);

  it('uses the MCE FY2026 age categories exactly as CMS publishes them', () => {
    const mce = JSON.parse(readFileSync(new URL('mce/mce_edits_fy2026.json', DATA), 'utf8')) as {
      age_categories: Record<string, { min_age: number; max_age: number }>;
    };
    for (const [group, range] of Object.entries(MCE_AGE_CATEGORIES)) {
      expect(mce.age_categories[group]).toEqual({ min_age: range.min, max_age: range.max });
    }
  });

  it('dx-age-conflict: newborn, maternity and adult codes outside their ages, not inside', () => {
    const at = (birth: string) => ({ dateOfService: '2026-03-02', patientBirthDate: birth });
    expect(
      findingsOf('dx-age-conflict', visit('P07.30'), at('2024-01-01'), codes)[0]?.message,
    ).toContain('newborns (age 0)');
    expect(findingsOf('dx-age-conflict', visit('P07.30'), at('2025-12-01'), codes)).toEqual([]);
    expect(
      findingsOf('dx-age-conflict', visit('O80'), at('1950-01-01'), codes)[0]?.message,
    ).toContain('maternity patients (9–64)');
    expect(findingsOf('dx-age-conflict', visit('O80'), at('1996-01-01'), codes)).toEqual([]);
    expect(findingsOf('dx-age-conflict', visit('N40.0'), at('2015-01-01'), codes)).toMatchObject([
      { severity: 'error', overridable: true },
    ]);
    // The coder's cases: a newborn code on a 45-year-old, a maternity code on a 70-year-old.
    expect(findingsOf('dx-age-conflict', visit('P07.30'), at('1981-01-01'), codes)).toMatchObject([
      { severity: 'error', overridable: true },
    ]);
    expect(findingsOf('dx-age-conflict', visit('O80'), at('1956-01-01'), codes)).toMatchObject([
      { severity: 'error', overridable: true },
    ]);
    expect(findingsOf('dx-age-conflict', visit('I10'), at('2015-01-01'), codes)).toEqual([]);
  });

  it('dx-sex-conflict: warns, saying CMS switched its edit off, and only on a real mismatch', () => {
    const [finding] = findingsOf(
      'dx-sex-conflict',
      visit('N40.0'),
      { ...FACTS, patientSex: 'female' },
      codes,
    );
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toContain('CMS switched its sex-conflict edit off on 2024-10-01');
    expect(
      findingsOf('dx-sex-conflict', visit('N40.0'), { ...FACTS, patientSex: 'male' }, codes),
    ).toEqual([]);
    expect(
      findingsOf('dx-sex-conflict', visit('O80'), { ...FACTS, patientSex: 'unknown' }, codes),
    ).toEqual([]);
    expect(
      findingsOf('dx-sex-conflict', visit('O80'), { ...FACTS, patientSex: 'male' }, codes),
    ).toHaveLength(1);
  });
});

describe('manifestation flag and release in force', () => {
  it('dx-manifestation-first: follows the code set flag and names the code-first note', () => {
    const codes = createCodeSet([
      icd('D63.1', 'Anemia in chronic kidney disease', { manifestation: true, codeFirst: ['N18'] }),
      icd('N18.4', 'Chronic kidney disease, stage 4 (severe)'),
      icd('G63', 'Polyneuropathy in diseases classified elsewhere', { manifestation: false }),
      cpt('99213'),
    ]);
    const [finding] = findingsOf('dx-manifestation-first', visit('D63.1', 'N18.4'), FACTS, codes);
    expect(finding?.fix).toContain('"code first" N18');
    expect(findingsOf('dx-manifestation-first', visit('N18.4', 'D63.1'), FACTS, codes)).toEqual([]);
    // The imported MCE flag is authoritative over the title's wording.
    expect(findingsOf('dx-manifestation-first', visit('G63', 'N18.4'), FACTS, codes)).toEqual([]);
  });

  it('codes-release-stale: warns when the visit is after the newest imported ICD-10-CM release', () => {
    const codes = createCodeSet([icd('I10', 'HTN'), cpt('99213')], {
      versions: [
        {
          system: 'icd10cm',
          version: '2026',
          effectiveFrom: '2025-10-01',
          effectiveTo: '2026-09-30',
        },
      ],
    });
    expect(
      findingsOf('codes-release-stale', visit('I10'), { dateOfService: '2026-11-23' }, codes)[0]
        ?.message,
    ).toContain('FY2026');
    expect(
      findingsOf('codes-release-stale', visit('I10'), { dateOfService: '2024-05-01' }, codes),
    ).toHaveLength(1);
    expect(
      findingsOf('codes-release-stale', visit('I10'), { dateOfService: '2026-03-02' }, codes),
    ).toEqual([]);
  });
});
