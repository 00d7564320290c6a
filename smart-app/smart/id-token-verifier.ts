import { createRemoteJWKSet, customFetch, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { AppError } from '../../src/errors/app-error.ts';

/** What ChartBill takes from a verified id_token. */
export interface VerifiedIdentity {
  /** `Practitioner/<id>` (or PractitionerRole, Patient, RelatedPerson) on the launching FHIR server. */
  fhirUser: string | undefined;
}

export interface IdTokenCheck {
  idToken: string;
  /** The smart-configuration `jwks_uri`. */
  jwksUri: string;
  /** The smart-configuration `issuer`; the FHIR base when the EHR does not publish one. */
  issuer: string;
  clientId: string;
  /** The FHIR base the app was launched from: fhirUser must be a resource there. */
  iss: string;
}

const claims = z.object({ fhirUser: z.string().max(2048).optional() });

/** The resource types SMART allows for fhirUser that a Condition's recorder and a ChargeItem's enterer may reference. */
const USER_REFERENCE =
  /^(Practitioner|PractitionerRole|Patient|RelatedPerson)\/[A-Za-z0-9\-.]{1,64}$/;

/** Signing algorithms an EHR may use for id_tokens; `none` and HMAC are never accepted. */
const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
];

function invalid(why: string, cause?: unknown): AppError {
  return new AppError(
    'SMART_ID_TOKEN_INVALID',
    `The EHR’s identity token could not be verified (${why}), so ChartBill will not sign in.`,
    {
      hint: 'Relaunch ChartBill; if it keeps failing, ask IT to check the EHR’s signing keys (jwks_uri) and ChartBill’s registration.',
      cause,
    },
  );
}

/**
 * Verifies an id_token (OpenID Connect Core §3.1.3.7; SMART App Launch 2.2 §2.0.4 "fhirUser"):
 * its signature against the EHR's JWKS from `jwks_uri`, `iss`, `aud` (this client), `exp` and
 * `iat`, and returns the user as a reference on the launching FHIR server. Key sets are fetched
 * once per `jwks_uri` and refetched when an unknown `kid` appears (jose's remote key set).
 */
export class IdTokenVerifier {
  private readonly keySets = new Map<string, JWTVerifyGetKey>();

  constructor(private readonly deps: { fetch: typeof fetch; now: () => Date }) {}

  async verify(check: IdTokenCheck): Promise<VerifiedIdentity> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(check.idToken, this.keySet(check.jwksUri), {
        issuer: check.issuer,
        audience: check.clientId,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp', 'iat', 'sub'],
        currentDate: this.deps.now(),
        clockTolerance: 60,
      }));
    } catch (err) {
      const { code, claim } = err as { code?: string; claim?: string };
      throw invalid(
        claim
          ? `its ${claim} claim did not check`
          : (code ?? 'ERR_JWT_INVALID').replace(/^ERR_/, '').toLowerCase().replaceAll('_', ' '),
        err,
      );
    }
    const parsed = claims.safeParse(payload);
    return {
      fhirUser: parsed.success ? userReference(parsed.data.fhirUser, check.iss) : undefined,
    };
  }

  private keySet(jwksUri: string): JWTVerifyGetKey {
    let keys = this.keySets.get(jwksUri);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(jwksUri), {
        timeoutDuration: 8000,
        [customFetch]: this.deps.fetch,
      });
      this.keySets.set(jwksUri, keys);
    }
    return keys;
  }
}

/**
 * fhirUser as a relative reference. SMART servers send an absolute URL on their FHIR base; a
 * user on another server, or of a type that cannot record a diagnosis, is not used.
 */
export function userReference(fhirUser: string | undefined, iss: string): string | undefined {
  if (!fhirUser) return undefined;
  const relative = fhirUser.startsWith(`${iss}/`) ? fhirUser.slice(iss.length + 1) : fhirUser;
  return USER_REFERENCE.test(relative) ? relative : undefined;
}
