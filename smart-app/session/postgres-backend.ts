import pg from 'pg';
import { AppError } from '../../src/errors/app-error.ts';
import type { SessionBackend, StoredLaunch } from './session-backend.ts';

const NAMESPACE = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Sessions and pending launches in PostgreSQL (the ledger's server will do), schema `namespace`:
 * `app_sessions` (sealed record, last activity and absolute expiry as columns for the sweep),
 * `app_launches` (taken with `DELETE … RETURNING`, so one instance alone completes a launch) and
 * `app_session_locks` (one refresh at a time per session, across instances). Times are epoch ms.
 */
export async function openPostgresBackend(url: string, namespace: string): Promise<SessionBackend> {
  if (!NAMESPACE.test(namespace))
    throw new AppError(
      'CONFIG_INVALID',
      `CHARTBILL_SESSION_NAMESPACE "${namespace}" must be a lower-case SQL identifier.`,
    );
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client's error (the server restarted) must not crash the app; the next query reconnects.
  pool.on('error', () => undefined);
  const sessions = `"${namespace}".app_sessions`;
  const launches = `"${namespace}".app_launches`;
  const locks = `"${namespace}".app_session_locks`;
  try {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `chartbill-sessions:${namespace}`,
      ]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${namespace}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${sessions} (
        id text PRIMARY KEY, sealed text NOT NULL, last_active_at bigint NOT NULL, expires_at bigint NOT NULL)`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${launches} (
        state text PRIMARY KEY, sealed text NOT NULL, created_at bigint NOT NULL)`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${locks} (id text PRIMARY KEY, until bigint NOT NULL)`,
      );
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end();
    throw new AppError(
      'CONFIG_INVALID',
      `Cannot open the session store in PostgreSQL: ${(err as Error).message}`,
      {
        cause: err,
        hint: 'Check CHARTBILL_SESSION_STORE and that the database accepts connections.',
      },
    );
  }

  const launchOf = (row: { sealed: string; created_at: string } | undefined) =>
    row
      ? ({ sealed: row.sealed, createdAt: Number(row.created_at) } satisfies StoredLaunch)
      : undefined;

  return {
    async createSession(id, r) {
      await pool.query(
        `INSERT INTO ${sessions} (id, sealed, last_active_at, expires_at) VALUES ($1, $2, $3, $4)`,
        [id, r.sealed, r.lastActiveAt, r.expiresAt],
      );
    },
    async readSession(id) {
      const { rows } = await pool.query<{
        sealed: string;
        last_active_at: string;
        expires_at: string;
      }>(`SELECT sealed, last_active_at, expires_at FROM ${sessions} WHERE id = $1`, [id]);
      const row = rows[0];
      return row
        ? {
            sealed: row.sealed,
            lastActiveAt: Number(row.last_active_at),
            expiresAt: Number(row.expires_at),
          }
        : undefined;
    },
    async updateSession(id, sealed) {
      const res = await pool.query(`UPDATE ${sessions} SET sealed = $2 WHERE id = $1`, [
        id,
        sealed,
      ]);
      return res.rowCount === 1;
    },
    async touchSession(id, at) {
      await pool.query(
        `UPDATE ${sessions} SET last_active_at = GREATEST(last_active_at, $2) WHERE id = $1`,
        [id, at],
      );
    },
    async deleteSession(id) {
      const res = await pool.query(`DELETE FROM ${sessions} WHERE id = $1`, [id]);
      return res.rowCount === 1;
    },
    async lockRefresh(id, now, ttlMs) {
      const res = await pool.query(
        `INSERT INTO ${locks} (id, until) VALUES ($1, $2)
        ON CONFLICT (id) DO UPDATE SET until = EXCLUDED.until WHERE ${locks}.until <= $3`,
        [id, now + ttlMs, now],
      );
      return res.rowCount === 1;
    },
    async unlockRefresh(id) {
      await pool.query(`DELETE FROM ${locks} WHERE id = $1`, [id]);
    },
    async addLaunch(state, launch, { max, cutoff }) {
      // Instances adding at the same instant may pass `max` by a few: it bounds a flood, not a quota.
      await pool.query(`DELETE FROM ${launches} WHERE created_at < $1`, [cutoff]);
      const res = await pool.query(
        `INSERT INTO ${launches} (state, sealed, created_at)
        SELECT $1, $2, $3 WHERE (SELECT count(*) FROM ${launches}) < $4`,
        [state, launch.sealed, launch.createdAt, max],
      );
      return res.rowCount === 1;
    },
    async takeLaunch(state) {
      const { rows } = await pool.query<{ sealed: string; created_at: string }>(
        `DELETE FROM ${launches} WHERE state = $1 RETURNING sealed, created_at`,
        [state],
      );
      return launchOf(rows[0]);
    },
    async peekLaunch(state) {
      const { rows } = await pool.query<{ sealed: string; created_at: string }>(
        `SELECT sealed, created_at FROM ${launches} WHERE state = $1`,
        [state],
      );
      return launchOf(rows[0]);
    },
    async sweep(now, idleMs, launchCutoff) {
      await pool.query(`DELETE FROM ${sessions} WHERE expires_at < $1 OR last_active_at < $2`, [
        now,
        now - idleMs,
      ]);
      await pool.query(`DELETE FROM ${launches} WHERE created_at < $1`, [launchCutoff]);
      await pool.query(`DELETE FROM ${locks} WHERE until <= $1`, [now]);
    },
    close: () => pool.end(),
  };
}
