import { describe, expect, it } from 'vitest';
import { createCodeSet } from '../../src/codes/memory-code-set.ts';
import { mergeCodeReleases, versionsOf } from '../../src/codes/merge-releases.ts';
import type { StoredCodes } from '../../src/codes/store/stored-release.ts';
import { versionInForce } from '../../src/codes/version-in-force.ts';
import { invalidOnDate } from '../../src/edits/code-validity.ts';

const release = (
  version: string,
  effectiveFrom: string,
  effectiveTo: string,
  rows: StoredCodes['rows'],
  more: Partial<StoredCodes> = {},
): StoredCodes => ({
  format: 'chartbill-codes/1',
  layer: 'codes',
  system: 'icd10cm',
  version,
  effectiveFrom,
  effectiveTo,
  source: { file: 'x', importedAt: '2026-01-01T00:00:00Z' },
  rows,
  ...more,
});

const fy2025 = release(
  '2025',
  '2024-10-01',
  '2025-09-30',
  [
    ['A00', 0, 'Cholera'],
    ['A00.0', 1, 'Cholera 01'],
    ['B88.0', 1, 'Other acariasis'],
  ],
  { added: ['A00.0'] },
);
const fy2026 = release('2026', '2025-10-01', '2026-09-30', [
  ['A00', 0, 'Cholera'],
  ['A00.0', 1, 'Cholera 01, revised'],
  ['B88.0', 0, 'Other acariasis'],
  ['B88.01', 1, 'Demodex'],
]);

describe('merging imported releases by effective date', () => {
  it('dates each code by the first release holding it and ends codes a later release dropped', () => {
    const older = release('2025', '2024-10-01', '2025-09-30', [
      ['C01', 1, 'Dropped in 2026'],
      ['A00', 0, 'Cholera'],
    ]);
    const entries = mergeCodeReleases([older, fy2026]);
    const byCode = new Map(entries.map((e) => [e.code, e]));
    expect(byCode.get('B88.01')?.validFrom).toBe('2025-10-01');
    expect(byCode.get('A00')?.validFrom).toBeUndefined();
    expect(byCode.get('C01')?.validTo).toBe('2025-09-30');
    const dropped = byCode.get('C01');
    if (dropped) expect(invalidOnDate(dropped, '2025-12-01')).toBe('it was ended on 2025-09-30');
  });

  it('takes descriptions and billable flags from the newest release, and the oldest release addenda as new codes', () => {
    const byCode = new Map(mergeCodeReleases([fy2025, fy2026]).map((e) => [e.code, e]));
    expect(byCode.get('A00.0')).toMatchObject({
      display: 'Cholera 01, revised',
      validFrom: '2024-10-01',
    });
    expect(byCode.get('B88.0')?.billable).toBe(false);
  });

  it('checks a date of service against the release in force then, the newest staying in force', () => {
    const codes = createCodeSet(mergeCodeReleases([fy2025, fy2026]), {
      versions: versionsOf([fy2025, fy2026]),
    });
    expect(versionInForce(codes, 'icd10cm', '2025-03-01')).toMatchObject({
      version: { version: '2025' },
      stale: false,
    });
    expect(versionInForce(codes, 'icd10cm', '2026-11-23')).toMatchObject({
      version: { version: '2026' },
      stale: true,
    });
    expect(versionInForce(codes, 'icd10cm', '2020-01-01')?.predates).toBe(true);
    expect(versionInForce(codes, 'hcpcs', '2026-01-01')).toBeUndefined();
  });
});
