import { AppError } from '../../src/errors/app-error.ts';
import type { ClientAuthenticator } from '../smart/client-auth.ts';
import { randomToken } from '../smart/pkce.ts';
import { revokeToken } from '../smart/revoke-token.ts';
import type { SmartStyle } from '../smart/smart-style.ts';
import { requestToken, type TokenResponse } from '../smart/token-client.ts';

/** A clinician's session after a launch. Tokens stay here, on the server; the browser holds only `id`. */
export interface Session {
  id: string;
  iss: string;
  tokenEndpoint: string;
  /** The EHR's RFC 7009 endpoint, when it advertises one: sign-out revokes the grant there too. */
  revocationEndpoint: string | undefined;
  auth: ClientAuthenticator;
  accessToken: string;
  refreshToken: string | undefined;
  /** Epoch ms when the access token expires. */
  accessExpiresAt: number;
  /** How long the last access token was issued for, in ms. */
  accessLifetimeMs: number;
  /** Epoch ms when the session ends however active it is. */
  sessionExpiresAt: number;
  /** Epoch ms of the clinician's last request (background refreshes do not count). */
  lastActiveAt: number;
  scope: string;
  patient: string | undefined;
  encounter: string | undefined;
  /** The user from the verified id_token (never from the token response), as a relative reference. */
  fhirUser: string | undefined;
  needPatientBanner: boolean;
  smartStyleUrl: string | undefined;
  /** The EHR's sanitized smart_style_url content, fetched at the callback. */
  style: Promise<SmartStyle> | undefined;
  refreshing: Promise<string> | undefined;
  /** Set when a refresh failed: the session is over, and no further refresh is attempted. */
  ended: boolean;
}

export interface SessionStoreDeps {
  now: () => number;
  fetch: typeof fetch;
  sessionMs: number;
  /** A session nobody used for this long ends (HIPAA §164.312(a)(2)(iii), automatic logoff). */
  idleMs: number;
  /** Refresh this long before the access token expires (default 60 s, at most a fifth of its lifetime). */
  refreshLeadMs?: number;
}

const RELAUNCH = 'Relaunch ChartBill from the encounter in your EHR.';

/** Who signed in, from where: what the launch learned besides the token response. */
export interface SessionGrant {
  iss: string;
  tokenEndpoint: string;
  revocationEndpoint: string | undefined;
  auth: ClientAuthenticator;
  fhirUser: string | undefined;
}

/** In-memory sessions; one process serves the app (see README for scaling notes). */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly deps: SessionStoreDeps) {}

  create(grant: SessionGrant, token: TokenResponse): Session {
    const now = this.deps.now();
    const session: Session = {
      id: randomToken(32),
      iss: grant.iss,
      tokenEndpoint: grant.tokenEndpoint,
      revocationEndpoint: grant.revocationEndpoint,
      auth: grant.auth,
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      accessExpiresAt: now + token.expires_in * 1000,
      accessLifetimeMs: token.expires_in * 1000,
      sessionExpiresAt: now + this.deps.sessionMs,
      lastActiveAt: now,
      scope: token.scope,
      patient: token.patient,
      encounter: token.encounter,
      fhirUser: grant.fhirUser,
      needPatientBanner: token.need_patient_banner ?? true,
      smartStyleUrl: token.smart_style_url,
      style: undefined,
      refreshing: undefined,
      ended: false,
    };
    this.sweep(now);
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session for an id, or an AppError telling the user to relaunch. */
  get(id: string | undefined): Session {
    if (!id)
      throw new AppError('SESSION_MISSING', 'No ChartBill session.', {
        hint: 'Open ChartBill from the encounter in your EHR.',
      });
    const now = this.deps.now();
    const session = this.sessions.get(id);
    if (!session || now > session.sessionExpiresAt) {
      this.sessions.delete(id);
      throw new AppError('SESSION_EXPIRED', 'Your ChartBill session has ended.', {
        hint: RELAUNCH,
      });
    }
    if (now - session.lastActiveAt > this.deps.idleMs) {
      this.sessions.delete(id);
      void this.revoke(session);
      throw new AppError(
        'SESSION_EXPIRED',
        `Your ChartBill session ended after ${Math.round(this.deps.idleMs / 60_000)} minutes without use.`,
        { hint: RELAUNCH },
      );
    }
    return session;
  }

  /** Records the clinician's activity: the idle timeout starts again. */
  touch(session: Session): void {
    session.lastActiveAt = this.deps.now();
  }

  /** Ends a session at once (the EHR refused its token): the next call tells the user to relaunch. */
  end(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  /**
   * Signs out: forgets the session and asks the EHR to revoke its grant (RFC 7009), so the tokens
   * ChartBill held are useless even if they leaked. Unknown ids are ignored (sign-out twice is fine).
   */
  async signOut(id: string | undefined): Promise<{ revoked: boolean } | undefined> {
    const session = id ? this.sessions.get(id) : undefined;
    if (!session) return undefined;
    this.sessions.delete(session.id);
    return { revoked: await this.revoke(session) };
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
   * A valid access token, refreshed shortly before expiry. Concurrent callers share one refresh
   * (a refresh token may be single-use at the EHR).
   */
  async accessToken(session: Session): Promise<string> {
    // A fifth of the lifetime keeps short-lived tokens (a 5-minute EHR token, a test's 10 s) useful.
    if (session.ended)
      throw new AppError('SESSION_EXPIRED', 'Your EHR sign-in could not be renewed.', {
        hint: 'Relaunch ChartBill from the encounter in your EHR.',
      });
    const lead = Math.min(this.deps.refreshLeadMs ?? 60_000, session.accessLifetimeMs / 5);
    if (this.deps.now() < session.accessExpiresAt - lead) return session.accessToken;
    if (!session.refreshToken) {
      if (this.deps.now() < session.accessExpiresAt) return session.accessToken;
      this.sessions.delete(session.id);
      throw new AppError('SESSION_EXPIRED', 'Your EHR sign-in has expired.', {
        hint: 'Relaunch ChartBill from the encounter in your EHR.',
      });
    }
    session.refreshing ??= this.refresh(session).finally(() => {
      session.refreshing = undefined;
    });
    return session.refreshing;
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
      return session.accessToken;
    } catch (err) {
      session.ended = true;
      this.sessions.delete(session.id);
      throw new AppError('SESSION_EXPIRED', 'Your EHR sign-in could not be renewed.', {
        hint: 'Relaunch ChartBill from the encounter in your EHR.',
        cause: err,
      });
    }
  }

  private sweep(now: number): void {
    for (const [id, s] of this.sessions)
      if (now > s.sessionExpiresAt || now - s.lastActiveAt > this.deps.idleMs)
        this.sessions.delete(id);
  }
}
