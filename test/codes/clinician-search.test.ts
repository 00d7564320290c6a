import { beforeAll, describe, expect, it } from 'vitest';
import type { CodeSet } from '../../src/codes/code-set.ts';
import { loadCodeSets } from '../../src/codes/load-code-sets.ts';
import { CLINICIAN_QUERIES } from './clinician-queries.ts';
import { clinicianRelevance } from './clinician-relevance.ts';
import { freshDataDir, now } from './code-files.ts';

// The full sets ChartBill ships (nothing imported): what a fresh install searches.
let codes: CodeSet;

beforeAll(async () => {
  codes = (await loadCodeSets(await freshDataDir(), now)).codes;
}, 120_000);

const top = (query: string, limit = 5): string[] =>
  codes.search(query, 'diagnosis', limit).map((e) => e.code);

describe('search that forgives, over the shipped full sets', () => {
  it(`finds an accepted code in the top five for 95% of the ${String(CLINICIAN_QUERIES.length)} clinician queries, and first for 75%`, () => {
    expect(CLINICIAN_QUERIES.length).toBeGreaterThanOrEqual(250);
    const { top1, top5, misses } = clinicianRelevance(codes);
    expect(top5, `misses: ${misses.join(', ')}`).toBeGreaterThanOrEqual(0.95);
    expect(top1).toBeGreaterThanOrEqual(0.75);
  });

  it('accepts only codes that exist in the shipped sets', () => {
    const unknown = CLINICIAN_QUERIES.flatMap((c) =>
      c.accept.filter((code) => {
        const system = c.kind === 'diagnosis' ? 'icd10cm' : /^\d/.test(code) ? 'cpt' : 'hcpcs';
        return !codes.lookup(system, code);
      }),
    );
    expect(unknown).toEqual([]);
  });

  it("puts the Alphabetic Index's default code first", () => {
    expect(top('migraine')[0]).toBe('G43.909');
    expect(top('crohn')[0]).toBe('K50.90');
    expect(top('pneumonia')[0]).toBe('J18.9');
  });

  it('does not rank family history first for "diabetes"', () => {
    const found = codes.search('diabetes', 'diagnosis', 5);
    expect(found[0]?.code).toBe('E11.9');
    expect(found[0]?.display).not.toMatch(/history/i);
  });

  it.each([
    ['diabetis', 'E11.9'],
    ['hypertention', 'I10'],
    ['migrane', 'G43.909'],
    ['pnuemonia', 'J18.9'],
  ])('corrects the misspelling %s and finds %s first', (query, code) => {
    expect(top(query)[0]).toBe(code);
  });

  it('reads lay terms', () => {
    expect(top('broken wrist').some((c) => /^S(52\.5|62\.10)/.test(c))).toBe(true);
    expect(top('stomach flu')).toContain('A08.4');
    expect(top('dizzy')[0]).toBe('R42');
    expect(top('ear infection')[0]).toMatch(/^H66\.9/);
    expect(top('flu shot')[0]).toBe('Z23');
    expect(codes.search('flu shot', 'service', 5).map((e) => e.code)).toContain('G0008');
  });

  it('follows "see" and "see also" cross-references of the Index', () => {
    // "Crohn's disease — see Enteritis, regional"; "Flu — see also Influenza".
    expect(top("crohn's disease")[0]).toBe('K50.90');
    expect(top('heart attack')).toContain('I21.9');
    expect(top('flu')).toContain('J11.1');
  });

  it('retries without the side when ICD-10-CM has no laterality for the condition', () => {
    expect(top('left inguinal hernia')).toContain('K40.90');
    expect(top('right knee osteoarthritis')[0]).toBe('M17.11');
  });

  it('still finds nothing for words that are no code and no near miss', () => {
    expect(top('xqzvbn')).toEqual([]);
  });
});
