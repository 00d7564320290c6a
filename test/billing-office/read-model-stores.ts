import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openReadModelStore,
  type ReadModelLocation,
} from '../../src/billing-office/open-read-model-store.ts';
import type { ReadModelStore } from '../../src/billing-office/read-model.ts';
import { dropSchema, freshSchemaName, PG_URL } from '../worker/pg-kit.ts';

/**
 * One place for a billing read model, opened as production opens it (open-read-model-store.ts):
 * `open` again on the same place is a restarted worker; `cleanup` closes what is open and removes
 * the place (its PostgreSQL schema or its folder).
 */
export interface ReadModelPlace {
  open(): Promise<ReadModelStore>;
  cleanup(): Promise<void>;
}

function placeAt(location: ReadModelLocation, remove: () => Promise<void>): ReadModelPlace {
  const opened = new Set<ReadModelStore>();
  return {
    async open() {
      const store = await openReadModelStore(location);
      const wrapped: ReadModelStore = {
        ...store,
        // Closed once, whoever closes it first (a test's restart or the cleanup).
        close: async () => {
          if (opened.delete(wrapped)) await store.close();
        },
      };
      opened.add(wrapped);
      return wrapped;
    },
    async cleanup() {
      await Promise.all([...opened].map((s) => s.close()));
      await remove();
    },
  };
}

/**
 * The two stores the read model lives in (issue 17, item 7), for `describe.each`: memory kept in
 * a JSON file beside a file ledger (a temporary folder of its own), and PostgreSQL at
 * 127.0.0.1:5432 db `test` in a schema of its own, so runs in parallel never meet.
 */
export const READ_MODEL_STORES: Array<{ store: string; place: () => Promise<ReadModelPlace> }> = [
  {
    store: 'memory',
    async place() {
      const dir = await mkdtemp(join(tmpdir(), 'chartbill-read-model-'));
      return placeAt({ path: join(dir, 'ledger.json'), schema: 'chartbill' }, () =>
        rm(dir, { recursive: true, force: true }),
      );
    },
  },
  {
    store: 'PostgreSQL',
    place() {
      const schema = freshSchemaName();
      return Promise.resolve(
        placeAt({ url: PG_URL, schema, path: join(tmpdir(), 'unused-ledger.json') }, () =>
          dropSchema(schema),
        ),
      );
    },
  },
];
