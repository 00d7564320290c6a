import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OperationOutcome } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/fhir/systems.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MUE_JSON = fileURLToPath(
  new URL('../../../shared/data/ncci/mue_practitioner_2026q3.json', import.meta.url),
);

function chartbill(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/chartbill.js', ...args],
      { cwd: ROOT },
      (err, stdout, stderr) => {
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
      },
    );
  });
}

// Each run starts a Node process with tsx: seconds on an idle machine, far more on a busy one.
describe('chartbill ncci import', { timeout: 180_000 }, () => {
  it('loads the real 2026 Q3 MUE table, and scrub then applies it instead of the sandbox table', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-ncci-cli-'));
    const dataDir = join(dir, 'data');
    const imported = await chartbill('ncci', 'import', MUE_JSON, '--data-dir', dataDir);
    expect(imported.stdout).toContain('MUE: 15162 codes (MAI 1: 41, MAI 2: 5476, MAI 3: 9645)');
    expect(imported.code).toBe(0);
    // 99396 has an MUE of 0 for Medicare practitioners (preventive visits are not a Medicare benefit).
    const claim = {
      resourceType: 'Claim',
      status: 'draft',
      use: 'claim',
      created: '2026-08-03',
      patient: { reference: 'Patient/p1' },
      billablePeriod: { start: '2026-08-03' },
      // A Medicare patient (Source of Payment Typology 1): Medicare's MUE 0 for 99396 applies.
      contained: [
        {
          resourceType: 'Coverage',
          id: 'cov',
          status: 'active',
          type: { coding: [{ system: 'https://nahdo.org/sopt', code: '1' }] },
          beneficiary: { reference: 'Patient/p1' },
          payor: [{ display: 'Medicare' }],
        },
      ],
      insurance: [{ sequence: 1, focal: true, coverage: { reference: '#cov' } }],
      diagnosis: [
        {
          sequence: 1,
          diagnosisCodeableConcept: { coding: [{ system: SYSTEM.icd10cm, code: 'Z00.00' }] },
        },
      ],
      item: [
        {
          sequence: 1,
          productOrService: { coding: [{ system: SYSTEM.cpt, code: '99396' }] },
          quantity: { value: 1 },
          diagnosisSequence: [1],
        },
        {
          sequence: 2,
          productOrService: { coding: [{ system: SYSTEM.cpt, code: '99214' }] },
          quantity: { value: 3 },
          modifier: [{ coding: [{ code: '25' }] }],
          diagnosisSequence: [1],
        },
      ],
    };
    const file = join(dir, 'claim.json');
    await writeFile(
      file,
      JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: claim }] }),
    );
    const run = await chartbill('scrub', file, '--data-dir', dataDir, '--today', '2026-08-10');
    const outcome = JSON.parse(run.stdout) as OperationOutcome;
    expect(run.code).toBe(1);
    expect(
      outcome.issue.find((i) => i.details?.coding?.[0]?.code === 'ncci-mue')?.details?.text,
    ).toContain('the most allowed for one day is 2 (NCCI MUE 2, MAI 3');
    // 99396 for a Medicare patient: Medicare's exclusion, with what to bill instead.
    expect(
      outcome.issue.find((i) => i.details?.coding?.[0]?.code === 'medicare-preventive')?.severity,
    ).toBe('error');
    expect(outcome.issue.at(-1)?.details?.text).toContain('CMS NCCI: mue_practitioner_2026q3.json');
  });

  it('refuses a broken file naming it, and stores nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-ncci-cli-'));
    const file = join(dir, 'ccipra-v322r0-f1.txt');
    await writeFile(
      file,
      'Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\tModifier\tPTP Edit Rationale\n93000\t93005\n',
    );
    const run = await chartbill('ncci', 'import', file, '--data-dir', join(dir, 'data'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ccipra-v322r0-f1.txt line 2: expected 7 fields');
    const status = await chartbill('ncci', 'status', '--data-dir', join(dir, 'data'));
    expect(status.stdout).toContain('Nothing imported');
  });
});
