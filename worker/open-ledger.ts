import { openFileLedger } from './file-ledger.ts';
import type { Ledger } from './ledger.ts';
import { openPostgresLedger } from './postgres-ledger.ts';
import type { WorkerConfig } from './worker-config.ts';

/**
 * The ledger the configuration asks for: PostgreSQL when `CHARTBILL_LEDGER_URL` is set (several
 * workers), else the embedded JSON file at `CHARTBILL_LEDGER_PATH` (one worker, nothing to install).
 */
export function openLedger(config: Pick<WorkerConfig, 'ledgerUrl' | 'ledgerSchema' | 'ledgerPath'>): Promise<Ledger> {
  if (config.ledgerUrl) return openPostgresLedger({ url: config.ledgerUrl, schema: config.ledgerSchema });
  return openFileLedger(config.ledgerPath);
}
