import { describe, expect, it } from 'vitest';
import type {
  DiagnosisEntry,
  EncounterCoding,
  ServiceLine,
} from '../../src/coding/coding-model.ts';
import { mergeCoding } from '../../smart-app/ui/merge-coding.ts';

const I10: DiagnosisEntry = { code: 'I10', conditionId: 'c1', versionId: '1' };
const E785: DiagnosisEntry = { code: 'E78.5', conditionId: 'c2', versionId: '1' };
const VISIT: ServiceLine = {
  code: '99213',
  system: 'cpt',
  units: 1,
  modifiers: [],
  pointers: [1, 2],
  chargeItemId: 'ch1',
  versionId: '1',
};
const base: EncounterCoding = { diagnoses: [I10, E785], lines: [VISIT] };
const noKeys = (c: EncounterCoding) => ({
  diagnoses: c.diagnoses.map(() => undefined),
  lines: c.lines.map(() => undefined),
});

describe('merging two people’s coding after a write conflict', () => {
  it('keeps their added diagnosis and my added service, with pointers on the right diagnoses', () => {
    const theirs: EncounterCoding = {
      ...base,
      diagnoses: [...base.diagnoses, { code: 'E11.9', conditionId: 'c3', versionId: '1' }],
    };
    const mine: EncounterCoding = {
      ...base,
      lines: [
        ...base.lines,
        { code: '36415', system: 'cpt', units: 1, modifiers: [], pointers: [2] },
      ],
    };
    const merged = mergeCoding(
      base,
      mine,
      { diagnoses: [undefined, undefined], lines: [undefined, 'key-36415'] },
      theirs,
    );
    expect(merged.coding.diagnoses.map((d) => d.code)).toEqual(['I10', 'E78.5', 'E11.9']);
    expect(merged.coding.lines.map((l) => l.code)).toEqual(['99213', '36415']);
    expect(merged.coding.lines[1]?.pointers).toEqual([2]);
    expect(merged.keys.lines).toEqual([undefined, 'key-36415']);
    expect(merged.notes).toContain('They added diagnosis E11.9.');
  });

  it('applies my removal and my unit change on top of their reorder', () => {
    const theirs: EncounterCoding = {
      diagnoses: [E785, I10],
      lines: [{ ...VISIT, pointers: [2, 1], versionId: '2' }],
    };
    const mine: EncounterCoding = {
      diagnoses: [I10],
      lines: [{ ...VISIT, units: 2, pointers: [1] }],
    };
    const merged = mergeCoding(base, mine, noKeys(mine), theirs);
    expect(merged.coding.diagnoses.map((d) => d.code)).toEqual(['I10']);
    expect(merged.coding.lines[0]).toMatchObject({ units: 2, pointers: [1], versionId: '2' });
  });

  it('keeps their version of a line we both changed and says so', () => {
    const theirs: EncounterCoding = {
      ...base,
      lines: [{ ...VISIT, modifiers: ['25'], versionId: '2' }],
    };
    const mine: EncounterCoding = { ...base, lines: [{ ...VISIT, units: 3 }] };
    const merged = mergeCoding(base, mine, noKeys(mine), theirs);
    expect(merged.coding.lines[0]).toMatchObject({ modifiers: ['25'], units: 1, versionId: '2' });
    expect(merged.notes).toContain('You both changed 99213; their version is kept.');
  });
});
