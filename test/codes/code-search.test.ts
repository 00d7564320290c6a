import { describe, expect, it } from 'vitest';
import { createCodeSet } from '../../src/codes/memory-code-set.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';

const codesOf = (entries: { code: string }[]): string[] => entries.map((e) => e.code);

describe('code search', () => {
  it('finds essential hypertension first when a clinician types "htn"', () => {
    expect(starterCodeSet().search('htn', 'diagnosis')[0]?.code).toBe('I10');
  });

  it('finds E11.9 whether typed "e119", "E11.9" or "e11.9"', () => {
    const codes = starterCodeSet();
    for (const query of ['e119', 'E11.9', 'e11.9']) {
      expect(codes.search(query, 'diagnosis')[0]?.code).toBe('E11.9');
    }
  });

  it('lists billable type 2 diabetes codes before the E11 category, whatever the word order', () => {
    const codes = starterCodeSet();
    for (const query of ['diabetes type 2', 'type 2 diabetes', 'diab type 2', 'dm2', 't2dm']) {
      const found = codes.search(query, 'diagnosis', 50);
      const category = found.findIndex((e) => e.code === 'E11');
      const firstBillable = found.findIndex((e) => e.billable && e.code.startsWith('E11.'));
      expect(firstBillable, query).toBe(0);
      expect(category === -1 || category > firstBillable, query).toBe(true);
      expect(
        found.every((e) => e.code.startsWith('E11')),
        query,
      ).toBe(true);
    }
  });

  it('puts the exact code first when a category is typed, then its codes', () => {
    const found = starterCodeSet().search('e11', 'diagnosis', 50);
    expect(found[0]?.code).toBe('E11');
    expect(codesOf(found)).toContain('E11.65');
  });

  it('matches word prefixes in any order and ignores case', () => {
    const codes = starterCodeSet();
    expect(codesOf(codes.search('HYPERTEN', 'diagnosis'))).toContain('I10');
    expect(codesOf(codes.search('pain back low', 'diagnosis'))).toContain('M54.50');
  });

  it.each([
    ['copd', 'J44'],
    ['chf', 'I50'],
    ['uti', 'N39.0'],
    ['uri', 'J06.9'],
    ['afib', 'I48'],
    ['gerd', 'K21'],
    ['ckd', 'N18'],
    ['hld', 'E78.5'],
    ['n/v', 'R11.2'],
    ['lbp', 'M54.5'],
    ['mdd', 'F3'],
    ['gad', 'F41.1'],
  ])('expands the abbreviation %s to %s', (query, prefix) => {
    expect(starterCodeSet().search(query, 'diagnosis')[0]?.code.startsWith(prefix)).toBe(true);
  });

  it('finds the clinician\'s two words across an abbreviation ("dm2 ckd")', () => {
    expect(codesOf(starterCodeSet().search('dm2 ckd', 'diagnosis'))).toEqual(['E11.22']);
  });

  it('searches services by CPT number and HCPCS code, and modifiers separately', () => {
    const codes = starterCodeSet();
    expect(codes.search('99213', 'service')[0]?.code).toBe('99213');
    expect(codesOf(codes.search('992', 'service', 50))).toEqual(
      expect.arrayContaining(['99202', '99215']),
    );
    expect(codes.search('g0439', 'service')[0]?.code).toBe('G0439');
    expect(codes.search('25', 'modifier')[0]?.code).toBe('25');
    expect(codes.search('99213', 'diagnosis')).toEqual([]);
    expect(codes.search('hypertension', 'service')).toEqual([]);
  });

  it('returns nothing for an empty query or one that matches nothing', () => {
    const codes = starterCodeSet();
    expect(codes.search('   ', 'diagnosis')).toEqual([]);
    expect(codes.search('zzqx', 'diagnosis')).toEqual([]);
  });

  it('respects the result limit', () => {
    expect(starterCodeSet().search('pain', 'diagnosis', 3)).toHaveLength(3);
  });

  it('looks codes up with or without the dot, in any case', () => {
    const codes = starterCodeSet();
    expect(codes.lookup('icd10cm', 'E119')?.display).toBe(
      'Type 2 diabetes mellitus without complications',
    );
    expect(codes.lookup('icd10cm', 'e11.9')?.code).toBe('E11.9');
    expect(codes.lookup('hcpcs', 'g0439')?.code).toBe('G0439');
    expect(codes.lookup('modifier', ' xs')?.code).toBe('XS');
    expect(codes.lookup('cpt', 'E11.9')).toBeUndefined();
  });

  it('lists the next level of codes under a category', () => {
    const codes = starterCodeSet();
    const children = codesOf(codes.children('E11'));
    expect(children).toEqual(expect.arrayContaining(['E11.2', 'E11.6', 'E11.9']));
    expect(children.every((c) => /^E11\.[0-9A-Z]$/.test(c))).toBe(true);
    expect(codesOf(codes.children('e11.6'))).toEqual(expect.arrayContaining(['E11.64', 'E11.65']));
    expect(codes.children('E11.9')).toEqual([]);
  });

  it('answers a search well under a millisecond on the starter set', () => {
    const codes = starterCodeSet();
    const queries = [
      'htn',
      'diabetes type 2',
      'e11',
      'low back pain',
      'abdominal pain',
      'c',
      'cough',
      'r10',
    ];
    const start = performance.now();
    for (let i = 0; i < 100; i++) for (const q of queries) codes.search(q, 'diagnosis');
    const perQuery = (performance.now() - start) / (100 * queries.length);
    expect(perQuery).toBeLessThan(1);
  });

  it('works on any entries a site loads', () => {
    const codes = createCodeSet([
      { system: 'icd10cm', code: 'A00', display: 'Cholera', billable: false },
      {
        system: 'icd10cm',
        code: 'A00.0',
        display: 'Cholera due to Vibrio cholerae 01, biovar cholerae',
        billable: true,
      },
    ]);
    expect(codesOf(codes.search('vibrio', 'diagnosis'))).toEqual(['A00.0']);
    expect(codesOf(codes.search('cholera', 'diagnosis'))).toEqual(['A00.0', 'A00']);
    expect(codesOf(codes.children('A00'))).toEqual(['A00.0']);
  });
});
