import { createHash } from 'node:crypto';
import pg from 'pg';
import { z } from 'zod';
import { AppError } from '../../src/errors/app-error.ts';
import { pendingItem } from './lease-table.ts';
import { SQL_NAME as SCHEMA_NAME } from '../../src/config/setting-types.ts';
import {
  FINAL_STAGES,
  ITEM_STAGES,
  canTransition,
  sourcesOf,
  sqlList,
  transitionRefused,
} from './item-states.ts';
import type { Ledger, LedgerFilter, LedgerItem } from './ledger.ts';

export interface PostgresLedgerOptions {
  /** `postgres://user@host:5432/db` */
  url: string;
  /** The schema that holds the ledger's tables; created when missing. Default `chartbill`. */
  schema?: string;
  /** Connections in the pool; default 4 (each encounter in flight makes a few short queries). */
  poolSize?: number;
}

const itemSchema = z.looseObject({
  encounter: z.string().min(1),
  stage: z.enum(ITEM_STAGES),
  attempts: z.number(),
  updatedAt: z.string(),
});

interface ItemRow {
  encounter: string;
  data: unknown;
  leased_at: Date | null;
  lease_until: Date | null;
}

/**
 * The worker ledger in PostgreSQL, for several workers sharing the load. Each encounter is one
 * row: its state as JSON, its stage and next attempt as columns (for the due query), and a
 * lease (owner, expiry). A lease is taken with one atomic `INSERT … ON CONFLICT DO UPDATE …
 * WHERE` that only succeeds when the lease is free, expired or already ours, so two workers
 * never hold the same encounter. Expiry uses the database clock, which all workers share.
 * The tables are created at open (`CREATE TABLE IF NOT EXISTS`, under an advisory lock so that
 * workers starting together do not race).
 */
export async function openPostgresLedger(options: PostgresLedgerOptions): Promise<Ledger> {
  const schema = options.schema ?? 'chartbill';
  if (!SCHEMA_NAME.test(schema))
    throw new AppError(
      'CONFIG_INVALID',
      `Ledger schema "${schema}" must be a lower-case SQL identifier`,
    );
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 4 });
  // An idle client's error (the server restarted) must not crash the worker; the next query reconnects.
  pool.on('error', () => undefined);
  const items = `"${schema}".ledger_items`;
  const cursors = `"${schema}".ledger_cursors`;
  try {
    await createTables(pool, schema, items, cursors);
  } catch (err) {
    await pool.end();
    throw new AppError(
      'CONFIG_INVALID',
      `Cannot open the worker ledger in PostgreSQL: ${(err as Error).message}`,
      { cause: err, hint: 'Check CHARTBILL_LEDGER_URL and that the database accepts connections.' },
    );
  }

  const ledger: Ledger = {
    async getCursor(name) {
      const { rows } = await pool.query<{ value: string }>(
        `SELECT value FROM ${cursors} WHERE name = $1`,
        [name],
      );
      return rows[0]?.value;
    },
    async setCursor(name, value) {
      // The cursor only moves forward, whichever worker writes last.
      await pool.query(
        `INSERT INTO ${cursors} (name, value, at) VALUES ($1, $2, $3)
        ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, at = EXCLUDED.at WHERE ${cursors}.at < EXCLUDED.at`,
        [name, value, new Date(value)],
      );
    },
    async getItem(encounter) {
      const { rows } = await pool.query<ItemRow>(
        `SELECT encounter, data, leased_at, lease_until FROM ${items} WHERE encounter = $1`,
        [encounter],
      );
      return rows[0] ? toItem(rows[0]) : undefined;
    },
    async putItem(item) {
      // The transition is checked in the statement itself, so two workers cannot both pass it.
      if (!canTransition(undefined, item.stage))
        throw transitionRefused(item.encounter, undefined, item.stage);
      const { from, reopenedBy } = sourcesOf(item.stage);
      const { rowCount } = await pool.query(
        `INSERT INTO ${items} (encounter, data, stage, next_attempt_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (encounter) DO UPDATE SET data = EXCLUDED.data, stage = EXCLUDED.stage, next_attempt_at = EXCLUDED.next_attempt_at
        WHERE ${items}.stage = ANY($5) OR (${items}.stage IN (${sqlList(FINAL_STAGES)}) AND ${items}.data->>'outcome' = ANY($6))`,
        [
          item.encounter,
          JSON.stringify(item),
          item.stage,
          item.nextAttemptAt ?? null,
          from,
          reopenedBy,
        ],
      );
      if (rowCount === 1) return;
      const current = await ledger.getItem(item.encounter);
      throw transitionRefused(item.encounter, current, item.stage);
    },
    async listItems(filter = {}) {
      const { rows } = await pool.query<ItemRow>(...listQuery(items, filter));
      return rows.map(
        (row) =>
          toItem(row) ??
          pendingItem(
            row.encounter,
            (row.leased_at ?? new Date(0)).toISOString(),
            (row.lease_until ?? new Date(0)).toISOString(),
          ),
      );
    },
    async acquireLease(encounter, owner, ttlMs) {
      const { rows } = await pool.query<ItemRow>(
        `INSERT INTO ${items} (encounter, stage, lease_owner, leased_at, lease_until, next_attempt_at)
        VALUES ($1, ${sqlList(['pending'])}, $2, clock_timestamp(), clock_timestamp() + $3 * interval '1 millisecond', clock_timestamp() + $3 * interval '1 millisecond')
        ON CONFLICT (encounter) DO UPDATE SET lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until,
          leased_at = CASE WHEN ${items}.lease_owner = EXCLUDED.lease_owner THEN ${items}.leased_at ELSE EXCLUDED.leased_at END,
          next_attempt_at = CASE WHEN ${items}.data IS NULL THEN EXCLUDED.lease_until ELSE ${items}.next_attempt_at END
        WHERE ${items}.lease_owner IS NULL OR ${items}.lease_owner = EXCLUDED.lease_owner OR ${items}.lease_until <= clock_timestamp()
        RETURNING encounter, data, leased_at, lease_until`,
        [encounter, owner, ttlMs],
      );
      const won = rows[0];
      if (won) return { acquired: true, item: toItem(won) };
      return { acquired: false, item: await ledger.getItem(encounter) };
    },
    async renewLease(encounter, owner, ttlMs) {
      const { rowCount } = await pool.query(
        `UPDATE ${items} SET lease_until = clock_timestamp() + $3 * interval '1 millisecond',
        next_attempt_at = CASE WHEN data IS NULL THEN clock_timestamp() + $3 * interval '1 millisecond' ELSE next_attempt_at END
        WHERE encounter = $1 AND lease_owner = $2`,
        [encounter, owner, ttlMs],
      );
      return rowCount === 1;
    },
    async releaseLease(encounter, owner) {
      // A bare lease with no state left behind would be a pending item forever: remove it.
      await pool.query(
        `DELETE FROM ${items} WHERE encounter = $1 AND lease_owner = $2 AND data IS NULL`,
        [encounter, owner],
      );
      await pool.query(
        `UPDATE ${items} SET lease_owner = NULL, lease_until = NULL WHERE encounter = $1 AND lease_owner = $2`,
        [encounter, owner],
      );
    },
    async countBacklog() {
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${items} WHERE stage NOT IN (${sqlList(FINAL_STAGES)})`,
      );
      return Number(rows[0]?.n ?? 0);
    },
    close: () => pool.end(),
  };
  return ledger;
}

async function createTables(
  pool: pg.Pool,
  schema: string,
  items: string,
  cursors: string,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `chartbill-ledger:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${cursors} (name text PRIMARY KEY, value text NOT NULL, at timestamptz NOT NULL)`,
    );
    await client.query(`CREATE TABLE IF NOT EXISTS ${items} (
      encounter text PRIMARY KEY, data jsonb, stage text NOT NULL, next_attempt_at timestamptz,
      lease_owner text, leased_at timestamptz, lease_until timestamptz)`);
    // The stages item-states.ts declares, and no other. The constraint is named after the list,
    // so a table made before a stage was added gets the new list, and an unchanged one is not
    // locked and rechecked at every open.
    const check = `ledger_items_stage_${createHash('sha256').update(ITEM_STAGES.join()).digest('hex').slice(0, 8)}`;
    const { rowCount } = await client.query(
      `SELECT 1 FROM pg_constraint WHERE conrelid = $1::regclass AND conname = $2`,
      [items, check],
    );
    if (rowCount === 0) {
      const { rows } = await client.query<{ conname: string }>(
        `SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND conname LIKE 'ledger_items_stage%'`,
        [items],
      );
      for (const { conname } of rows)
        await client.query(`ALTER TABLE ${items} DROP CONSTRAINT "${conname}"`);
      await client.query(
        `ALTER TABLE ${items} ADD CONSTRAINT ${check} CHECK (stage IN (${sqlList(ITEM_STAGES)}))`,
      );
    }
    // Given-up items come due again after a long wait: only final ones leave the due index
    // (the one before, which left given-up items out too, is replaced).
    await client.query(`DROP INDEX IF EXISTS "${schema}".ledger_items_due`);
    await client.query(
      `CREATE INDEX IF NOT EXISTS ledger_items_not_answered ON ${items} (next_attempt_at) WHERE stage NOT IN (${sqlList(FINAL_STAGES)})`,
    );
    // The appeals the worker follows (LedgerItem.appeal): few, found without reading the rest.
    await client.query(
      `CREATE INDEX IF NOT EXISTS ledger_items_appeals ON ${items} ((data->'appeal'->>'nextAt')) WHERE data ? 'appeal'`,
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

function listQuery(items: string, filter: LedgerFilter): [string, unknown[]] {
  const where: string[] = [];
  const values: unknown[] = [];
  if (filter.stages) {
    values.push(filter.stages);
    where.push(`stage = ANY($${String(values.length)})`);
  }
  if (filter.patients) {
    values.push(filter.patients);
    where.push(`data->>'patient' = ANY($${String(values.length)})`);
  }
  if (filter.encounters) {
    values.push(filter.encounters);
    where.push(`encounter = ANY($${String(values.length)})`);
  }
  if (filter.appealsDueBy !== undefined) {
    values.push(new Date(filter.appealsDueBy).toISOString());
    // ISO instants (toISOString, UTC) compare as text; the partial index holds only appeals.
    where.push(`data ? 'appeal' AND data->'appeal'->>'nextAt' <= $${String(values.length)}`);
  }
  if (filter.dueBy !== undefined) {
    values.push(new Date(filter.dueBy));
    // A bare lease (no state) is due when it expires: its worker died holding it.
    where.push(
      `stage NOT IN (${sqlList(FINAL_STAGES)}) AND next_attempt_at <= $${String(values.length)}`,
    );
    where.push(`(data IS NOT NULL OR lease_until <= $${String(values.length)})`);
  } else {
    where.push('data IS NOT NULL');
  }
  return [
    `SELECT encounter, data, leased_at, lease_until FROM ${items} WHERE ${where.join(' AND ')} ORDER BY encounter`,
    values,
  ];
}

function toItem(row: ItemRow): LedgerItem | undefined {
  if (row.data === null) return undefined;
  const parsed = itemSchema.safeParse(row.data);
  if (!parsed.success)
    throw new AppError('CONFIG_INVALID', `Ledger row ${row.encounter} has an unexpected shape`, {
      cause: parsed.error,
    });
  return parsed.data;
}
