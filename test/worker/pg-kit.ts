import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresLedger } from '../../worker/ledger/postgres-ledger.ts';
import type { Ledger } from '../../worker/ledger/ledger.ts';

/** The test PostgreSQL server (trust auth); override with CHARTBILL_TEST_PG_URL. */
export const PG_URL =
  process.env.CHARTBILL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name of its own for each test, as pg-boss's test/hooks.ts gives each test. */
export function freshSchemaName(): string {
  return `chartbill_test_${randomBytes(5).toString('hex')}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Opens ledgers in a fresh schema; `cleanup` closes them all and drops the schema. */
export function postgresLedgers(): {
  schema: string;
  open: () => Promise<Ledger>;
  cleanup: () => Promise<void>;
} {
  const schema = freshSchemaName();
  const opened: Ledger[] = [];
  return {
    schema,
    open: async () => {
      const ledger = await openPostgresLedger({ url: PG_URL, schema });
      opened.push(ledger);
      return ledger;
    },
    cleanup: async () => {
      await Promise.all(opened.splice(0).map((l) => l.close()));
      await dropSchema(schema);
    },
  };
}
