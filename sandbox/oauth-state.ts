import { createExpiringStore, type ExpiringStore } from './oauth-store.ts';

/** What the EHR page binds to a launch id: the chart the user has open (SMART App Launch 2.2 §2.0.6). */
export interface LaunchContext {
  patient: string;
  encounter: string;
  /** `Practitioner/<id>` */
  fhirUser: string;
}

/** The launch context and grant that an authorization code or a refresh token stands for. */
export interface GrantContext {
  clientId: string;
  scope: string;
  patient?: string | undefined;
  encounter?: string | undefined;
  fhirUser: string;
  /** False for EHR launch (the EHR shows the patient banner), true for standalone. */
  needPatientBanner: boolean;
  /** Set when the code is exchanged: the grant id that its tokens and refreshes share. */
  grantId?: string | undefined;
}

export interface CodeGrant extends GrantContext {
  redirectUri: string;
  codeChallenge: string;
}

/** A standalone authorization waiting for the user to pick a patient. */
export interface PendingPick extends Omit<CodeGrant, 'patient' | 'encounter'> {
  state: string;
}

export interface OAuthState {
  launches: ExpiringStore<LaunchContext>;
  codes: ExpiringStore<CodeGrant>;
  pending: ExpiringStore<PendingPick>;
  refreshTokens: ExpiringStore<GrantContext>;
  /** Refresh tokens already rotated, with their grant id: reuse revokes the grant (Security BCP §4.14.2). */
  usedRefreshTokens: ExpiringStore<string>;
  /** Client assertion `jti`s seen until their expiry (SMART Backend Services: replay refused). */
  assertionIds: ExpiringStore<true>;
}

/** Lifetimes, in seconds. Codes live 60 s (RFC 6749 §4.1.2 recommends ≤ 10 min); launches ~5 min. */
export const TTL = {
  launch: 300,
  code: 60,
  pending: 600,
  onlineRefresh: 8 * 3600,
  offlineRefresh: 30 * 24 * 3600,
} as const;

export function createOAuthState(now: () => Date): OAuthState {
  return {
    launches: createExpiringStore(now),
    codes: createExpiringStore(now),
    pending: createExpiringStore(now),
    refreshTokens: createExpiringStore(now),
    usedRefreshTokens: createExpiringStore(now),
    assertionIds: createExpiringStore(now),
  };
}
