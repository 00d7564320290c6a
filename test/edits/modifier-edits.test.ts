import { describe, expect, it } from 'vitest';
import type { ServiceIndicators } from '../../src/edits/edit-reference.ts';
import { dx, FACTS, findingsOf, line } from './edit-fixtures.ts';

// PC/TC and bilateral indicators as in the CY2025 PPRRVU file (71046: 1/0, 99213: 0/0, 20610: 0/1,
// 73560: 1/3, 92250: 1/2, 88305: 1/0, 27447: 0/1).
const INDICATORS: Record<string, ServiceIndicators> = {
  '71046': { pcTc: '1', bilateral: '0' },
  '99213': { pcTc: '0', bilateral: '0' },
  '20610': { pcTc: '0', bilateral: '1' },
  '73560': { pcTc: '1', bilateral: '3' },
  '92250': { pcTc: '1', bilateral: '2' },
};
const ref = { indicators: (code: string) => INDICATORS[code] };
const claim = (...lines: ReturnType<typeof line>[]) => ({ diagnoses: dx('M17.11'), lines });

describe('modifiers that must fit the service', () => {
  it('modifier-pctc: 26 and TC only where the PC/TC indicator splits the service', () => {
    expect(
      findingsOf(
        'modifier-pctc',
        claim(line('71046', { modifiers: ['26'] })),
        FACTS,
        undefined,
        ref,
      ),
    ).toEqual([]);
    expect(
      findingsOf(
        'modifier-pctc',
        claim(line('71046', { modifiers: ['TC'] })),
        FACTS,
        undefined,
        ref,
      ),
    ).toEqual([]);
    const [finding] = findingsOf(
      'modifier-pctc',
      claim(line('99213', { modifiers: ['26'] })),
      FACTS,
      undefined,
      ref,
    );
    expect(finding?.message).toContain('Modifier 26 does not apply to 99213');
    expect(finding?.message).toContain('PC/TC indicator 0');
    expect(findingsOf('modifier-pctc', claim(line('99213', { modifiers: ['26'] })))).toEqual([]);
  });

  it('modifier-50-not-allowed: 50 only with bilateral indicator 1 or 3', () => {
    expect(
      findingsOf(
        'modifier-50-not-allowed',
        claim(line('20610', { modifiers: ['50'] })),
        FACTS,
        undefined,
        ref,
      ),
    ).toEqual([]);
    expect(
      findingsOf(
        'modifier-50-not-allowed',
        claim(line('73560', { modifiers: ['50'] })),
        FACTS,
        undefined,
        ref,
      ),
    ).toEqual([]);
    expect(
      findingsOf(
        'modifier-50-not-allowed',
        claim(line('92250', { modifiers: ['50'] })),
        FACTS,
        undefined,
        ref,
      )[0]?.message,
    ).toContain('already covers both sides');
    expect(
      findingsOf(
        'modifier-50-not-allowed',
        claim(line('71046', { modifiers: ['50'] })),
        FACTS,
        undefined,
        ref,
      )[0]?.message,
    ).toContain('not a bilateral procedure');
  });

  it('modifier-50-with-side: LT/RT never with 50, nor LT with RT on one line', () => {
    expect(
      findingsOf('modifier-50-with-side', claim(line('20610', { modifiers: ['50', 'RT'] }))),
    ).toMatchObject([{ severity: 'error' }]);
    expect(
      findingsOf('modifier-50-with-side', claim(line('20610', { modifiers: ['LT', 'RT'] })))[0]
        ?.fix,
    ).toContain('modifier 50');
    expect(
      findingsOf(
        'modifier-50-with-side',
        claim(line('20610', { modifiers: ['RT'] }), line('20610', { modifiers: ['LT'] })),
      ),
    ).toEqual([]);
  });

  it('modifier-25-not-em: 25 belongs on a visit, not a procedure', () => {
    expect(
      findingsOf('modifier-25-not-em', claim(line('20610', { modifiers: ['25'] }))),
    ).toHaveLength(1);
    expect(
      findingsOf('modifier-25-not-em', claim(line('99213', { modifiers: ['25'] }), line('20610'))),
    ).toEqual([]);
  });
});
