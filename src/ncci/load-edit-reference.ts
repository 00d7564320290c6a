import type { Logger } from 'pino';
import type { EditReference } from '../edits/edit-reference.ts';
import { loadShippedMue } from '../codes/compile/shipped-reference.ts';
import { sandboxNcciTables } from './sandbox-ncci.ts';
import { loadNcciTables } from './ncci-store.ts';

/**
 * Reference data for the edits: the NCCI tables imported with `chartbill ncci import`. The
 * sandbox falls back to its own small table; a real deployment never does (its pairs are
 * illustrative, not CMS data): it uses the CMS MUE table ChartBill ships, and PTP edits stay off
 * until the quarterly files are imported.
 */
export async function loadEditReference(
  dataDir: string,
  mode: 'sandbox' | 'configured',
  logger: Logger,
): Promise<EditReference> {
  const imported = await loadNcciTables(dataDir);
  if (imported) return { ncci: imported };
  if (mode === 'sandbox') return { ncci: sandboxNcciTables() };
  // The CMS MUE table ChartBill ships; PTP edits stay off (data-coverage.ts says so in the log).
  const shipped = await loadShippedMue();
  if (shipped) return { ncci: shipped };
  logger.warn(
    { dataDir },
    'no NCCI tables imported: PTP and MUE edits are off until `chartbill ncci import` loads the quarterly files',
  );
  return {};
}
