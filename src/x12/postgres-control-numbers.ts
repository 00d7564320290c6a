import pg from 'pg';
import { AppError } from '../errors/app-error.ts';
import { MAX_CONTROL_NUMBER, type ControlNumberStore } from './control-numbers.ts';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Control numbers in PostgreSQL, beside the worker ledger when several workers share the load:
 * one row per sender id, incremented by one atomic `INSERT … ON CONFLICT DO UPDATE … RETURNING`,
 * so two workers never get the same number and a rolled-back caller never frees one for reuse.
 */
export async function openPostgresControlNumbers(options: {
  url: string;
  schema?: string;
  senderId: string;
}): Promise<ControlNumberStore> {
  const schema = options.schema ?? 'chartbill';
  if (!SCHEMA_NAME.test(schema))
    throw new AppError('CONFIG_INVALID', `Schema "${schema}" must be a lower-case SQL identifier`);
  const pool = new pg.Pool({ connectionString: options.url, max: 2 });
  pool.on('error', () => undefined);
  const table = `"${schema}".x12_control_numbers`;
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${table} (sender text PRIMARY KEY, last bigint NOT NULL)`,
    );
  } catch (err) {
    await pool.end();
    throw new AppError('CONFIG_INVALID', 'Cannot open the X12 control numbers in PostgreSQL', {
      cause: err,
      hint: 'Check CHARTBILL_LEDGER_URL and that the database accepts connections.',
    });
  }
  return {
    async next() {
      const result = await pool.query<{ last: string }>(
        `INSERT INTO ${table} (sender, last) VALUES ($1, 1)
         ON CONFLICT (sender) DO UPDATE SET last = ${table}.last + 1
         RETURNING last`,
        [options.senderId],
      );
      const last = Number(result.rows[0]?.last);
      if (!(last <= MAX_CONTROL_NUMBER))
        throw new AppError('CONFIG_INVALID', 'The X12 control numbers are used up (999,999,999)');
      return last;
    },
    async close() {
      await pool.end();
    },
  };
}
