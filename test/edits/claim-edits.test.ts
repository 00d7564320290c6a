import { describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { hasBlockingErrors, runEdits } from '../../src/edits/run-edits.ts';
import { cleanCoding, dx, FACTS, findingsOf, line } from './edit-fixtures.ts';

describe('claim-level edits', () => {
  it('finds nothing wrong with a clean visit', () => {
    const findings = runEdits(cleanCoding(), FACTS, starterCodeSet());
    expect(findings).toEqual([]);
    expect(hasBlockingErrors(findings)).toBe(false);
  });

  it('claim-no-diagnoses: blocks a visit without a diagnosis', () => {
    const coding = { diagnoses: [], lines: [line('99213', { pointers: [] })] };
    expect(findingsOf('claim-no-diagnoses', coding)).toMatchObject([{ severity: 'error' }]);
    expect(findingsOf('claim-no-diagnoses', cleanCoding())).toEqual([]);
  });

  it('claim-no-lines: blocks a visit with nothing to bill', () => {
    expect(findingsOf('claim-no-lines', { diagnoses: dx('I10'), lines: [] })).toMatchObject([
      { severity: 'error' },
    ]);
    expect(findingsOf('claim-no-lines', cleanCoding())).toEqual([]);
  });

  it('claim-max-diagnoses: blocks a 13th diagnosis and names those no line points to', () => {
    const twelve = [
      'I10',
      'E11.9',
      'E78.5',
      'J44.9',
      'K21.9',
      'M54.50',
      'F41.1',
      'E03.9',
      'E55.9',
      'D64.9',
      'R53.83',
      'N39.0',
    ];
    const ok = { diagnoses: dx(...twelve), lines: [line('99214', { pointers: [1, 2, 3, 4] })] };
    expect(findingsOf('claim-max-diagnoses', ok)).toEqual([]);
    const over = { ...ok, diagnoses: dx(...twelve, 'R42') };
    const [finding] = findingsOf('claim-max-diagnoses', over);
    expect(finding?.message).toContain('13 diagnoses');
    expect(finding?.suggestions).toContain('R42');
    expect(finding?.suggestions).not.toContain('I10');
  });

  it('sorts errors before warnings and reports blocking errors', () => {
    const coding = { diagnoses: dx('E11', 'E11'), lines: [line('99213')] };
    const findings = runEdits(coding, FACTS, starterCodeSet());
    const severities = findings.map((f) => f.severity);
    expect(severities).toEqual([...severities].sort());
    expect(hasBlockingErrors(findings)).toBe(true);
    expect(hasBlockingErrors(findings.filter((f) => f.severity === 'warning'))).toBe(false);
  });
});
