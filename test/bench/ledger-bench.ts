import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openFileLedger } from '../../worker/ledger/file-ledger.ts';
import type { LedgerItem } from '../../worker/ledger/ledger.ts';
import { round, type Bench } from './bench-types.ts';

const ITEMS = Number(process.env.CHARTBILL_BENCH_LEDGER_ITEMS ?? 20_000);
const SAMPLE = 1000;

function item(n: number): LedgerItem {
  return {
    encounter: `Encounter/ledger-${String(n)}`,
    stage: 'answered',
    attempts: 0,
    updatedAt: new Date().toISOString(),
    claim: `Claim/${String(n)}`,
    claimResponse: `ClaimResponse/${String(n)}`,
    outcome: 'complete',
    patient: 'Patient/pat-01',
  };
}

/**
 * The embedded ledger's write cost as it fills: milliseconds per change (each flushed to disk)
 * for the first and the last thousand of `ITEMS` encounters, and their ratio (1 = flat); then
 * listing the items of 2,000 named encounters among them.
 */
export const ledgerBench: Bench = {
  name: 'ledger',
  async run(report) {
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-ledger-bench-'));
    try {
      const path = join(dir, 'ledger.json');
      const ledger = await openFileLedger(path);
      const timed = async (from: number, to: number) => {
        const started = performance.now();
        for (let n = from; n < to; n++) await ledger.putItem(item(n));
        return (performance.now() - started) / (to - from);
      };
      const first = await timed(0, SAMPLE);
      await timed(SAMPLE, ITEMS - SAMPLE);
      const last = await timed(ITEMS - SAMPLE, ITEMS);
      // A tick after a burst: the items of 2,000 encounters whose coding changed.
      const names = Array.from({ length: 2000 }, (_, n) => n * Math.floor(ITEMS / 2000));
      const listed = async (filter: Parameters<typeof ledger.listItems>[0]) => {
        const started = performance.now();
        const found = await ledger.listItems(filter);
        return { ms: performance.now() - started, found: found.length };
      };
      const byEncounter = await listed({ encounters: names.map((n) => item(n).encounter) });
      await ledger.close();
      report('ledger_write_ms_first_1000', round(first, 3), 'ms per change');
      report(`ledger_write_ms_last_1000_of_${String(ITEMS)}`, round(last, 3), 'ms per change');
      report('ledger_write_growth_ratio', round(last / first, 2), '(1 = flat)');
      report(
        `ledger_list_2000_encounters_of_${String(ITEMS)}_ms`,
        round(byEncounter.ms, 2),
        `ms (${String(byEncounter.found)} items found)`,
      );
      report('ledger_file_mb', round((await stat(path)).size / 1_048_576, 1), 'MB');
      const started = performance.now();
      const reopened = await openFileLedger(path);
      report(`ledger_open_ms_${String(ITEMS)}_items`, round(performance.now() - started, 0), 'ms');
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
