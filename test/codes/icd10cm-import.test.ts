import { beforeAll, describe, expect, it } from 'vitest';
import type { CodeSet } from '../../src/codes/code-set.ts';
import { importCodeFile, type ImportSummary } from '../../src/codes/import/import-code-file.ts';
import { loadCodeSets, type LoadedCodeSets } from '../../src/codes/load-code-sets.ts';
import { versionInForce } from '../../src/codes/version-in-force.ts';
import { invalidOnDate } from '../../src/edits/code-validity.ts';
import { runEdits } from '../../src/edits/run-edits.ts';
import { OFFICIAL, freshDataDir, now, storedFiles } from './code-files.ts';

// The CMS zip (order file + addenda) is parsed once for this file; tests only read the result.
let dataDir: string;
let orderSummary: ImportSummary;
let loaded: LoadedCodeSets;
let codes: CodeSet;

beforeAll(async () => {
  dataDir = await freshDataDir();
  orderSummary = await importCodeFile({ file: OFFICIAL.orderZip, dataDir, now });
  await importCodeFile({ file: OFFICIAL.notesJson, dataDir, now });
  loaded = await loadCodeSets(dataDir, now, { shipped: false });
  codes = loaded.codes;
}, 120_000);

describe('importing the ICD-10-CM FY2026 release from the CMS zip', () => {
  it('reads every line of the order file, with the billable flags, as FY2026', () => {
    expect(orderSummary).toMatchObject({
      kind: 'icd10cm-order',
      system: 'icd10cm',
      version: '2026',
      effectiveFrom: '2025-10-01',
      effectiveTo: '2026-09-30',
      total: 98_186,
      added: 98_186,
      retired: 0,
    });
    expect(codes.lookup('icd10cm', 'E11.9')).toMatchObject({
      display: 'Type 2 diabetes mellitus without complications',
      billable: true,
    });
    expect(codes.lookup('icd10cm', 'E11')?.billable).toBe(false);
    expect(codes.lookup('icd10cm', 'qa0')?.billable).toBe(false);
  });

  it('stores the release so start-up reads the stored files, not the CMS zip', async () => {
    expect(await storedFiles(dataDir)).toEqual([
      'icd10cm-codes-2026.json',
      'icd10cm-notes-2026.json',
    ]);
    expect(loaded.source).toBe('imported');
    expect(loaded.versions).toEqual([
      {
        system: 'icd10cm',
        version: '2026',
        effectiveFrom: '2025-10-01',
        effectiveTo: '2026-09-30',
      },
    ]);
  });

  it('makes a code added in FY2026 invalid for a 2024 visit and valid for a 2026 one', () => {
    const added = codes.lookup('icd10cm', 'E11.A');
    expect(added?.validFrom).toBe('2025-10-01');
    if (!added) return;
    expect(invalidOnDate(added, '2024-06-01')).toBe('it takes effect on 2025-10-01');
    expect(invalidOnDate(added, '2026-02-01')).toBeUndefined();
  });

  it('keeps codes FY2026 deleted, valid until 2025-09-30 and never offered as children', () => {
    const retired = codes.lookup('icd10cm', 'S30.1XXA');
    expect(retired).toMatchObject({ billable: true, validTo: '2025-09-30' });
    if (retired) expect(invalidOnDate(retired, '2026-01-15')).toBe('it was ended on 2025-09-30');
    expect(codes.children('S30.1').map((e) => e.code)).not.toContain('S30.1XXA');
  });

  it('does not date a code whose flag changed (G35 became a category) as new', () => {
    expect(codes.lookup('icd10cm', 'G35')).toMatchObject({ billable: false });
    expect(codes.lookup('icd10cm', 'G35')?.validFrom).toBeUndefined();
  });

  it('keeps G35 billable for a 2024 visit (the addenda say it was billable before FY2026), not for 2026', () => {
    expect(codes.lookup('icd10cm', 'G35')?.billableTo).toBe('2025-09-30');
    const coding = { diagnoses: [{ code: 'G35' }], lines: [] };
    const notBillable = (dateOfService: string) =>
      runEdits(coding, { dateOfService }, codes).filter((f) => f.rule === 'dx-not-billable');
    expect(notBillable('2024-06-01')).toEqual([]);
    expect(notBillable('2025-09-30')).toEqual([]);
    expect(notBillable('2026-02-01')).toHaveLength(1);
  });

  it('keeps FY2026 in force after 2026-09-30, flagged stale, rather than making every code invalid', () => {
    expect(versionInForce(codes, 'icd10cm', '2026-11-23')).toMatchObject({
      stale: true,
      predates: false,
      version: { version: '2026' },
    });
    expect(versionInForce(codes, 'icd10cm', '2026-03-01')?.stale).toBe(false);
    expect(loaded.warnings.join('\n')).toContain('ICD-10-CM 2026 ended on 2026-09-30');
    const e119 = codes.lookup('icd10cm', 'E11.9');
    if (e119) expect(invalidOnDate(e119, '2026-11-23')).toBeUndefined();
  });

  it('adds the FY2026 Tabular notes: Excludes1 ranges as prefixes, code first, use additional, inclusion terms', () => {
    expect(codes.lookup('icd10cm', 'E11')?.excludes1).toEqual(
      expect.arrayContaining(['E08', 'E09', 'E10', 'E13']),
    );
    expect(codes.lookup('icd10cm', 'I10')?.excludes1).toEqual(
      expect.arrayContaining(['O10', 'O11', 'O16']),
    );
    expect(codes.lookup('icd10cm', 'E11')?.useAdditional).toEqual(
      expect.arrayContaining(['Z79.4']),
    );
    expect(codes.lookup('icd10cm', 'N40.0')?.inclusionTerms).toContain('Enlarged prostate NOS');
    expect(codes.search('enlarged prostate', 'diagnosis', 5).map((e) => e.code)).toContain('N40.0');
  });

  it('marks categories whose codes need a 7th character', () => {
    expect(codes.lookup('icd10cm', 'S72.001')?.requiresSeventh).toBe(true);
    expect(codes.lookup('icd10cm', 'S93.401')?.requiresSeventh).toBe(true);
    expect(codes.lookup('icd10cm', 'E11.321')?.requiresSeventh).toBeUndefined();
    expect(codes.lookup('icd10cm', 'S72.001A')?.requiresSeventh).toBeUndefined();
  });
});
