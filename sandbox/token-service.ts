import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/** The launch context and grant an access token carries (claims beyond iss/aud/exp). */
export interface AccessGrant {
  /** The client the token was issued to, or `sandbox-admin` for issueSystemToken. */
  sub: string;
  scope: string;
  patient?: string | undefined;
  encounter?: string | undefined;
  /** `Practitioner/<id>`, relative to the FHIR base. */
  fhirUser?: string | undefined;
  /** The grant (one launch and its refreshes) the token belongs to; revoking it revokes them all. */
  sid?: string | undefined;
}

export interface TokenService {
  /** Signs an access token for the grant; valid for the service's TTL. */
  signAccessToken(grant: AccessGrant): Promise<string>;
  /** Verifies signature, issuer, audience and expiry; undefined when the token is not valid. */
  verifyAccessToken(token: string): Promise<AccessGrant | undefined>;
  /**
   * An OpenID Connect id_token (OIDC Core §2) for the sandbox user, audience the client, issuer
   * the smart-configuration `issuer`, signed with the key at `jwks_uri`. `user` is a relative
   * reference (`Practitioner/<id>`); with `withFhirUser` it also travels as the absolute `fhirUser` claim.
   */
  signIdToken(clientId: string, user: string, withFhirUser: boolean): Promise<string>;
  /** The public key set served at jwks_uri. */
  readonly jwks: { keys: JWK[] };
  readonly ttlSeconds: number;
  /** Revokes every access token of a grant at once (RFC 7009 §2.1; OAuth 2.0 Security BCP §4.14.2). */
  revokeGrant(sid: string): void;
  isRevoked(sid: string | undefined): boolean;
}

const ALG = 'ES256';

const claimsSchema = z.object({
  sub: z.string(),
  scope: z.string(),
  patient: z.string().optional(),
  encounter: z.string().optional(),
  fhirUser: z.string().optional(),
  sid: z.string().optional(),
});

/**
 * Access tokens as signed JWTs (ES256, a key made per sandbox run): the FHIR endpoints verify
 * them without shared state, as an EHR's resource server would. `issuer` and `audience` are
 * read per call because the sandbox learns its port only after listening.
 */
export async function createTokenService(deps: {
  issuer: () => string;
  audience: () => string;
  now: () => Date;
  ttlSeconds: number;
}): Promise<TokenService> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
  const nowSeconds = (): number => Math.floor(deps.now().getTime() / 1000);
  // Grant ids are random and few (one per launch), so the set is kept for the process's life.
  const revoked = new Set<string>();

  async function sign(
    claims: Record<string, unknown>,
    audience: string,
    key: CryptoKey,
  ): Promise<string> {
    const iat = nowSeconds();
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid, typ: 'JWT' })
      .setIssuer(deps.issuer())
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + deps.ttlSeconds)
      .setJti(randomUUID())
      .sign(key);
  }

  return {
    jwks: { keys: [publicJwk] },
    ttlSeconds: deps.ttlSeconds,
    revokeGrant: (sid) => void revoked.add(sid),
    isRevoked: (sid) => sid !== undefined && revoked.has(sid),
    signAccessToken: (grant) =>
      sign({ ...grant, client_id: grant.sub }, deps.audience(), privateKey),
    signIdToken: (clientId, user, withFhirUser) =>
      sign(
        {
          sub: user.split('/').pop(),
          ...(withFhirUser ? { fhirUser: `${deps.audience()}/${user}` } : {}),
        },
        clientId,
        privateKey,
      ),
    async verifyAccessToken(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey, {
          issuer: deps.issuer(),
          audience: deps.audience(),
          algorithms: [ALG],
          currentDate: deps.now(),
        });
        const parsed = claimsSchema.safeParse(payload);
        return parsed.success && !revoked.has(parsed.data.sid ?? '') ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
