import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importNcciFiles } from '../../src/ncci/import-ncci-files.ts';
import { loadNcciTables } from '../../src/ncci/ncci-store.ts';
import { parseMueCsv, parseMueJson } from '../../src/ncci/parse-mue.ts';
import { parsePtpText } from '../../src/ncci/parse-ptp.ts';
import { readNcciFile } from '../../src/ncci/read-ncci-file.ts';
import { SANDBOX_MUE } from '../../src/ncci/sandbox-ncci.ts';

const MUE_JSON = new URL('../../../shared/data/ncci/mue_practitioner_2026q3.json', import.meta.url);

/** A practitioner PTP part in the CMS layout: notice, header, legend rows, then edits (tabs). */
const PTP_TEXT = [
  'CPT codes, descriptions and other data only are copyright 2025 American Medical Association. All Rights Reserved.',
  'Column1/Column2 Edits',
  'Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\tModifier\tPTP Edit Rationale',
  '\t\t\t\t*=no data\t0=not allowed\t',
  '\t\t\t\t\t1=allowed\t',
  '\t\t\t\t\t9=not applicable\t',
  '93000\t93005\t*\t19960101\t*\t0\tMutually exclusive procedures',
  '97530\t97140\t\t20200101\t*\t1\tMisuse of column two code with column one code',
  '20610\t99213\t\t20190101\t20200101\t9\tStandards of medical / surgical practice',
  '',
].join('\r\n');

const MUE_CSV = [
  '"CPT codes, descriptions and other data only are copyright 2025 American Medical Association.',
  'All Rights Reserved. Applicable FARS/DFARS Apply."',
  'HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale',
  '99213,2,3 Date of Service Edit: Clinical,Clinical: Data',
  '83036,1,2 Date of Service Edit: Policy,Code Descriptor / CPT Instruction',
  'A0425,250,1 Line Edit,Clinical: Data',
  '',
].join('\r\n');

const tmp = (): Promise<string> => mkdtemp(join(tmpdir(), 'chartbill-ncci-'));
const src = (name: string, text: string) => ({ name, text });

describe('CMS practitioner PTP files', () => {
  it('reads edits, the prior-1996 mark, deletion dates and modifier indicators', () => {
    const edits = parsePtpText(src('ccipra-v322r0-f1.txt', PTP_TEXT));
    expect(edits).toHaveLength(3);
    expect(edits[0]).toEqual({
      column1: '93000',
      column2: '93005',
      priorTo1996: true,
      effective: '1996-01-01',
      modifierIndicator: '0',
      rationale: 'Mutually exclusive procedures',
    });
    expect(edits[2]).toMatchObject({ deleted: '2020-01-01', modifierIndicator: '9' });
  });

  it('refuses a truncated line, a wrong layout and an empty file, naming the line', () => {
    const truncated = PTP_TEXT.replace(
      '97530\t97140\t\t20200101\t*\t1\tMisuse of column two code with column one code',
      '97530\t97140\t\t2020',
    );
    expect(() => parsePtpText(src('f1.txt', truncated))).toThrow(
      /f1\.txt line 8: expected 7 fields .* truncated.*Nothing was imported/,
    );
    const badDate = PTP_TEXT.replace('20200101\t*\t1', '2020-01-01\t*\t1');
    expect(() => parsePtpText(src('f1.txt', badDate))).toThrow(
      /line 8: effective date '2020-01-01' is not YYYYMMDD/,
    );
    const swapped = PTP_TEXT.replace(
      'Effective Date\tDeletion Date',
      'Deletion Date\tEffective Date',
    );
    expect(() => parsePtpText(src('f1.txt', swapped))).toThrow(/line 3: wrong layout: column 4/);
    expect(() => parsePtpText(src('f1.txt', MUE_CSV))).toThrow(
      /f1\.txt: wrong layout: no 'Column 1 \/ Column 2' header/,
    );
    expect(() => parsePtpText(src('f1.txt', ''))).toThrow(/f1\.txt: the file is empty/);
  });

  it('imports the quarterly zip parts together and loads them at start-up', async () => {
    const dir = await tmp();
    const part1 = join(dir, 'ccipra-v322r0-f1.zip');
    const part2 = join(dir, 'ccipra-v322r0-f2.zip');
    await writeFile(part1, zipSync({ 'ccipra-v322r0-f1.txt': new TextEncoder().encode(PTP_TEXT) }));
    await writeFile(
      part2,
      zipSync({
        'ccipra-v322r0-f2.txt': new TextEncoder().encode(
          PTP_TEXT.replace('93000\t93005', '93000\t93010'),
        ),
      }),
    );
    const dataDir = join(dir, 'data');
    const summary = await importNcciFiles(
      [part1, part2],
      dataDir,
      () => new Date('2026-11-23T12:00:00Z'),
    );
    expect(summary.ptp).toMatchObject({ edits: 6, active: 4 });
    const tables = await loadNcciTables(dataDir);
    expect(tables?.ptp('93000', '93010', '2026-11-23')?.modifierIndicator).toBe('0');
    expect(tables?.ptp('20610', '99213', '2026-11-23')).toBeUndefined();
    expect(tables?.ptp('20610', '99213', '2019-06-01')?.modifierIndicator).toBe('9');
    expect(tables?.source).toContain('ccipra-v322r0-f1.zip');
  });

  it('stores nothing when one of the files is broken', async () => {
    const dir = await tmp();
    const good = join(dir, 'f1.txt');
    const bad = join(dir, 'f2.txt');
    await writeFile(good, PTP_TEXT);
    await writeFile(bad, PTP_TEXT.replace('\t*\t0\t', '\t*\t7\t'));
    await expect(importNcciFiles([good, bad], join(dir, 'data'), () => new Date())).rejects.toThrow(
      /f2\.txt line 7: modifier indicator '7' is not 0, 1 or 9/,
    );
    await expect(readdir(join(dir, 'data'))).rejects.toThrow();
    expect(await loadNcciTables(join(dir, 'data'))).toBeUndefined();
  });
});

describe('CMS practitioner MUE tables', () => {
  it('reads the real 2026 Q3 table (JSON): 15,162 codes, MAI 1/2/3 counts as CMS ships them', async () => {
    const edits = parseMueJson(
      src('mue_practitioner_2026q3.json', await readFile(MUE_JSON, 'utf8')),
    );
    expect(edits).toHaveLength(15_162);
    const byMai = [1, 2, 3].map((m) => edits.filter((e) => e.mai === m).length);
    expect(byMai).toEqual([41, 5_476, 9_645]);
    expect(edits.find((e) => e.code === '99213')).toEqual({
      code: '99213',
      value: 2,
      mai: 3,
      rationale: 'Clinical: Data',
      effective: '2026-07-01',
    });
  });

  it('the sandbox MUE rows carry the real 2026 Q3 values', async () => {
    const real = new Map(
      parseMueJson(src('mue.json', await readFile(MUE_JSON, 'utf8'))).map((e) => [e.code, e]),
    );
    for (const row of SANDBOX_MUE)
      expect(real.get(row.code), row.code).toMatchObject({
        value: row.value,
        mai: row.mai,
        rationale: row.rationale,
      });
  });

  it('reads the CMS CSV layout under its quoted notice', () => {
    expect(parseMueCsv(src('MCR_MUE_PractitionerServices.csv', MUE_CSV))).toEqual([
      { code: '99213', value: 2, mai: 3, rationale: 'Clinical: Data' },
      { code: '83036', value: 1, mai: 2, rationale: 'Code Descriptor / CPT Instruction' },
      { code: 'A0425', value: 250, mai: 1, rationale: 'Clinical: Data' },
    ]);
  });

  it('refuses a truncated line, a wrong layout and an empty file, naming the line or record', () => {
    expect(() =>
      parseMueCsv(
        src(
          'm.csv',
          MUE_CSV.replace(
            '83036,1,2 Date of Service Edit: Policy,Code Descriptor / CPT Instruction',
            '83036',
          ),
        ),
      ),
    ).toThrow(/m\.csv line 5: expected 3 or more fields, found 1/);
    expect(() =>
      parseMueCsv(src('m.csv', MUE_CSV.replace('99213,2,3 Date', '99213,two,3 Date'))),
    ).toThrow(/line 4: MUE value 'two'/);
    expect(() =>
      parseMueCsv(src('m.csv', MUE_CSV.replace('MUE Adjudication Indicator', 'Indicator'))),
    ).toThrow(/line 3: wrong layout: the header has no 'MUE Adjudication Indicator' column/);
    expect(() => parseMueCsv(src('m.csv', PTP_TEXT))).toThrow(
      /wrong layout: no 'HCPCS\/CPT Code … MUE' header/,
    );
    expect(() => parseMueCsv(src('m.csv', '  \n'))).toThrow(/m\.csv: the file is empty/);
    expect(() =>
      parseMueJson(
        src(
          'm.json',
          '[{"code": "99213", "mue_value": 2, "description": "3 Clinical: Data"}, {"code": "992',
        ),
      ),
    ).toThrow(/m\.json line 1: not valid JSON/);
    expect(() =>
      parseMueJson(
        src(
          'm.json',
          '[{"code": "99213", "mue_value": 2, "description": "3 Clinical"}, {"code": "99214", "mue_value": -1, "description": "3 Clinical"}]',
        ),
      ),
    ).toThrow(/record 2 \(99214\): mue_value/);
    expect(() => parseMueJson(src('m.json', '{"rows": []}'))).toThrow(
      /wrong layout: expected a JSON array/,
    );
  });

  it('reads an MUE zip by its header, whatever the member is called', async () => {
    const dir = await tmp();
    const zip = join(dir, 'medicare-ncci-2026-q3-practitioner-services-mue-table.zip');
    await writeFile(
      zip,
      zipSync({
        'MCR_MUE_PractitionerServices_Eff_07-01-2026.csv': new TextEncoder().encode(MUE_CSV),
      }),
    );
    const [table] = await readNcciFile(zip);
    expect(table?.kind).toBe('mue');
    expect(table?.edits).toHaveLength(3);
  });
});
