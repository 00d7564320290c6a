import { describe, expect, it } from 'vitest';
import { CodeFileError } from '../../src/codes/import/code-file-error.ts';
import type { ImportKind } from '../../src/codes/import/detect-kind.ts';
import { importCodeFile } from '../../src/codes/import/import-code-file.ts';
import { fixture, freshDataDir, now, storedFiles } from './code-files.ts';

async function refusal(name: string, kind?: ImportKind): Promise<CodeFileError> {
  const dataDir = await freshDataDir();
  const error = await importCodeFile({
    file: fixture(name),
    dataDir,
    now,
    ...(kind ? { kind } : {}),
  }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error, name).toBeInstanceOf(CodeFileError);
  expect(await storedFiles(dataDir), `${name}: nothing stored`).toEqual([]);
  return error as CodeFileError;
}

describe('importing a broken code file', () => {
  it('refuses an order file with a truncated line, naming the file and the line', async () => {
    const err = await refusal('icd10cm-order-truncated.txt', 'icd10cm-order');
    expect(err.line).toBe(3);
    expect(err.message).toContain('icd10cm-order-truncated.txt line 3');
    expect(err.message).toMatch(/truncated/);
    expect(err.message).toMatch(/Nothing was imported/);
  });

  it('refuses a file in the wrong layout for its kind at its first line', async () => {
    const err = await refusal('icd10cm-order-wrong-layout.txt', 'icd10cm-order');
    expect(err.line).toBe(1);
    expect(err.message).toContain('line 1: not an ICD-10-CM order file line');
  });

  it('refuses an empty file, whatever its kind', async () => {
    for (const kind of ['icd10cm-order', 'hcpcs', 'cpt', 'icd10cm-index', undefined] as const) {
      const err = await refusal('empty-code-file.txt', kind);
      expect(err.message, kind).toContain('empty-code-file.txt: the file is empty');
    }
  });

  it('refuses an HCPCS file whose last line was cut inside a quoted description', async () => {
    const err = await refusal('hcpcs-release-truncated.csv');
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/not closed/);
  });

  it('refuses a Tabular XML file that ends before its elements close', async () => {
    const err = await refusal('tabular_2025_truncated.xml');
    expect(err.message).toContain('tabular_2025_truncated.xml line');
    expect(err.line).toBeGreaterThan(0);
  });

  it('refuses a CPT file without the documented header, and an index row out of place', async () => {
    expect((await refusal('cpt_2026_bad_header.csv', 'cpt')).message).toContain(
      'line 1: the header does not name code, short_descriptor, long_descriptor',
    );
    const index = await refusal('ICD10CM_2025_Index_bad_level.csv');
    expect(index.line).toBe(3);
    expect(index.message).toMatch(/level '2'/);
  });

  it('refuses an ICD-10-CM order file handed in as HCPCS', async () => {
    const err = await refusal('icd10cm-order-truncated.txt', 'hcpcs');
    expect(err.message).toMatch(/line 1: no 'RECID' column|line 1: no 'HCPC' column/);
  });
});
