import type { SandboxUrls } from './sandbox-urls.ts';
import { SUPPORTED_PLAIN_SCOPES } from './scopes.ts';

/** Token endpoint client-assertion algorithms (SMART Backend Services: RS384 and ES384). */
export const ASSERTION_ALGORITHMS = ['RS384', 'ES384'] as const;

/** Which SMART scope syntaxes the server knows: v1 (`.read`/`.write`) and v2 (`.cruds`). */
export type SmartPermissions = readonly ('v1' | 'v2')[];

const V1_SCOPE = /\.(read|write|\*)$/;

/**
 * Drops resource scopes in a syntax the server does not know, as a v1-only server (SMART App
 * Launch 1.0) ignores `patient/Condition.crus`: it is never granted.
 */
export function knownScopes(requested: string, permissions: SmartPermissions): string {
  if (permissions.includes('v2')) return requested;
  return requested
    .split(/\s+/)
    .filter((s) => !s.includes('/') || s.startsWith('launch/') || V1_SCOPE.test(s))
    .join(' ');
}

/**
 * The SMART configuration document (SMART App Launch 2.2 §2.2, "Conformance"): endpoints,
 * PKCE S256 only (plain is refused, §2.0.10), the client authentication methods the token
 * endpoint implements and the capabilities the sandbox really has.
 */
export function smartConfiguration(
  urls: SandboxUrls,
  permissions: SmartPermissions = ['v1', 'v2'],
  backendServices = true,
): Record<string, unknown> {
  const v2 = permissions.includes('v2');
  const resourceScopes = ['patient', 'user', 'system'].flatMap((c) => [
    ...(v2 ? [`${c}/*.cruds`] : []),
    `${c}/*.read`,
    `${c}/*.write`,
  ]);
  return {
    issuer: urls.origin,
    jwks_uri: urls.jwksUrl,
    authorization_endpoint: urls.authorizeUrl,
    token_endpoint: urls.tokenUrl,
    revocation_endpoint: `${urls.origin}/oauth/revoke`,
    grant_types_supported: [
      'authorization_code',
      'refresh_token',
      ...(backendServices ? ['client_credentials'] : []),
    ],
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic'],
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    scopes_supported: [...SUPPORTED_PLAIN_SCOPES, ...resourceScopes],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    capabilities: [
      'launch-ehr',
      'launch-standalone',
      'client-public',
      'client-confidential-symmetric',
      'client-confidential-asymmetric',
      'context-ehr-patient',
      'context-ehr-encounter',
      'context-standalone-patient',
      'context-banner',
      'context-style',
      'sso-openid-connect',
      'permission-patient',
      'permission-user',
      'permission-offline',
      'permission-online',
      'permission-v1',
      ...(v2 ? ['permission-v2'] : []),
    ],
  };
}
