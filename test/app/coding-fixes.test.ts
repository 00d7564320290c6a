import { describe, expect, it } from 'vitest';
import type { EncounterCoding, Finding } from '../../src/coding/coding-model.ts';
import type { CodeEntry } from '../../src/codes/code-set.ts';
import * as S from '../../smart-app/ui/coding-state.ts';

/** One-click fixes that change a code keep the claim's pointers on the same diagnoses (issue 16, item 3). */

const entry = (code: string, system: CodeEntry['system'] = 'icd10cm'): CodeEntry => ({
  system,
  code,
  display: `Display of ${code}`,
  billable: true,
});

function draft(): S.Draft {
  const coding: EncounterCoding = {
    diagnoses: [{ code: 'E11' }, { code: 'I10' }, { code: 'E10.9' }],
    lines: [
      {
        code: '99214',
        system: 'cpt',
        units: 1,
        modifiers: ['25'],
        pointers: [1, 2, 3],
        emDocumentation: { minutes: 22 },
      },
      { code: '83036', system: 'cpt', units: 1, modifiers: [], pointers: [3] },
    ],
  };
  return S.draftFrom(coding);
}

describe('one-click fixes that change a code', () => {
  it('replaces a category with the billable code chosen, pointers unchanged', () => {
    const next = S.replaceDiagnosisCode(draft(), 0, entry('E11.9'));
    expect(next.coding.diagnoses.map((d) => d.code)).toEqual(['E11.9', 'I10', 'E10.9']);
    expect(next.coding.lines.map((l) => l.pointers)).toEqual([[1, 2, 3], [3]]);
  });

  it('merges into a code already listed instead of listing it twice, moving the pointers', () => {
    const next = S.replaceDiagnosisCode(draft(), 2, entry('I10'));
    expect(next.coding.diagnoses.map((d) => d.code)).toEqual(['E11', 'I10']);
    expect(next.coding.lines.map((l) => l.pointers)).toEqual([[1, 2], [2]]);
  });

  it('keeps one code of an Excludes1 pair: the other goes, its lines point at the kept one', () => {
    const next = S.mergeDiagnosisInto(draft(), 2, 0);
    expect(next.coding.diagnoses.map((d) => d.code)).toEqual(['E11', 'I10']);
    expect(next.coding.lines.map((l) => l.pointers)).toEqual([[1, 2], [1]]);
    expect(next.keys.diagnoses).toHaveLength(2);
  });

  it('replaces a line’s code (99214 → 99213) keeping units, modifiers, pointers and the E/M basis', () => {
    const next = S.replaceLineCode(draft(), 0, entry('99213', 'cpt'));
    expect(next.coding.lines[0]).toMatchObject({
      code: '99213',
      system: 'cpt',
      modifiers: ['25'],
      pointers: [1, 2, 3],
      emDocumentation: { minutes: 22 },
    });
    const awv = S.replaceLineCode(draft(), 0, entry('G0439', 'hcpcs'));
    expect(awv.coding.lines[0]).toMatchObject({ code: 'G0439', system: 'hcpcs' });
    expect(awv.coding.lines[0]?.emDocumentation).toBeUndefined();
  });

  it('changes 25 to 57 (and back) instead of adding both; other modifiers are added', () => {
    expect(S.applyModifier(draft(), 0, '57').coding.lines[0]?.modifiers).toEqual(['57']);
    expect(S.applyModifier(draft(), 0, 'GY').coding.lines[0]?.modifiers).toEqual(['25', 'GY']);
    const f: Finding = {
      rule: 'em-needs-25',
      severity: 'warning',
      message: '',
      target: { kind: 'line', index: 0 },
    };
    expect(S.fixLabel(f, '57', draft().coding)).toBe('Change modifier 25 to 57');
    expect(S.fixLabel(f, '99213', draft().coding)).toBe('Use 99213');
    expect(S.fixLabel({ ...f, rule: 'dx-excludes1' }, 'E11.9', draft().coding)).toBe('Keep E11.9');
  });
});
