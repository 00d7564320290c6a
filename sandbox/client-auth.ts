import { createHash, timingSafeEqual } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { ExpiringStore } from './oauth-store.ts';
import type { SandboxClient } from './sandbox-client.ts';
import { ASSERTION_ALGORITHMS } from './smart-configuration.ts';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** SMART Backend Services §"Authenticating to the token endpoint": assertions expire within 5 minutes. */
const MAX_ASSERTION_LIFETIME_SECONDS = 300;

export interface ClientAuthInput {
  authorization: string | undefined;
  clientId: string | undefined;
  clientAssertionType: string | undefined;
  clientAssertion: string | undefined;
}

export type ClientAuthResult =
  { client: SandboxClient } | { error: 'invalid_client' | 'invalid_request'; description: string };

export interface ClientAuthDeps {
  clients: readonly SandboxClient[];
  tokenUrl: string;
  assertionIds: ExpiringStore<true>;
  now: () => Date;
}

/**
 * Authenticates the client at the token endpoint with the method its registration names:
 * `private_key_jwt` (RFC 7523 + SMART Backend Services: RS384/ES384 assertion signed by a key in
 * the registered JWKS, iss = sub = client_id, aud = token URL, unexpired, jti not seen before),
 * `client_secret_basic` (RFC 6749 §2.3.1) or none for public clients (which rely on PKCE).
 */
export async function authenticateClient(
  input: ClientAuthInput,
  deps: ClientAuthDeps,
): Promise<ClientAuthResult> {
  if (input.clientAssertionType !== undefined || input.clientAssertion !== undefined)
    return assertionAuth(input, deps);
  if (input.authorization?.startsWith('Basic '))
    return basicAuth(input.authorization, deps.clients);
  const client = deps.clients.find((c) => c.clientId === input.clientId);
  if (!client) return { error: 'invalid_client', description: 'Unknown client' };
  if (client.auth.kind !== 'public')
    return { error: 'invalid_client', description: 'This client must authenticate' };
  return { client };
}

async function assertionAuth(
  input: ClientAuthInput,
  deps: ClientAuthDeps,
): Promise<ClientAuthResult> {
  if (input.clientAssertionType !== JWT_BEARER_ASSERTION || !input.clientAssertion) {
    return {
      error: 'invalid_request',
      description: `client_assertion_type must be ${JWT_BEARER_ASSERTION} with a client_assertion`,
    };
  }
  let issuer: string | undefined;
  try {
    issuer = decodeJwt(input.clientAssertion).iss;
  } catch {
    return { error: 'invalid_client', description: 'client_assertion is not a JWT' };
  }
  const client = deps.clients.find((c) => c.clientId === issuer);
  if (
    client?.auth.kind !== 'jwks' ||
    (input.clientId !== undefined && input.clientId !== client.clientId)
  ) {
    return {
      error: 'invalid_client',
      description: 'Unknown client or client not registered for private_key_jwt',
    };
  }
  try {
    const keys = createLocalJWKSet(client.auth.jwks);
    const { payload } = await jwtVerify(input.clientAssertion, keys, {
      algorithms: [...ASSERTION_ALGORITHMS],
      issuer: client.clientId,
      subject: client.clientId,
      audience: deps.tokenUrl,
      currentDate: deps.now(),
      requiredClaims: ['exp', 'jti'],
    });
    const nowSeconds = Math.floor(deps.now().getTime() / 1000);
    if ((payload.exp ?? 0) > nowSeconds + MAX_ASSERTION_LIFETIME_SECONDS + 30) {
      return {
        error: 'invalid_client',
        description: 'client_assertion exp is more than 5 minutes ahead',
      };
    }
    if (
      !deps.assertionIds.putIfAbsent(
        `${client.clientId} ${payload.jti ?? ''}`,
        true,
        (payload.exp ?? nowSeconds) * 1000,
      )
    ) {
      return { error: 'invalid_client', description: 'client_assertion jti was already used' };
    }
    return { client };
  } catch {
    return {
      error: 'invalid_client',
      description: 'client_assertion could not be verified with the registered keys',
    };
  }
}

function basicAuth(header: string, clients: readonly SandboxClient[]): ClientAuthResult {
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { error: 'invalid_client', description: 'Malformed Basic credentials' };
  const id = safeDecode(decoded.slice(0, colon));
  const secret = safeDecode(decoded.slice(colon + 1));
  const client = clients.find((c) => c.clientId === id);
  if (
    client?.auth.kind !== 'secret' ||
    secret === undefined ||
    !sameSecret(secret, client.auth.secret)
  ) {
    return { error: 'invalid_client', description: 'Client authentication failed' };
  }
  return { client };
}

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding. */
function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** Constant-time comparison of hashes, so neither length nor content leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
