import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fixture, freshDataDir, storedFiles } from './code-files.ts';

const BIN = fileURLToPath(new URL('../../bin/chartbill.js', import.meta.url));

async function chartbill(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('chartbill codes import and search', () => {
  it('imports a CPT file, prints the summary, and then searches the imported descriptors', async () => {
    const dataDir = await freshDataDir();
    const imported = await chartbill(
      'codes',
      'import',
      fixture('cpt_2026_fake.tsv'),
      '--data-dir',
      dataDir,
    );
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(
      'Imported cpt codes 2026 (cpt), in force 2026-01-01 to 2026-12-31.',
    );
    expect(imported.stdout).toContain(
      '3 codes: 3 added, 0 changed, 0 retired (nothing stored before).',
    );
    // Not a terminal: no progress bar on stderr.
    expect(imported.stderr).not.toContain('[#');
    const found = await chartbill(
      'codes',
      'search',
      'office made up',
      '--kind',
      'service',
      '--data-dir',
      dataDir,
    );
    expect(found.stdout).toMatch(/^99213 +FAKE long descriptor for an office visit/m);
  }, 60_000);

  it('refuses a broken file with exit code 1, naming the file and line, and stores nothing', async () => {
    const dataDir = await freshDataDir();
    const refused = await chartbill(
      'codes',
      'import',
      fixture('icd10cm-order-truncated.txt'),
      '--data-dir',
      dataDir,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('icd10cm-order-truncated.txt line 3: the line is truncated');
    expect(await storedFiles(dataDir)).toEqual([]);
  }, 60_000);
});
