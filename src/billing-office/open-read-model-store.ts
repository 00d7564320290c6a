import { dirname, join } from 'node:path';
import { createMemoryReadModel } from './memory-read-model.ts';
import { openPostgresReadModel } from './postgres-read-model.ts';
import type { ReadModelStore } from './read-model.ts';

/** Where the read model lives: beside the worker ledger (README, "The billing office"). */
export interface ReadModelLocation {
  /** `CHARTBILL_LEDGER_URL`: PostgreSQL, shared by every worker and app instance. */
  url?: string | undefined;
  /** `CHARTBILL_LEDGER_SCHEMA`. */
  schema: string;
  /** `CHARTBILL_LEDGER_PATH`: the file ledger; the read model is `billing-read-model.json` beside it. */
  path: string;
}

/**
 * The read model's store where the ledger is: PostgreSQL when the ledger is (several processes
 * share it), else memory kept in a JSON file beside the file ledger (one process: `chartbill
 * start` opens it once for the app and the worker). An app alone (`chartbill app`) opens the
 * file `readOnly`: what it shows is as of its start until the worker shares PostgreSQL with it.
 */
export function openReadModelStore(
  location: ReadModelLocation,
  options: { readOnly?: boolean } = {},
): Promise<ReadModelStore> {
  if (location.url) return openPostgresReadModel({ url: location.url, schema: location.schema });
  return createMemoryReadModel({
    path: join(dirname(location.path), 'billing-read-model.json'),
    ...options,
  });
}
