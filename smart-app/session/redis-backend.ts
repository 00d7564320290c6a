import { createClient } from '@redis/client';
import { AppError } from '../../src/errors/app-error.ts';
import type { SessionBackend, StoredLaunch } from './session-backend.ts';

/** Sets fields of a session hash only while it exists (a touch must not revive a signed-out session). */
const SET_IF_EXISTS = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1`;

/** Adds a launch unless `max` are waiting; the sorted set (score: created at) counts them. */
const ADD_LAUNCH = `redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[3])
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[6])
return 1`;

/**
 * Sessions and pending launches in Redis, keys under `namespace:`. A session is a hash (sealed,
 * active, expires) whose TTL Redis enforces (the store sets it to what is left of the session,
 * at most twice the idle timeout after the last touch), so Redis cleans up by itself. A launch
 * is a string taken with GETDEL (one instance alone gets it), counted in a sorted set.
 */
export async function openRedisBackend(url: string, namespace: string): Promise<SessionBackend> {
  // At start an unreachable Redis is a configuration error, said at once; once connected, the
  // client reconnects by itself, and while it is away commands fail at once (the clinician is
  // told to try again) rather than wait in the client's offline queue with the request hanging.
  let connected = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5000,
      reconnectStrategy: (retries: number, cause: Error) =>
        connected ? Math.min(50 * 2 ** retries, 2000) : cause,
    },
  });
  // Errors surface on the command that failed; a dropped connection reconnects by itself.
  client.on('error', () => undefined);
  try {
    await client.connect();
    connected = true;
  } catch (err) {
    client.destroy();
    throw new AppError(
      'CONFIG_INVALID',
      `Cannot open the session store in Redis: ${(err as Error).message}`,
      { cause: err, hint: 'Check CHARTBILL_SESSION_STORE and that Redis accepts connections.' },
    );
  }
  const sessionKey = (id: string) => `${namespace}:session:${id}`;
  const launchKey = (state: string) => `${namespace}:launch:${state}`;
  const lockKey = (id: string) => `${namespace}:refresh-lock:${id}`;
  const launchIndex = `${namespace}:launches`;
  const launchOf = (raw: string | null): StoredLaunch | undefined =>
    raw ? (JSON.parse(raw) as StoredLaunch) : undefined;
  const ttl = (ms: number) => String(Math.max(1, Math.ceil(ms)));

  return {
    async createSession(id, r, ttlMs) {
      const key = sessionKey(id);
      await client
        .multi()
        .hSet(key, {
          sealed: r.sealed,
          active: String(r.lastActiveAt),
          expires: String(r.expiresAt),
        })
        .pExpire(key, Number(ttl(ttlMs)))
        .exec();
    },
    async readSession(id) {
      const h = await client.hGetAll(sessionKey(id));
      if (!h.sealed || !h.active || !h.expires) return undefined;
      return { sealed: h.sealed, lastActiveAt: Number(h.active), expiresAt: Number(h.expires) };
    },
    async updateSession(id, sealed) {
      const done = await client.eval(SET_IF_EXISTS, {
        keys: [sessionKey(id)],
        arguments: ['sealed', sealed, '0'],
      });
      return done === 1;
    },
    async touchSession(id, at, ttlMs) {
      await client.eval(SET_IF_EXISTS, {
        keys: [sessionKey(id)],
        arguments: ['active', String(at), ttl(ttlMs)],
      });
    },
    async deleteSession(id) {
      return (await client.del(sessionKey(id))) === 1;
    },
    async lockRefresh(id, _now, ttlMs) {
      const ok = await client.set(lockKey(id), '1', {
        condition: 'NX',
        expiration: { type: 'PX', value: Number(ttl(ttlMs)) },
      });
      return ok === 'OK';
    },
    async unlockRefresh(id) {
      await client.del(lockKey(id));
    },
    async addLaunch(state, launch, { max, cutoff, ttlMs }) {
      const done = await client.eval(ADD_LAUNCH, {
        keys: [launchKey(state), launchIndex],
        arguments: [
          String(launch.createdAt),
          JSON.stringify(launch),
          String(cutoff),
          String(max),
          ttl(ttlMs),
          state,
        ],
      });
      return done === 1;
    },
    async takeLaunch(state) {
      const raw = await client.getDel(launchKey(state));
      await client.zRem(launchIndex, state);
      return launchOf(raw);
    },
    async peekLaunch(state) {
      return launchOf(await client.get(launchKey(state)));
    },
    async sweep(_now, _idleMs, launchCutoff) {
      // Sessions, launches and locks expire in Redis itself; only the launch count needs pruning.
      await client.zRemRangeByScore(launchIndex, '-inf', `(${String(launchCutoff)}`);
    },
    async close() {
      await client.close();
    },
  };
}
