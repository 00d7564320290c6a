import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importAocFile, loadAddOnTable } from '../../src/ncci/aoc-store.ts';
import { AocFileError, parseAocFile } from '../../src/ncci/parse-aoc.ts';

/** The CMS AOC file's columns, tab-separated, as cms.gov's spreadsheet saves them. */
const HEADER =
  'Add-on Code\tAdd-On Code Effective Date\tAdd-On Code Deletion Date\tPrimary Code\tPrimary Code Effective Date\tPrimary Code Deletion Date\tAOC Edit Type\tAOC Edit Effective Date\tAOC Edit Deletion Date\tSpecial Instruction Notes';

describe('CMS add-on code edit file', () => {
  it('reads the layout, stores it and applies it by date', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-aoc-'));
    const file = join(dir, 'AOC_V2026Q3.txt');
    await writeFile(
      file,
      [
        HEADER,
        '11103\t20190101\t*\t11102\t20190101\t*\t1\t20190101\t*\t',
        '11103\t20190101\t*\t11104\t20190101\t*\t1\t20190101\t*\t',
        '99999\t20190101\t*\t12345\t20190101\t*\t1\t20190101\t20240101\t',
        '88888\t20190101\t*\tCCCCC\t20190101\t*\t2\t20190101\t*\tMAC decides',
      ].join('\n'),
    );
    expect(await importAocFile(dir, file)).toHaveLength(4);
    const table = await loadAddOnTable(dir);
    expect(table?.edits('11103', '2026-03-02').map((e) => e.primary)).toEqual(['11102', '11104']);
    expect(table?.edits('99999', '2023-06-01')).toHaveLength(1);
    expect(table?.edits('99999', '2024-01-01')).toEqual([]);
    expect(table?.edits('88888', '2026-03-02')[0]?.type).toBe('2');
  });

  it('refuses another layout and a bad row, naming the line', () => {
    expect(() => parseAocFile('code,value\n11103,1\n', 'x.csv')).toThrow(AocFileError);
    expect(() =>
      parseAocFile(`${HEADER}\n11103\t20190101\t*\t11102\t20190101\t*\t7\t20190101\t*\t`, 'a.txt'),
    ).toThrow(/a\.txt line 2: AOC edit type '7'/);
    expect(() =>
      parseAocFile(`${HEADER}\n11103\t20190101\t*\t11102\t20190101\t*\t1\tsoon\t*\t`, 'a.txt'),
    ).toThrow(/line 2: the AOC edit effective date/);
  });
});
