import { createHash } from 'node:crypto';
import { AppError } from '../../src/errors/app-error.ts';
import type { ClientAuthenticator } from '../smart/client-auth.ts';
import { randomToken } from '../smart/pkce.ts';
import { revokeToken } from '../smart/revoke-token.ts';
import type { SmartStyle } from '../smart/smart-style.ts';
import { requestToken, type TokenResponse } from '../smart/token-client.ts';
import type { SessionBackend } from './session-backend.ts';
import type { SessionSealer } from './session-sealer.ts';

/** What the store keeps of a session, sealed: tokens stay on the server; the browser holds only `id`. */
interface SessionRecord {
  id: string;
  iss: string;
  tokenEndpoint: string;
  /** The EHR's RFC 7009 endpoint, when it advertises one: sign-out revokes the grant there too. */
  revocationEndpoint: string | undefined;
  accessToken: string;
  refreshToken: string | undefined;
  /** Epoch ms when the access token expires. */
  accessExpiresAt: number;
  /** How long the last access token was issued for, in ms. */
  accessLifetimeMs: number;
  /** Epoch ms when the session ends however active it is. */
  sessionExpiresAt: number;
  scope: string;
  patient: string | undefined;
  encounter: string | undefined;
  /** The user from the verified id_token (never from the token response), as a relative reference. */
  fhirUser: string | undefined;
  needPatientBanner: boolean;
  smartStyleUrl: string | undefined;
}

/** A clinician's session after a launch, as one request sees it. */
export interface Session extends SessionRecord {
  /** The registered EHR's client authentication (from the configuration, never stored). */
  auth: ClientAuthenticator;
  /** Epoch ms of the clinician's last request (background refreshes do not count). */
  lastActiveAt: number;
}

export interface SessionStoreDeps {
  now: () => number;
  fetch: typeof fetch;
  sessionMs: number;
  /** A session nobody used for this long ends (HIPAA §164.312(a)(2)(iii), automatic logoff). */
  idleMs: number;
  /** Refresh this long before the access token expires (default 60 s, at most a fifth of its lifetime). */
  refreshLeadMs?: number;
  backend: SessionBackend;
  sealer: SessionSealer;
  /** The client authentication of the registered EHR `iss`; undefined once it is no longer registered. */
  authFor: (iss: string) => ClientAuthenticator | undefined;
  /** Fetches and sanitizes an EHR's smart_style_url (smart/smart-style.ts). */
  fetchStyle: (url: string | undefined) => Promise<SmartStyle>;
}

/** Who signed in, from where: what the launch learned besides the token response. */
export interface SessionGrant {
  iss: string;
  tokenEndpoint: string;
  revocationEndpoint: string | undefined;
  auth: ClientAuthenticator;
  fhirUser: string | undefined;
}

const RELAUNCH = 'Relaunch ChartBill from the encounter in your EHR.';
/** How long one instance may hold a session's refresh before another may take over. */
const REFRESH_LOCK_MS = 30_000;
const STYLES_KEPT = 1000;
const TOUCH_STEP_MS = 15_000;

/**
 * The session's key in the store: a SHA-256 of the handle, so someone who can read the store
 * cannot use what they read as a handle (and, without the handle, cannot open the record).
 */
function storeKey(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

function ended(message: string, cause?: unknown): AppError {
  return new AppError('SESSION_EXPIRED', message, { hint: RELAUNCH, cause });
}

/**
 * Clinicians' sessions, in the configured backend (memory, PostgreSQL or Redis), sealed with
 * AES-256-GCM. Any instance can serve any session: nothing a request needs lives only in one
 * process, except caches (the EHR's style) that any instance can rebuild.
 */
export class SessionStore {
  /** In-process refreshes, so concurrent requests on this instance share one. */
  private readonly refreshing = new Map<string, Promise<string>>();
  private readonly styles = new Map<string, Promise<SmartStyle>>();

  constructor(private readonly deps: SessionStoreDeps) {}

  async create(grant: SessionGrant, token: TokenResponse): Promise<Session> {
    const now = this.deps.now();
    const record: SessionRecord = {
      id: randomToken(32),
      iss: grant.iss,
      tokenEndpoint: grant.tokenEndpoint,
      revocationEndpoint: grant.revocationEndpoint,
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      accessExpiresAt: now + token.expires_in * 1000,
      accessLifetimeMs: token.expires_in * 1000,
      sessionExpiresAt: now + this.deps.sessionMs,
      scope: token.scope,
      patient: token.patient,
      encounter: token.encounter,
      fhirUser: grant.fhirUser,
      needPatientBanner: token.need_patient_banner ?? true,
      smartStyleUrl: token.smart_style_url,
    };
    await this.sweep();
    await this.deps.backend.createSession(
      storeKey(record.id),
      { sealed: this.seal(record), lastActiveAt: now, expiresAt: record.sessionExpiresAt },
      this.keepMs(record.sessionExpiresAt, now),
    );
    return { ...record, auth: grant.auth, lastActiveAt: now };
  }

  /** The live session for an id, or an AppError telling the user to relaunch. */
  async get(id: string | undefined): Promise<Session> {
    if (!id)
      throw new AppError('SESSION_MISSING', 'No ChartBill session.', {
        hint: 'Open ChartBill from the encounter in your EHR.',
      });
    const now = this.deps.now();
    const session = await this.load(id);
    if (!session || now > session.sessionExpiresAt) {
      await this.deps.backend.deleteSession(storeKey(id));
      throw ended('Your ChartBill session has ended.');
    }
    if (now - session.lastActiveAt > this.deps.idleMs) {
      // Whichever instance deletes it revokes it, once.
      if (await this.deps.backend.deleteSession(storeKey(id))) void this.revoke(session);
      throw ended(
        `Your ChartBill session ended after ${Math.round(this.deps.idleMs / 60_000)} minutes without use.`,
      );
    }
    return session;
  }

  /** Records the clinician's activity: the idle timeout starts again. */
  async touch(session: Session): Promise<void> {
    const now = this.deps.now();
    // A write per request would cost a commit per request: activity is recorded to within 15 s
    // (a sixtieth of the idle timeout when shorter), so a session may end that much early, not late.
    if (now - session.lastActiveAt < Math.min(TOUCH_STEP_MS, this.deps.idleMs / 60)) return;
    session.lastActiveAt = now;
    await this.deps.backend.touchSession(
      storeKey(session.id),
      now,
      this.keepMs(session.sessionExpiresAt, now),
    );
  }

  /** Ends a session at once (the EHR refused its token): the next call tells the user to relaunch. */
  async end(id: string | undefined): Promise<void> {
    if (id) await this.deps.backend.deleteSession(storeKey(id));
  }

  /**
   * Signs out: forgets the session and asks the EHR to revoke its grant (RFC 7009), so the tokens
   * ChartBill held are useless even if they leaked. Unknown ids are ignored (sign-out twice is fine).
   */
  async signOut(id: string | undefined): Promise<{ revoked: boolean } | undefined> {
    const session = id ? await this.load(id) : undefined;
    if (!session || !(await this.deps.backend.deleteSession(storeKey(session.id))))
      return undefined;
    this.styles.delete(session.id);
    return { revoked: await this.revoke(session) };
  }

  /** The EHR's sanitized style for the session: fetched once per instance, rebuilt by any instance. */
  style(session: Session): Promise<SmartStyle> {
    let style = this.styles.get(session.id);
    if (!style) {
      if (this.styles.size >= STYLES_KEPT)
        this.styles.delete(this.styles.keys().next().value ?? '');
      style = this.deps.fetchStyle(session.smartStyleUrl);
      this.styles.set(session.id, style);
    }
    return style;
  }

  private async revoke(session: Session): Promise<boolean> {
    if (!session.revocationEndpoint) return false;
    const token = session.refreshToken
      ? { value: session.refreshToken, hint: 'refresh_token' as const }
      : { value: session.accessToken, hint: 'access_token' as const };
    return revokeToken(
      session.revocationEndpoint,
      token,
      { authenticator: session.auth, tokenEndpoint: session.tokenEndpoint },
      this.deps.fetch,
    );
  }

  /**
   * A valid access token, refreshed shortly before expiry. Concurrent callers share one refresh,
   * on this instance and across instances (a refresh token may be single-use at the EHR).
   */
  async accessToken(session: Session): Promise<string> {
    if (this.fresh(session)) return session.accessToken;
    if (!session.refreshToken) {
      if (this.deps.now() < session.accessExpiresAt) return session.accessToken;
      await this.deps.backend.deleteSession(storeKey(session.id));
      throw ended('Your EHR sign-in has expired.');
    }
    let refreshing = this.refreshing.get(session.id);
    if (!refreshing) {
      refreshing = this.refreshShared(session).finally(() => this.refreshing.delete(session.id));
      this.refreshing.set(session.id, refreshing);
    }
    return refreshing;
  }

  /** True while the access token is good for more than the refresh lead. */
  private fresh(session: SessionRecord): boolean {
    // A fifth of the lifetime keeps short-lived tokens (a 5-minute EHR token, a test's 10 s) useful.
    const lead = Math.min(this.deps.refreshLeadMs ?? 60_000, session.accessLifetimeMs / 5);
    return this.deps.now() < session.accessExpiresAt - lead;
  }

  /** Refreshes under the session's lock; an instance that finds it taken waits for the other's result. */
  private async refreshShared(session: Session): Promise<string> {
    for (let waited = 0; ; waited += 100) {
      if (
        await this.deps.backend.lockRefresh(storeKey(session.id), this.deps.now(), REFRESH_LOCK_MS)
      ) {
        try {
          // Another instance may have refreshed since this request read the session.
          const current = await this.load(session.id);
          if (!current) throw ended('Your EHR sign-in could not be renewed.');
          Object.assign(session, current);
          return this.fresh(current) ? current.accessToken : await this.refresh(session);
        } finally {
          await this.deps.backend.unlockRefresh(storeKey(session.id));
        }
      }
      if (waited > REFRESH_LOCK_MS) throw ended('Your EHR sign-in could not be renewed.');
      // Another instance is refreshing: poll the store for its result.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const current = await this.load(session.id);
      if (!current) throw ended('Your EHR sign-in could not be renewed.');
      if (this.fresh(current)) {
        Object.assign(session, current);
        return current.accessToken;
      }
    }
  }

  private async refresh(session: Session): Promise<string> {
    try {
      const token = await requestToken(
        session.tokenEndpoint,
        { grant_type: 'refresh_token', refresh_token: session.refreshToken ?? '' },
        session.auth,
        this.deps.fetch,
      );
      session.accessToken = token.access_token;
      session.refreshToken = token.refresh_token ?? session.refreshToken;
      session.accessExpiresAt = this.deps.now() + token.expires_in * 1000;
      session.accessLifetimeMs = token.expires_in * 1000;
      if (token.scope) session.scope = token.scope;
    } catch (err) {
      await this.deps.backend.deleteSession(storeKey(session.id));
      throw ended('Your EHR sign-in could not be renewed.', err);
    }
    if (!(await this.deps.backend.updateSession(storeKey(session.id), this.seal(session))))
      throw ended('Your ChartBill session has ended.'); // signed out while the refresh ran
    return session.accessToken;
  }

  /** The session for `id` from the backend; undefined when gone, unreadable or its EHR unregistered. */
  private async load(id: string): Promise<Session | undefined> {
    const stored = await this.deps.backend.readSession(storeKey(id));
    const plain = stored && this.deps.sealer.open(stored.sealed, `session:${id}`);
    if (!stored || !plain) return undefined;
    const record = JSON.parse(plain) as SessionRecord;
    const auth = this.deps.authFor(record.iss);
    if (record.id !== id || !auth) return undefined;
    return { ...record, auth, lastActiveAt: stored.lastActiveAt };
  }

  private seal(session: SessionRecord): string {
    const record: SessionRecord = {
      id: session.id,
      iss: session.iss,
      tokenEndpoint: session.tokenEndpoint,
      revocationEndpoint: session.revocationEndpoint,
      accessToken: session.accessToken,
      refreshToken: session.refreshToken,
      accessExpiresAt: session.accessExpiresAt,
      accessLifetimeMs: session.accessLifetimeMs,
      sessionExpiresAt: session.sessionExpiresAt,
      scope: session.scope,
      patient: session.patient,
      encounter: session.encounter,
      fhirUser: session.fhirUser,
      needPatientBanner: session.needPatientBanner,
      smartStyleUrl: session.smartStyleUrl,
    };
    return this.deps.sealer.seal(JSON.stringify(record), `session:${session.id}`);
  }

  /** How long the backend keeps a session without a touch: what is left of it, at most twice the idle timeout. */
  private keepMs(expiresAt: number, now: number): number {
    return Math.max(1, Math.min(expiresAt - now, 2 * this.deps.idleMs));
  }

  /** Removes ended and idle sessions and old launches (Redis also expires them by itself). */
  async sweep(launchTtlMs = 10 * 60_000): Promise<void> {
    const now = this.deps.now();
    await this.deps.backend.sweep(now, this.deps.idleMs, now - launchTtlMs);
  }
}
