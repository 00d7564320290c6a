import type { Logger } from '../../src/log/create-logger.ts';
import { openFileLedger } from '../ledger/file-ledger.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openPostgresLedger } from '../ledger/postgres-ledger.ts';
import type { WorkerConfig } from './worker-config.ts';

/**
 * The ledger the configuration asks for: PostgreSQL when `CHARTBILL_LEDGER_URL` is set (several
 * workers), else the embedded JSON file at `CHARTBILL_LEDGER_PATH` (one worker, nothing to install),
 * which reports refused writes and a recovered journal to `log`.
 */
export function openLedger(
  config: Pick<WorkerConfig, 'ledgerUrl' | 'ledgerSchema' | 'ledgerPath'> &
    Partial<Pick<WorkerConfig, 'concurrency'>>,
  log?: Logger,
): Promise<Ledger> {
  if (!config.ledgerUrl) return openFileLedger(config.ledgerPath, log ? { log } : {});
  // One connection per two encounters in flight (each makes a few short queries), 4 to 16.
  const poolSize = Math.min(16, Math.max(4, Math.ceil((config.concurrency ?? 1) / 2)));
  return openPostgresLedger({ url: config.ledgerUrl, schema: config.ledgerSchema, poolSize });
}
