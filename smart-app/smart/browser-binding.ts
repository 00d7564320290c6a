import { createHash, timingSafeEqual } from 'node:crypto';
import { randomToken } from './pkce.ts';

/**
 * Binds a launch's `state` to the browser that started it (RFC 6749 §10.12: the state value must
 * be tied to the user agent's authenticated state; OAuth 2.0 Security BCP §4.7.1). The browser
 * holds a random secret; the pending launch keeps only its hash. The secret travels two ways:
 * an HttpOnly cookie (the fast path) and the tab's sessionStorage (for browsers that refuse the
 * cookie in a third-party iframe). See README, "How the app keeps a session inside an EHR iframe".
 *
 * `__Host-` (RFC 6265bis §4.1.3.2): Secure, Path=/, no Domain, so no sibling host can set it.
 * `SameSite=None` so it is sent in the EHR's iframe; `Partitioned` (CHIPS) so browsers that block
 * third-party cookies keep it, in a jar keyed by the EHR's top-level site.
 */
export const BINDING_COOKIE = '__Host-chartbill-launch';

/** Minutes the binding cookie lives: as long as a pending launch (10 minutes). */
const MAX_AGE_SECONDS = 600;

const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** The binding secret from a Cookie header, when it has the shape this app sets. */
export function bindingFromCookie(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === BINDING_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return SECRET.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/** The browser's current secret, reused so two tabs launching at once do not undo each other, or a new one. */
export function bindingSecret(cookieHeader: string | undefined): string {
  return bindingFromCookie(cookieHeader) ?? randomToken(32);
}

export function bindingCookie(secret: string): string {
  return `${BINDING_COOKIE}=${secret}; Path=/; Max-Age=${MAX_AGE_SECONDS}; HttpOnly; Secure; SameSite=None; Partitioned`;
}

export function hashBinding(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** Constant-time check that `secret` is the one whose hash the pending launch holds. */
export function matchesBinding(secret: string | undefined, hash: string): boolean {
  if (!secret || !SECRET.test(secret)) return false;
  return timingSafeEqual(Buffer.from(hashBinding(secret)), Buffer.from(hash));
}
