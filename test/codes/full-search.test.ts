import { beforeAll, describe, expect, it } from 'vitest';
import type { CodeSet } from '../../src/codes/code-set.ts';
import { loadCodeSets } from '../../src/codes/load-code-sets.ts';
import { freshDataDir, importFullSet, now } from './code-files.ts';
import { relevanceTop5 } from './relevance.ts';
import { RELEVANCE_SET } from './search-relevance-set.ts';

// The full ICD-10-CM FY2026 + HCPCS Oct 2025 sets, with notes and the Alphabetic Index, imported
// once for this file (the order file is parsed once); tests only search.
let codes: CodeSet;

beforeAll(async () => {
  const dataDir = await freshDataDir();
  await importFullSet(dataDir);
  codes = (await loadCodeSets(dataDir, now)).codes;
}, 180_000);

const codesOf = (query: string, kind: 'diagnosis' | 'service' = 'diagnosis', limit = 5): string[] =>
  codes.search(query, kind, limit).map((e) => e.code);

describe('search over the full ICD-10-CM and HCPCS sets', () => {
  it(`finds the expected code in the top five for at least 90% of the ${String(RELEVANCE_SET.length)}-query relevance set`, () => {
    expect(RELEVANCE_SET.length).toBeGreaterThanOrEqual(50);
    const { rate, misses } = relevanceTop5(codes);
    expect(rate, `misses: ${misses.join(', ')}`).toBeGreaterThanOrEqual(0.9);
  });

  it('finds a code typed with or without its dot, and puts it first', () => {
    for (const q of ['E11.9', 'e119', 'M54.50', 'm5450', 'S93.401A', 's93401a'])
      expect(codesOf(q)[0], q).toBe(
        q
          .toUpperCase()
          .replace(/^(\w{3})(\w)/, '$1.$2')
          .replace('..', '.'),
      );
  });

  it('lists billable type 2 diabetes codes before their categories, whatever the word order', () => {
    for (const q of ['type 2 diabetes', 'diabetes type 2', 'diab type 2', 'dm2']) {
      const found = codes.search(q, 'diagnosis', 30);
      expect(found[0]?.billable, q).toBe(true);
      const firstCategory = found.findIndex((e) => !e.billable);
      const lastBillable = found.map((e) => e.billable).lastIndexOf(true);
      expect(firstCategory === -1 || firstCategory > lastBillable, q).toBe(true);
    }
  });

  it('puts a category typed as a code first, with its children one step away', () => {
    expect(codesOf('E11')[0]).toBe('E11');
    expect(codes.children('E11').map((e) => e.code)).toEqual([
      'E11.0',
      'E11.1',
      'E11.2',
      'E11.3',
      'E11.4',
      'E11.5',
      'E11.6',
      'E11.8',
      'E11.9',
      'E11.A',
    ]);
    expect(codes.children('E11.9').map((e) => e.code)).toEqual([]);
  });

  it.each([
    ['htn', 'I10'],
    ['copd', 'J44.9'],
    ['chf', 'I50.9'],
    ['uti', 'N39.0'],
    ['uri', 'J06.9'],
    ['afib', 'I48.91'],
    ['gerd', 'K21.9'],
    ['ckd', 'N18.9'],
  ])('expands %s to %s among the first five', (query, code) => {
    expect(codesOf(query)).toContain(code);
  });

  it('finds codes by Alphabetic Index terms and inclusion terms not in their titles', () => {
    expect(codesOf('kidney stone')[0]).toBe('N20.0');
    expect(codesOf('enlarged prostate')).toContain('N40.0');
    expect(codesOf('shingles')).toContain('B02.9');
  });

  it('keeps diagnoses and services apart, and finds HCPCS by words and by code', () => {
    expect(codesOf('g0439', 'service')[0]).toBe('G0439');
    expect(codesOf('wheelchair standard', 'service')).toContain('K0001');
    expect(codesOf('wheelchair')).not.toContain('K0001');
    expect(
      codes
        .search('hypertension', 'service', 20)
        .every((e) => e.system === 'hcpcs' || e.system === 'cpt'),
    ).toBe(true);
    expect(codes.search('hypertension', 'diagnosis', 20).every((e) => e.system === 'icd10cm')).toBe(
      true,
    );
  });
});
