import { describe, expect, it } from 'vitest';
import { dataCoverage } from '../../src/codes/data-coverage.ts';
import { loadCodeSets } from '../../src/codes/load-code-sets.ts';
import { importCodeFile } from '../../src/codes/import/import-code-file.ts';
import { createNcciTables, type MueEdit } from '../../src/ncci/ncci-tables.ts';
import { sandboxNcciTables } from '../../src/ncci/sandbox-ncci.ts';
import { FACTS, findingsOf, line, dx } from '../edits/edit-fixtures.ts';
import { freshDataDir, now, OFFICIAL } from './code-files.ts';

const mueRow = (code: string, value: number, effective: string): MueEdit => ({
  code,
  value,
  mai: 3,
  rationale: 'Clinical',
  effective,
});
const mueOnly = createNcciTables({
  source: 'CMS MUE test',
  ptp: [],
  mue: [mueRow('36415', 2, '2026-07-01')],
});

describe('saying which edits are off or dated (issue 16, item 2)', () => {
  it('says the ICD-10-CM, Tabular-notes and MCE edits are off with the starter set alone', async () => {
    const { codes } = await loadCodeSets(await freshDataDir(), now, { shipped: false });
    const notes = dataCoverage({ codes, dateOfService: '2026-03-02' });
    const edits = notes.filter((n) => n.kind === 'off').map((n) => n.edit);
    expect(edits).toEqual(
      expect.arrayContaining([
        'ICD-10-CM validity',
        'Excludes1, code first',
        'MCE age, manifestation',
        'NCCI PTP',
        'NCCI MUE',
        'PFS 26/TC, 50',
      ]),
    );
  });

  it('says Excludes1 and MCE are off when only the order file is imported', async () => {
    const dataDir = await freshDataDir();
    await importCodeFile({ file: OFFICIAL.orderZip, dataDir, now });
    const { codes } = await loadCodeSets(dataDir, now, { shipped: false });
    const notes = dataCoverage({ codes, dateOfService: '2026-03-02' });
    expect(notes.map((n) => n.edit)).toContain('Excludes1, code first');
    expect(notes.map((n) => n.edit)).toContain('MCE age, manifestation');
    expect(notes.map((n) => n.edit)).not.toContain('ICD-10-CM validity');
    const before = dataCoverage({ codes, dateOfService: '2025-03-02' });
    expect(before.find((n) => n.edit === 'ICD-10-CM validity')?.message).toContain(
      'the date of service 2025-03-02 is earlier',
    );
  }, 120_000);

  it('covers every code-set edit with the shipped sets in their quarter, names PTP as off, and dates the rest', async () => {
    const { codes } = await loadCodeSets(await freshDataDir(), now);
    const inQuarter = dataCoverage({
      codes,
      ncci: mueOnly,
      pfsName: 'PPRRVU2025_Oct',
      dateOfService: '2025-11-03',
    });
    expect(inQuarter.map((n) => [n.kind, n.edit])).toEqual([
      ['off', 'NCCI PTP'],
      ['dated', 'NCCI MUE'],
    ]);
    expect(inQuarter[0]?.message).toContain('no PTP table is loaded');
    const later = dataCoverage({
      codes,
      ncci: mueOnly,
      pfsName: 'PPRRVU2025_Oct',
      dateOfService: '2026-08-03',
    });
    expect(later.filter((n) => n.kind === 'dated').map((n) => n.edit)).toEqual([
      'HCPCS Level II validity',
      'CPT validity',
      'PFS 26/TC, 50',
    ]);
    expect(later.find((n) => n.edit === 'HCPCS Level II validity')?.message).toContain(
      'ended on 2025-12-31; the date of service 2026-08-03 is later',
    );
  }, 120_000);

  it('applies the only MUE table to an earlier date of service, and says so', () => {
    expect(mueOnly.mue('36415', '2026-03-02')?.value).toBe(2);
    const notes = dataCoverage({
      codes: { lookup: () => undefined, search: () => [], children: () => [] },
      ncci: mueOnly,
      dateOfService: '2026-03-02',
    });
    expect(notes.find((n) => n.edit === 'NCCI MUE')?.message).toContain(
      'the only table loaded is effective 2026-07-01; it is applied to the earlier date of service 2026-03-02',
    );
    // Two tables: each applies only from its own date.
    const two = createNcciTables({
      source: 'two',
      ptp: [],
      mue: [mueRow('36415', 2, '2026-07-01'), mueRow('36415', 3, '2026-04-01')],
    });
    expect(two.mue('36415', '2026-03-02')).toBeUndefined();
    expect(two.mue('36415', '2026-05-02')?.value).toBe(3);
  });

  it('names the sandbox PTP table as illustrative', () => {
    const notes = dataCoverage({
      codes: { lookup: () => undefined, search: () => [], children: () => [] },
      ncci: sandboxNcciTables(),
      dateOfService: FACTS.dateOfService,
    });
    expect(notes.find((n) => n.edit === 'NCCI PTP')?.message).toContain('sandbox table');
  });

  it('never says no PTP edit pairs two codes when no PTP table is loaded', () => {
    const coding = {
      diagnoses: dx('M17.11'),
      lines: [line('99214', { modifiers: ['59'] }), line('36415')],
    };
    expect(
      findingsOf('modifier-59-not-needed', coding, FACTS, undefined, { ncci: mueOnly }),
    ).toEqual([]);
  });
});
