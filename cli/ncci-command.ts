import { parseArgs } from 'node:util';
import { importNcciFiles, type NcciImportSummary } from '../src/ncci/import-ncci-files.ts';
import { loadNcciTables } from '../src/ncci/ncci-store.ts';
import { importAocFile, loadAddOnTable } from '../src/ncci/aoc-store.ts';
import { AocFileError } from '../src/ncci/parse-aoc.ts';

const HELP = `Usage:
  chartbill ncci import <file> [<file> …] [--data-dir DIR]
  chartbill ncci import-aoc <file> [--data-dir DIR]
  chartbill ncci status [--data-dir DIR]

import  Reads the CMS NCCI quarterly files and stores them for the scrubber: the practitioner PTP
        edits (ccipra-v<ver>r<rev>-f1.zip … f4.zip, or their .txt files: import all four parts in
        one command, they replace the stored PTP table together) and/or the practitioner MUE table
        (the CMS zip or its .csv, or a JSON export). Every file is checked first: a broken file is
        refused naming its line, and nothing is stored.
import-aoc  Reads the CMS add-on code edit file (AOC_V<year>Q<n>, saved as CSV or tab-separated
        text; header Add-on Code, Primary Code, AOC Edit Type, AOC Edit Effective Date, AOC Edit
        Deletion Date) and stores it, replacing the stored one.
status  What is stored.
Options: --data-dir DIR (default CHARTBILL_DATA_DIR or .chartbill).`;
import { cliSettings } from './cli-settings.ts';

function printSummary(s: NcciImportSummary): void {
  if (s.ptp)
    console.log(
      `PTP: ${String(s.ptp.edits)} edits (${String(s.ptp.active)} active) from ${s.ptp.files.join(', ')}; stored in ${s.ptp.storedAt}.`,
    );
  if (s.mue)
    console.log(
      `MUE: ${String(s.mue.codes)} codes (MAI 1: ${String(s.mue.byMai[1])}, MAI 2: ${String(s.mue.byMai[2])}, MAI 3: ${String(s.mue.byMai[3])}) from ${s.mue.files.join(', ')}; stored in ${s.mue.storedAt}.`,
    );
}

/** `chartbill ncci import|status`. */
export async function ncciCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) return (console.log(HELP), 0);
  const [sub, ...files] = positionals;
  const dataDir = values['data-dir'] ?? (await cliSettings()).CHARTBILL_DATA_DIR;
  if (sub === 'import' && files.length > 0) {
    printSummary(await importNcciFiles(files, dataDir, () => new Date()));
    return 0;
  }
  if (sub === 'import-aoc' && files.length === 1) {
    try {
      const rows = await importAocFile(dataDir, files[0] ?? '');
      const addOns = new Set(rows.map((r) => r.addOn)).size;
      console.log(
        `AOC: ${String(rows.length)} edits for ${String(addOns)} add-on codes; stored in ${dataDir}/ncci/aoc.json.`,
      );
      return 0;
    } catch (err) {
      if (!(err instanceof AocFileError)) throw err;
      console.error(`chartbill ncci import-aoc: ${err.message}`);
      return 1;
    }
  }
  if (sub === 'status' && files.length === 0) {
    const aoc = await loadAddOnTable(dataDir);
    if (aoc) console.log(`${aoc.source}: ${String(aoc.count)} add-on code edits.`);
    const tables = await loadNcciTables(dataDir);
    console.log(
      tables
        ? `${tables.source}: ${String(tables.counts.ptp)} PTP edits, ${String(tables.counts.mue)} MUE codes.`
        : `Nothing imported in ${dataDir}: the scrubber uses ChartBill's sandbox table (not CMS PTP data).`,
    );
    return 0;
  }
  console.error(HELP);
  return 2;
}
