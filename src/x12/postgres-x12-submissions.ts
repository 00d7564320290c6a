import pg from 'pg';
import { AppError } from '../errors/app-error.ts';
import { openPostgresControlNumbers } from './postgres-control-numbers.ts';
import type { X12Submission, X12SubmissionStore } from './x12-submissions.ts';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

interface Row {
  control: string;
  at: Date;
  asked_at: Date | null;
}

const entryOf = (row: Row): X12Submission => ({
  control: Number(row.control),
  at: row.at.toISOString(),
  ...(row.asked_at ? { askedAt: row.asked_at.toISOString() } : {}),
});

/**
 * The X12 submissions in PostgreSQL, beside the worker ledger, when several workers share the
 * load: the control numbers from `openPostgresControlNumbers` (one atomic increment per number),
 * one row per claim taken with `INSERT … ON CONFLICT DO NOTHING`, so two workers racing on one
 * claim both get the row that won (the loser's number is simply never used).
 */
export async function openPostgresX12Submissions(options: {
  url: string;
  schema?: string;
  senderId: string;
}): Promise<X12SubmissionStore> {
  const schema = options.schema ?? 'chartbill';
  if (!SCHEMA_NAME.test(schema))
    throw new AppError('CONFIG_INVALID', `Schema "${schema}" must be a lower-case SQL identifier`);
  const numbers = await openPostgresControlNumbers(options);
  const pool = new pg.Pool({ connectionString: options.url, max: 2 });
  pool.on('error', () => undefined);
  const table = `"${schema}".x12_submissions`;
  try {
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${table} (sender text NOT NULL, key text NOT NULL,
         control bigint NOT NULL, at timestamptz NOT NULL, asked_at timestamptz,
         PRIMARY KEY (sender, key))`,
    );
  } catch (err) {
    await Promise.all([pool.end(), numbers.close?.()]);
    throw new AppError('CONFIG_INVALID', 'Cannot open the X12 submissions in PostgreSQL', {
      cause: err,
      hint: 'Check CHARTBILL_LEDGER_URL and that the database accepts connections.',
    });
  }
  const find = async (key: string) => {
    const result = await pool.query<Row>(
      `SELECT control, at, asked_at FROM ${table} WHERE sender = $1 AND key = $2`,
      [options.senderId, key],
    );
    const row = result.rows[0];
    return row ? entryOf(row) : undefined;
  };
  return {
    async take(key, now) {
      const known = await find(key);
      if (known) return known;
      await pool.query(
        `INSERT INTO ${table} (sender, key, control, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sender, key) DO NOTHING`,
        [options.senderId, key, await numbers.next(), now],
      );
      const taken = await find(key);
      if (!taken) throw new AppError('LEDGER_UNAVAILABLE', 'The X12 submission was not recorded');
      return taken;
    },
    find,
    async markAsked(key, at) {
      await pool.query(`UPDATE ${table} SET asked_at = $3 WHERE sender = $1 AND key = $2`, [
        options.senderId,
        key,
        at,
      ]);
    },
    async release(key, control) {
      await pool.query(`DELETE FROM ${table} WHERE sender = $1 AND key = $2 AND control = $3`, [
        options.senderId,
        key,
        control,
      ]);
    },
    next: () => numbers.next(),
    async close() {
      await Promise.all([pool.end(), numbers.close?.()]);
    },
  };
}
