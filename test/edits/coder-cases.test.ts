/**
 * The coder's cases (coder-cases.ts, coder-cases-more.ts) through the worker's scrub stage and
 * `chartbill scrub`, on the shipped full code sets and a data folder filled by the real imports:
 * each case fires exactly the findings a certified coder expects, the same in both.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/coding/coding-model.ts';
import {
  caseWorld,
  cliFindings,
  summarize,
  workerFindings,
  type CaseWorld,
} from './coder-case-runner.ts';
import { CODER_CASES_A, type CoderCase } from './coder-cases.ts';
import { CODER_CASES_B } from './coder-cases-more.ts';

const CASES: readonly CoderCase[] = [...CODER_CASES_A, ...CODER_CASES_B];

let world: CaseWorld;
beforeAll(async () => {
  world = await caseWorld();
}, 120_000);

/** The finding `rule target` names (`ncci-ptp line1`, `claim-timely-filing`). */
function findingAt(findings: readonly Finding[], key: string): Finding | undefined {
  const [rule, at] = key.split(' ');
  return findings.find((f) => {
    if (f.rule !== rule) return false;
    if (!at) return true;
    const where = f.target
      ? `${f.target.kind === 'diagnosis' ? 'dx' : 'line'}${f.target.index + 1}`
      : '';
    return where === at;
  });
}

function checkCase(c: CoderCase, findings: readonly Finding[]): void {
  expect(summarize(findings), c.why).toEqual([...c.fires].sort());
  for (const rule of c.silent ?? []) expect(findings.map((f) => f.rule)).not.toContain(rule);
  for (const [key, codes] of Object.entries(c.offers ?? {}))
    expect(findingAt(findings, key)?.suggestions, key).toEqual(expect.arrayContaining(codes));
  for (const [key, words] of Object.entries(c.says ?? {})) {
    const f = findingAt(findings, key);
    const text = `${f?.message ?? ''} ${f?.fix ?? ''}`;
    for (const w of words)
      if (w.startsWith('!')) expect(text, key).not.toContain(w.slice(1));
      else expect(text, key).toContain(w);
  }
  // A one-click fix for a non-billable code only ever offers billable codes (item 5).
  for (const f of findings.filter((x) => x.rule === 'dx-not-billable'))
    for (const code of f.suggestions ?? [])
      expect(world.codes.lookup('icd10cm', code)?.billable, code).toBe(true);
  // A pricing finding never suggests another code (USERS.md: codes follow the documentation).
  for (const f of findings.filter((x) => x.category === 'pricing'))
    expect(f.suggestions ?? []).toEqual([]);
}

describe('a certified coder’s cases, scrubbed as the worker and `chartbill scrub` scrub them', () => {
  it('has at least 40 cases, each with its reason, covering every rule the issue names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
    const fired = new Set(CASES.flatMap((c) => c.fires.map((f) => f.split(' ')[0])));
    for (const rule of [
      'dx-excludes1',
      'dx-not-billable',
      'dx-not-valid-on-date',
      'ncci-ptp',
      'em-needs-25',
      'ncci-mue',
      'medicare-preventive',
      'addon-without-primary',
      'line-duplicate',
      'em-office-per-day',
      'dx-hypertension-combination',
      'dx-diabetes-without-complications',
      'dx-age-conflict',
      'dx-sex-conflict',
      'line-pointer-out-of-range',
      'claim-timely-filing',
      'charge-unpriced',
      'em-level-above-documented',
    ])
      expect(fired, rule).toContain(rule);
  });

  for (const c of CASES) {
    it(`${c.id}: ${c.why}`, () => {
      const cli = cliFindings(c, world);
      checkCase(c, cli);
      if (c.claimOnly) return;
      const worker = workerFindings(c, world);
      checkCase(c, worker);
      expect(summarize(worker)).toEqual(summarize(cli));
    });
  }
});
