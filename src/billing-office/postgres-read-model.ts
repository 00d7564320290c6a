import pg from 'pg';
import { SQL_NAME } from '../config/setting-types.ts';
import { AppError } from '../errors/app-error.ts';
import { matchesClaim, searchTextOf } from './read-model-queue.ts';
import type {
  ClaimFilter,
  ClaimRow,
  PaymentRow,
  QueueFilter,
  ReadModelStore,
  WorkItemRow,
} from './read-model.ts';

/** SQL for each queue sort (read-model-queue.ts SORT_KEYS says the same in code). */
// Text sorts by code point (COLLATE "C"), as JavaScript compares strings: a database made with
// another collation (en_US ignores spaces and hyphens) would otherwise order pages differently.
const ORDER: Record<QueueFilter['sort'], string> = {
  amount: 'amount',
  deadline: `coalesce(deadline, '9999-12-31') COLLATE "C"`,
  age: 'created_at',
  'service-date': `coalesce(service_date, '') COLLATE "C"`,
  patient: 'lower(patient_name) COLLATE "C"',
  payer: `lower(coalesce(payer_name, '')) COLLATE "C"`,
};

const DAY_MS = 86_400_000;

/**
 * The read model in PostgreSQL, beside the worker ledger (same URL and schema) when the ledger is
 * there: several workers and app instances in other processes share it. Rows are JSON with the
 * columns the queue filters and sorts on; the queue is one indexed query with its totals. Tables
 * are created at open, under an advisory lock.
 */
export async function openPostgresReadModel(options: {
  url: string;
  schema?: string;
  poolSize?: number;
}): Promise<ReadModelStore> {
  const schema = options.schema ?? 'chartbill';
  if (!SQL_NAME.test(schema))
    throw new AppError('CONFIG_INVALID', `Schema "${schema}" must be a lower-case SQL identifier`);
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 4 });
  pool.on('error', () => undefined);
  const t = {
    claims: `"${schema}".billing_claims`,
    items: `"${schema}".billing_work_items`,
    payments: `"${schema}".billing_payments`,
    marks: `"${schema}".billing_marks`,
  };
  try {
    await createTables(pool, schema, t);
  } catch (err) {
    await pool.end();
    throw new AppError(
      'CONFIG_INVALID',
      `Cannot open the billing read model in PostgreSQL: ${(err as Error).message}`,
      { cause: err, hint: 'Check CHARTBILL_LEDGER_URL and that the database accepts connections.' },
    );
  }
  // The analytics read every claim: this instance keeps them and reads again only when any
  // process changed one (a token in the marks table, renewed by each upsert of claims).
  let cached: { token: string; rows: ClaimRow[] } | undefined;
  const claimsToken = async () => {
    const { rows } = await pool.query<{ value: string }>(
      `SELECT value FROM ${t.marks} WHERE name = 'claims-version'`,
    );
    return rows[0]?.value ?? '';
  };
  const upsert = async (sql: string, given: readonly unknown[][]) => {
    // One row per key (the first column), the last given, as the memory store keeps it:
    // PostgreSQL refuses to update a row twice in one statement, and a first sync gives an
    // encounter's work item once for the claim and again for its replacement.
    const rows = [...new Map(given.map((r) => [r[0], r])).values()];
    // One statement per 500 rows: unnest keeps it one round trip.
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      const columns = chunk[0]?.map((_, c) => chunk.map((r) => r[c])) ?? [];
      await pool.query(sql, columns);
    }
  };
  return {
    async upsertClaims(rows) {
      await upsert(
        `INSERT INTO ${t.claims} (claim_id, data) SELECT * FROM unnest($1::text[], $2::jsonb[])
         ON CONFLICT (claim_id) DO UPDATE SET data = excluded.data`,
        rows.map((r) => [r.claimId, JSON.stringify(r)]),
      );
      await pool.query(
        `INSERT INTO ${t.marks} (name, value) VALUES ('claims-version', gen_random_uuid()::text)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
      );
    },
    async upsertWorkItems(rows) {
      await upsert(
        `INSERT INTO ${t.items} (task_id, open, kind, payer_id, payer_name, assignee, amount, deadline,
           created_at, service_date, patient_name, search_text, data)
         SELECT * FROM unnest($1::text[], $2::boolean[], $3::text[], $4::text[], $5::text[], $6::text[],
           $7::numeric[], $8::text[], $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::jsonb[])
         ON CONFLICT (task_id) DO UPDATE SET open = excluded.open, kind = excluded.kind,
           payer_id = excluded.payer_id, payer_name = excluded.payer_name, assignee = excluded.assignee,
           amount = excluded.amount, deadline = excluded.deadline, created_at = excluded.created_at,
           service_date = excluded.service_date, patient_name = excluded.patient_name,
           search_text = excluded.search_text, data = excluded.data`,
        rows.map((r) => [
          r.taskId,
          r.status === 'open',
          r.kind,
          r.payer?.id ?? null,
          r.payer?.name ?? null,
          r.assignee?.reference ?? null,
          r.amountAtStake,
          r.deadline?.date ?? null,
          r.createdAt,
          r.serviceDate ?? null,
          r.patient.name,
          searchTextOf(r),
          JSON.stringify(r),
        ]),
      );
    },
    async upsertPayments(rows) {
      await upsert(
        `INSERT INTO ${t.payments} (payment_id, data) SELECT * FROM unnest($1::text[], $2::jsonb[])
         ON CONFLICT (payment_id) DO UPDATE SET data = excluded.data`,
        rows.map((r) => [r.paymentId, JSON.stringify(r)]),
      );
    },
    async queue(filter, now) {
      const where = ['open'];
      const args: unknown[] = [];
      const arg = (v: unknown) => {
        args.push(v);
        return `$${String(args.length)}`;
      };
      if (filter.kind) where.push(`kind = ${arg(filter.kind)}`);
      if (filter.payer) where.push(`payer_id = ${arg(filter.payer)}`);
      if (filter.assignee === 'none') where.push('assignee IS NULL');
      else if (filter.assignee) where.push(`assignee = ${arg(filter.assignee)}`);
      if (filter.dueWithinDays !== undefined) {
        const last = new Date(now.getTime() + filter.dueWithinDays * DAY_MS);
        where.push(`deadline <= ${arg(last.toISOString().slice(0, 10))}`);
      }
      if (filter.q) where.push(`strpos(search_text, ${arg(filter.q.toLowerCase())}) > 0`);
      const direction = filter.order === 'asc' ? 'ASC' : 'DESC';
      // Age: older first when descending, i.e. created_at ascending.
      const sortDirection =
        filter.sort === 'age' ? (direction === 'ASC' ? 'DESC' : 'ASC') : direction;
      const { rows } = await pool.query<{ data: WorkItemRow; total: string; at_stake: string }>(
        `SELECT data, count(*) OVER () AS total, sum(amount) OVER () AS at_stake FROM ${t.items}
         WHERE ${where.join(' AND ')}
         ORDER BY ${ORDER[filter.sort]} ${sortDirection}, task_id COLLATE "C" ASC
         LIMIT ${arg(filter.pageSize)} OFFSET ${arg((filter.page - 1) * filter.pageSize)}`,
        args,
      );
      if (rows.length === 0 && filter.page > 1) {
        const { rows: totals } = await pool.query<{ total: string; at_stake: string | null }>(
          `SELECT count(*) AS total, sum(amount) AS at_stake FROM ${t.items} WHERE ${where.join(' AND ')}`,
          args.slice(0, -2),
        );
        return {
          items: [],
          total: Number(totals[0]?.total ?? 0),
          totalAtStake: Math.round(Number(totals[0]?.at_stake ?? 0) * 100) / 100,
        };
      }
      return {
        items: rows.map((r) => r.data),
        total: Number(rows[0]?.total ?? 0),
        totalAtStake: Math.round(Number(rows[0]?.at_stake ?? 0) * 100) / 100,
      };
    },
    async workItems(taskIds) {
      const { rows } = await pool.query<{ data: WorkItemRow }>(
        `SELECT data FROM ${t.items} WHERE task_id = ANY($1::text[])`,
        [taskIds],
      );
      // In the order asked, as the memory store answers.
      const byId = new Map(rows.map((r) => [r.data.taskId, r.data]));
      return taskIds.map((id) => byId.get(id)).filter((r): r is WorkItemRow => r !== undefined);
    },
    async claims(filter: ClaimFilter = {}) {
      const token = await claimsToken();
      if (cached?.token !== token) {
        const { rows } = await pool.query<{ data: ClaimRow }>(`SELECT data FROM ${t.claims}`);
        cached = { token, rows: rows.map((r) => r.data) };
      }
      const all = cached.rows;
      return Object.keys(filter).length === 0 ? all : all.filter((c) => matchesClaim(c, filter));
    },
    async claim(claimId) {
      const { rows } = await pool.query<{ data: ClaimRow }>(
        `SELECT data FROM ${t.claims} WHERE claim_id = $1`,
        [claimId],
      );
      return rows[0]?.data;
    },
    async payments() {
      const { rows } = await pool.query<{ data: PaymentRow }>(`SELECT data FROM ${t.payments}`);
      return rows.map((r) => r.data);
    },
    async getMark(name) {
      const { rows } = await pool.query<{ value: string }>(
        `SELECT value FROM ${t.marks} WHERE name = $1`,
        [name],
      );
      return rows[0]?.value;
    },
    async setMark(name, value) {
      // Marks only move forward: two workers syncing at once never move one back.
      await pool.query(
        `INSERT INTO ${t.marks} (name, value) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET value = greatest(${t.marks}.value, excluded.value)`,
        [name, value],
      );
    },
    async close() {
      await pool.end();
    },
  };
}

async function createTables(
  pool: pg.Pool,
  schema: string,
  t: Record<'claims' | 'items' | 'payments' | 'marks', string>,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `chartbill-billing:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${t.claims} (claim_id text PRIMARY KEY, data jsonb NOT NULL)`,
    );
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${t.payments} (payment_id text PRIMARY KEY, data jsonb NOT NULL)`,
    );
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${t.marks} (name text PRIMARY KEY, value text NOT NULL)`,
    );
    await client.query(`CREATE TABLE IF NOT EXISTS ${t.items} (
      task_id text PRIMARY KEY, open boolean NOT NULL, kind text NOT NULL, payer_id text,
      payer_name text, assignee text, amount numeric NOT NULL, deadline text,
      created_at timestamptz NOT NULL, service_date text, patient_name text NOT NULL,
      search_text text NOT NULL, data jsonb NOT NULL)`);
    // The first page by amount at stake, the default sort, reads the index in order (ties by task
    // id ascending, by code point; the index of earlier versions ordered ties the other way).
    await client.query(`DROP INDEX IF EXISTS "${schema}".billing_work_items_open_amount`);
    await client.query(
      `CREATE INDEX IF NOT EXISTS billing_work_items_open_amount_c ON ${t.items} (amount DESC, task_id COLLATE "C" ASC) WHERE open`,
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
