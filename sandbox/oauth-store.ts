import { randomBytes } from 'node:crypto';

/** A random, URL-safe identifier with 256 bits of entropy (codes, launch ids, refresh tokens). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Short-lived single-use values (launch contexts, authorization codes, pending picker requests,
 * assertion jtis) kept in memory with an expiry read from the injected clock.
 */
export interface ExpiringStore<T> {
  /** Stores `value` under a new random key; returns the key. */
  put(value: T, ttlSeconds: number): string;
  /** Stores under a given key (e.g. a jti); false when the key is already present and unexpired. */
  putIfAbsent(key: string, value: T, expiresAtMs: number): boolean;
  /** Removes and returns the value: a second take of the same key gets nothing (single use). */
  take(key: string): T | undefined;
  /** Returns the value without consuming it. */
  peek(key: string): T | undefined;
  delete(key: string): void;
}

export function createExpiringStore<T>(now: () => Date): ExpiringStore<T> {
  const entries = new Map<string, { value: T; expiresAtMs: number }>();
  const prune = (): void => {
    const t = now().getTime();
    for (const [k, e] of entries) if (e.expiresAtMs <= t) entries.delete(k);
  };
  return {
    put(value, ttlSeconds) {
      prune();
      const key = randomToken();
      entries.set(key, { value, expiresAtMs: now().getTime() + ttlSeconds * 1000 });
      return key;
    },
    putIfAbsent(key, value, expiresAtMs) {
      prune();
      if (entries.has(key)) return false;
      entries.set(key, { value, expiresAtMs });
      return true;
    },
    take(key) {
      prune();
      const entry = entries.get(key);
      entries.delete(key);
      return entry?.value;
    },
    peek(key) {
      prune();
      return entries.get(key)?.value;
    },
    delete(key) {
      entries.delete(key);
    },
  };
}
