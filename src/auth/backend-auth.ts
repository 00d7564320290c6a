import { importJWK, SignJWT, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import {
  backoffMs,
  DEFAULT_RETRY,
  isRetryableStatus,
  retryAfterMsOf,
  sleepMs,
  type RetryPolicy,
} from '../http/retry-policy.ts';

export interface BackendAuthOptions {
  tokenUrl: string;
  clientId: string;
  /** Private JWK with `kid` and `alg` (RS384 or ES384), e.g. from generateClientKeys. */
  privateKey: JWK;
  /** Space-separated `system/` scopes to ask for. */
  scope: string;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Retries of a token request the endpoint did not answer or answered 408/425/429/5xx. */
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface BackendAuth {
  /** A valid access token: cached until 60 s before expiry; concurrent callers share one request. */
  getToken(): Promise<string>;
}

const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be Bearer'),
  expires_in: z.coerce.number().int().positive().default(300),
});
const errorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

/** Refresh this long before the token expires, so a request never leaves with a dying token. */
const EARLY_REFRESH_MS = 60_000;
/** SMART Backend Services: the assertion's exp at most 5 minutes ahead. */
const ASSERTION_LIFETIME_SECONDS = 300;

/**
 * SMART Backend Services client: `client_credentials` with a `private_key_jwt` assertion
 * (RFC 7523; iss = sub = client_id, aud = token URL, unique jti, exp ≤ 5 min), signed RS384 or
 * ES384 with the registered key. A request the endpoint did not answer, or answered with a
 * retryable status, is repeated under the one retry policy (`src/http/retry-policy.ts`), each
 * time with a fresh assertion: the server may have seen the first one's jti, and a replayed jti
 * is refused. Failures become AppError `SMART_TOKEN_FAILED` with the server's OAuth error code;
 * the token itself never appears in messages.
 */
export function createBackendAuth(options: BackendAuthOptions): BackendAuth {
  const fetchFn = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const sleep = options.sleep ?? sleepMs;
  const random = options.random ?? Math.random;
  const alg = options.privateKey.alg;
  if (alg !== 'RS384' && alg !== 'ES384') {
    throw new AppError(
      'CONFIG_INVALID',
      'The private key must say alg RS384 or ES384 (SMART Backend Services)',
    );
  }
  if (!options.privateKey.kid)
    throw new AppError(
      'CONFIG_INVALID',
      'The private key needs a kid so the EHR can find its public key',
    );
  let key: ReturnType<typeof importJWK> | undefined;
  let cached: { token: string; refreshAtMs: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function assertion(): Promise<string> {
    const iat = Math.floor(now().getTime() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: alg as string, kid: options.privateKey.kid, typ: 'JWT' })
      .setIssuer(options.clientId)
      .setSubject(options.clientId)
      .setAudience(options.tokenUrl)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_LIFETIME_SECONDS)
      .setJti(randomUUID())
      .sign(await (key ??= importJWK(options.privateKey, alg)));
  }

  /** The token endpoint's answer, after the retries the policy allows; each POST has a fresh assertion. */
  async function answer(): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const body = new URLSearchParams({
        grant_type: 'client_credentials',
        scope: options.scope,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion(),
      });
      let res: Response;
      try {
        res = await fetchFn(options.tokenUrl, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          signal: AbortSignal.timeout(policy.timeoutMs),
        });
      } catch (err) {
        if (attempt >= policy.attempts)
          throw new AppError('SMART_TOKEN_FAILED', 'The token endpoint did not answer', {
            cause: err,
            hint: 'Check CHARTBILL_TOKEN_URL and that the EHR is reachable.',
          });
        await sleep(backoffMs(attempt, undefined, policy, random));
        continue;
      }
      if (!isRetryableStatus(res.status) || attempt >= policy.attempts) return res;
      await res.body?.cancel();
      await sleep(
        backoffMs(attempt, retryAfterMsOf(res.headers.get('retry-after')), policy, random),
      );
    }
  }

  async function requestToken(): Promise<string> {
    const res = await answer();
    const json: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const oauth = errorSchema.safeParse(json);
      const reason = oauth.success
        ? `${oauth.data.error}${oauth.data.error_description ? `: ${oauth.data.error_description}` : ''}`
        : `HTTP ${res.status}`;
      throw new AppError(
        'SMART_TOKEN_FAILED',
        `The token endpoint refused the backend client (${reason})`,
        {
          upstreamStatus: res.status,
          hint: 'Check the client id, the registered public key and the allowed scopes.',
        },
      );
    }
    const token = tokenSchema.safeParse(json);
    if (!token.success)
      throw new AppError(
        'SMART_TOKEN_FAILED',
        'The token endpoint answered without a usable access token',
      );
    cached = {
      token: token.data.access_token,
      refreshAtMs: now().getTime() + token.data.expires_in * 1000 - EARLY_REFRESH_MS,
    };
    return token.data.access_token;
  }

  return {
    getToken() {
      if (cached && now().getTime() < cached.refreshAtMs) return Promise.resolve(cached.token);
      inFlight ??= requestToken().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}
