/**
 * Where sessions and pending launches live: process memory (one instance), PostgreSQL or Redis
 * (several instances, restarts). Records are sealed (session-sealer.ts) before they get here;
 * the backend sees ids, times and ciphertext only. Times are epoch ms from the app's clock.
 */
export interface StoredSession {
  sealed: string;
  /** The clinician's last request: kept apart from `sealed` so a touch never rewrites tokens. */
  lastActiveAt: number;
  expiresAt: number;
}

export interface StoredLaunch {
  sealed: string;
  createdAt: number;
}

export interface SessionBackend {
  /** `ttlMs`: how long the backend may keep the record without a touch (it may drop it after). */
  createSession(id: string, record: StoredSession, ttlMs: number): Promise<void>;
  readSession(id: string): Promise<StoredSession | undefined>;
  /** Replaces the sealed part (a refreshed token); false when the session is gone. */
  updateSession(id: string, sealed: string): Promise<boolean>;
  touchSession(id: string, at: number, ttlMs: number): Promise<void>;
  /** True when this call removed it (so one instance alone revokes at the EHR). */
  deleteSession(id: string): Promise<boolean>;
  /** Takes the session's refresh lock until `now + ttlMs`; true when this caller holds it. */
  lockRefresh(id: string, now: number, ttlMs: number): Promise<boolean>;
  unlockRefresh(id: string): Promise<void>;
  /** Stores a launch unless `max` launches newer than `cutoff` are waiting; false when full. */
  addLaunch(
    state: string,
    launch: StoredLaunch,
    limits: { max: number; cutoff: number; ttlMs: number },
  ): Promise<boolean>;
  /** Returns and removes a launch atomically: of two instances, one alone gets it. */
  takeLaunch(state: string): Promise<StoredLaunch | undefined>;
  peekLaunch(state: string): Promise<StoredLaunch | undefined>;
  /** Removes expired and idle sessions, old launches and stale locks. */
  sweep(now: number, idleMs: number, launchCutoff: number): Promise<void>;
  close(): Promise<void>;
}

/** The single-process default: nothing survives a restart, nothing is shared. */
export function memoryBackend(): SessionBackend {
  const sessions = new Map<string, StoredSession>();
  const launches = new Map<string, StoredLaunch>();
  const locks = new Map<string, number>();
  return {
    createSession(id, record) {
      sessions.set(id, { ...record });
      return Promise.resolve();
    },
    readSession(id) {
      const s = sessions.get(id);
      return Promise.resolve(s && { ...s });
    },
    updateSession(id, sealed) {
      const s = sessions.get(id);
      if (s) s.sealed = sealed;
      return Promise.resolve(Boolean(s));
    },
    touchSession(id, at) {
      const s = sessions.get(id);
      if (s) s.lastActiveAt = at;
      return Promise.resolve();
    },
    deleteSession(id) {
      return Promise.resolve(sessions.delete(id));
    },
    lockRefresh(id, now, ttlMs) {
      const until = locks.get(id);
      if (until !== undefined && until > now) return Promise.resolve(false);
      locks.set(id, now + ttlMs);
      return Promise.resolve(true);
    },
    unlockRefresh(id) {
      locks.delete(id);
      return Promise.resolve();
    },
    addLaunch(state, launch, { max, cutoff }) {
      for (const [s, l] of launches) if (l.createdAt < cutoff) launches.delete(s);
      if (launches.size >= max) return Promise.resolve(false);
      launches.set(state, launch);
      return Promise.resolve(true);
    },
    takeLaunch(state) {
      const launch = launches.get(state);
      launches.delete(state);
      return Promise.resolve(launch);
    },
    peekLaunch(state) {
      return Promise.resolve(launches.get(state));
    },
    sweep(now, idleMs, launchCutoff) {
      for (const [id, s] of sessions)
        if (now > s.expiresAt || now - s.lastActiveAt > idleMs) sessions.delete(id);
      for (const [s, l] of launches) if (l.createdAt < launchCutoff) launches.delete(s);
      for (const [id, until] of locks) if (until <= now) locks.delete(id);
      return Promise.resolve();
    },
    close() {
      return Promise.resolve();
    },
  };
}
