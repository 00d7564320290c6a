import type { Logger } from 'pino';
import { openPostgresBackend } from './postgres-backend.ts';
import { openRedisBackend } from './redis-backend.ts';
import { memoryBackend, type SessionBackend } from './session-backend.ts';
import { loadSessionKeys, SessionSealer } from './session-sealer.ts';

export interface SessionStoreSettings {
  /** `memory`, `postgres://…` or `redis://…`. */
  store: string;
  namespace: string;
  key: string | undefined;
  keyFile: string | undefined;
}

/** The backend and sealer the configuration asks for; memory with a per-process key by default. */
export async function openSessionBackend(
  settings: SessionStoreSettings,
  logger?: Logger,
): Promise<{ backend: SessionBackend; sealer: SessionSealer }> {
  const keys = loadSessionKeys(settings);
  const sealer = keys ? new SessionSealer(keys) : SessionSealer.ephemeral();
  const kind = settings.store.startsWith('redis')
    ? 'redis'
    : settings.store.startsWith('postgres')
      ? 'postgres'
      : 'memory';
  const backend =
    kind === 'redis'
      ? await openRedisBackend(settings.store, settings.namespace)
      : kind === 'postgres'
        ? await openPostgresBackend(settings.store, settings.namespace)
        : memoryBackend();
  // The kind and how many keys, never the URL (it may hold a password) nor a key.
  logger?.info({ sessionStore: kind, sessionKeys: keys?.length ?? 0 }, 'session store opened');
  return { backend, sealer };
}
