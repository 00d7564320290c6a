import { AppError } from '../../src/errors/app-error.ts';
import type { ClientAuthenticator } from '../smart/client-auth.ts';
import { randomToken } from '../smart/pkce.ts';
import { requestToken, type TokenResponse } from '../smart/token-client.ts';

/** A clinician's session after a launch. Tokens stay here, on the server; the browser holds only `id`. */
export interface Session {
  id: string;
  iss: string;
  tokenEndpoint: string;
  auth: ClientAuthenticator;
  accessToken: string;
  refreshToken: string | undefined;
  /** Epoch ms when the access token expires. */
  accessExpiresAt: number;
  /** Epoch ms when the session ends however active it is. */
  sessionExpiresAt: number;
  scope: string;
  patient: string | undefined;
  encounter: string | undefined;
  fhirUser: string | undefined;
  needPatientBanner: boolean;
  smartStyleUrl: string | undefined;
  refreshing: Promise<string> | undefined;
}

export interface SessionStoreDeps {
  now: () => number;
  fetch: typeof fetch;
  sessionMs: number;
  /** Refresh this long before the access token expires. */
  refreshLeadMs?: number;
}

/** In-memory sessions; one process serves the app (see README for scaling notes). */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly deps: SessionStoreDeps) {}

  create(iss: string, tokenEndpoint: string, auth: ClientAuthenticator, token: TokenResponse): Session {
    const now = this.deps.now();
    const session: Session = {
      id: randomToken(32),
      iss,
      tokenEndpoint,
      auth,
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      accessExpiresAt: now + token.expires_in * 1000,
      sessionExpiresAt: now + this.deps.sessionMs,
      scope: token.scope,
      patient: token.patient,
      encounter: token.encounter,
      fhirUser: token.fhirUser,
      needPatientBanner: token.need_patient_banner ?? true,
      smartStyleUrl: token.smart_style_url,
      refreshing: undefined,
    };
    this.sweep(now);
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session for an id, or an AppError telling the user to relaunch. */
  get(id: string | undefined): Session {
    if (!id) throw new AppError('SESSION_MISSING', 'No ChartBill session.', { status: 401, hint: 'Open ChartBill from the encounter in your EHR.' });
    const session = this.sessions.get(id);
    if (!session || this.deps.now() > session.sessionExpiresAt) {
      this.sessions.delete(id);
      throw new AppError('SESSION_EXPIRED', 'Your ChartBill session has ended.', { status: 401, hint: 'Relaunch ChartBill from the encounter in your EHR.' });
    }
    return session;
  }

  /**
   * A valid access token, refreshed shortly before expiry. Concurrent callers share one refresh
   * (a refresh token may be single-use at the EHR).
   */
  async accessToken(session: Session): Promise<string> {
    const lead = this.deps.refreshLeadMs ?? 60_000;
    if (this.deps.now() < session.accessExpiresAt - lead) return session.accessToken;
    if (!session.refreshToken) {
      if (this.deps.now() < session.accessExpiresAt) return session.accessToken;
      this.sessions.delete(session.id);
      throw new AppError('SESSION_EXPIRED', 'Your EHR sign-in has expired.', { status: 401, hint: 'Relaunch ChartBill from the encounter in your EHR.' });
    }
    session.refreshing ??= this.refresh(session).finally(() => {
      session.refreshing = undefined;
    });
    return session.refreshing;
  }

  private async refresh(session: Session): Promise<string> {
    try {
      const token = await requestToken(session.tokenEndpoint, { grant_type: 'refresh_token', refresh_token: session.refreshToken ?? '' }, session.auth, this.deps.fetch);
      session.accessToken = token.access_token;
      session.refreshToken = token.refresh_token ?? session.refreshToken;
      session.accessExpiresAt = this.deps.now() + token.expires_in * 1000;
      if (token.scope) session.scope = token.scope;
      return session.accessToken;
    } catch (err) {
      this.sessions.delete(session.id);
      throw new AppError('SESSION_EXPIRED', 'Your EHR sign-in could not be renewed.', { status: 401, hint: 'Relaunch ChartBill from the encounter in your EHR.', cause: err });
    }
  }

  private sweep(now: number): void {
    for (const [id, s] of this.sessions) if (now > s.sessionExpiresAt) this.sessions.delete(id);
  }
}
