import { readFile } from 'node:fs/promises';
import { importJWK, SignJWT, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../src/errors/error-message.ts';
import { fail, pass, warn, type DoctorCheck } from './doctor-check.ts';
import type { SmartConfiguration } from './smart-checks.ts';

const AREA = 'Backend Services';

export interface BackendSettings {
  clientId: string | undefined;
  privateKeyFile: string | undefined;
  tokenUrl: string | undefined;
  /** The scopes the worker asks for (space separated). */
  scope: string;
}

/**
 * A SMART Backend Services token with the worker's key (client_credentials, private_key_jwt,
 * RFC 7523), and the scopes granted against those the worker asks for. The token itself is
 * never printed.
 */
export async function backendCheck(
  settings: BackendSettings,
  smart: SmartConfiguration | undefined,
  fetchFn: typeof fetch,
): Promise<DoctorCheck[]> {
  if (smart && !smart.grant_types_supported.includes('client_credentials'))
    return [
      fail(
        AREA,
        'client_credentials',
        'the EHR does not offer client_credentials (SMART Backend Services)',
        'The worker runs without a user: ask the EHR vendor to enable SMART Backend Services for ChartBill.',
      ),
    ];
  const tokenUrl = settings.tokenUrl ?? smart?.token_endpoint;
  if (!settings.clientId || !settings.privateKeyFile || !tokenUrl)
    return [
      warn(
        AREA,
        'token',
        'not tried: CHARTBILL_CLIENT_ID and CHARTBILL_PRIVATE_KEY_FILE are not both set',
        'Register the worker (chartbill keys prints the JWKS) and set both to check its token.',
      ),
    ];
  try {
    const key = JSON.parse(await readFile(settings.privateKeyFile, 'utf8')) as JWK;
    const granted = await requestToken(tokenUrl, settings.clientId, key, settings.scope, fetchFn);
    const missing = settings.scope.split(/\s+/).filter((s) => s && !granted.has(s));
    const checks = [pass(AREA, 'token', `issued by ${tokenUrl} to ${settings.clientId}`)];
    checks.push(
      missing.length === 0
        ? pass(AREA, 'scopes', `all ${granted.size} asked for were granted`)
        : warn(
            AREA,
            'scopes',
            `not granted: ${missing.join(' ')}`,
            'Allow these scopes in the EHR registration, or narrow CHARTBILL_WORKER_SCOPE to what the worker needs there (see "where the claims live").',
          ),
    );
    return checks;
  } catch (err) {
    return [
      fail(
        AREA,
        'token',
        errorMessage(err),
        'Check the client id, that the EHR holds the public key (chartbill keys) and the allowed scopes.',
      ),
    ];
  }
}

async function requestToken(
  tokenUrl: string,
  clientId: string,
  key: JWK,
  scope: string,
  fetchFn: typeof fetch,
): Promise<Set<string>> {
  const alg = key.alg ?? 'ES384';
  const iat = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg, ...(key.kid ? { kid: key.kid } : {}), typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(tokenUrl)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 300)
    .setJti(randomUUID())
    .sign(await importJWK(key, alg));
  const res = await fetchFn(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
    signal: AbortSignal.timeout(30_000),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok)
    throw new Error(
      `the token endpoint refused the worker (HTTP ${res.status}${typeof json.error === 'string' ? `: ${json.error}` : ''})`,
    );
  // RFC 6749 §5.1: scope may be omitted when it is what was asked for.
  return new Set((typeof json.scope === 'string' ? json.scope : scope).split(/\s+/));
}
