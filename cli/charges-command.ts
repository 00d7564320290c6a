import { parseArgs } from 'node:util';
import { cliSettings } from './cli-settings.ts';
import { ChargeMasterError } from '../src/pricing/charge-master-csv.ts';
import { importChargeMaster, loadChargeMaster } from '../src/pricing/charge-master-store.ts';

const HELP = `Usage:
  chartbill charges import <charge-master.csv> [--data-dir DIR]
  chartbill charges status [--data-dir DIR]

import  Loads the practice's charge master, replacing the stored one. CSV with a header row naming
        code, price and optionally modifier, effective_from, effective_to (YYYY-MM-DD; other
        columns ignored), one price per row:
          code,modifier,price,effective_from,effective_to
          99213,,185.00,2026-01-01,
          71046,26,40.00,2026-01-01,2026-12-31
        A bad row is refused with its line, and nothing is stored. Restart ChartBill to use it.
        A billed code without a price becomes a pricing work item, never a coding error.
status  What is stored.
Options: --data-dir DIR (default CHARTBILL_DATA_DIR or .chartbill).`;

/** `chartbill charges import|status`. */
export async function chargesCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) return (console.log(HELP), 0);
  const [sub, ...files] = positionals;
  const dataDir = values['data-dir'] ?? (await cliSettings()).CHARTBILL_DATA_DIR;
  if (sub === 'import' && files.length === 1) {
    try {
      const entries = await importChargeMaster(dataDir, files[0] ?? '');
      const codes = new Set(entries.map((e) => e.code)).size;
      console.log(
        `Charge master: ${String(entries.length)} prices for ${String(codes)} codes; stored in ${dataDir}/charges/charge-master.json.`,
      );
      return 0;
    } catch (err) {
      if (!(err instanceof ChargeMasterError)) throw err;
      console.error(`chartbill charges import: ${err.message}`);
      return 1;
    }
  }
  if (sub === 'status' && files.length === 0) {
    const master = await loadChargeMaster(dataDir);
    console.log(
      master
        ? `${master.name}: ${String(master.entries?.length ?? 0)} prices.`
        : `No charge master imported in ${dataDir}: the worker bills from the built-in demo list until you import yours.`,
    );
    return 0;
  }
  console.error(HELP);
  return 2;
}
