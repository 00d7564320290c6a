import { z } from 'zod';
import { errorMessage } from '../../src/errors/error-message.ts';
import { fail, pass, warn, type DoctorCheck } from './doctor-check.ts';

const AREA = 'SMART';

const configSchema = z.object({
  issuer: z.string().optional(),
  authorization_endpoint: z.string().optional(),
  token_endpoint: z.string().optional(),
  jwks_uri: z.string().optional(),
  grant_types_supported: z.array(z.string()).default([]),
  code_challenge_methods_supported: z.array(z.string()).default([]),
  token_endpoint_auth_methods_supported: z.array(z.string()).default([]),
  capabilities: z.array(z.string()).default([]),
});

export type SmartConfiguration = z.infer<typeof configSchema>;

/**
 * SMART discovery (SMART App Launch 2.2 §2.2): `[iss]/.well-known/smart-configuration`, PKCE
 * S256, the endpoints, and the capabilities ChartBill relies on. Returns the checks and the
 * configuration, when it could be read.
 */
export async function smartChecks(
  iss: string,
  fetchFn: typeof fetch,
): Promise<{ checks: DoctorCheck[]; config: SmartConfiguration | undefined }> {
  const url = `${iss.replace(/\/+$/, '')}/.well-known/smart-configuration`;
  let config: SmartConfiguration;
  try {
    const res = await fetchFn(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const parsed = configSchema.safeParse(await res.json());
    if (!parsed.success) throw new Error('not a SMART configuration document');
    config = parsed.data;
  } catch (err) {
    return {
      checks: [
        fail(
          AREA,
          '.well-known/smart-configuration',
          `${url}: ${errorMessage(err)}`,
          'Check the FHIR base URL (--iss or CHARTBILL_FHIR_BASE_URL); the EHR must publish SMART App Launch 2 discovery there.',
        ),
      ],
      config: undefined,
    };
  }
  const has = (cap: string) => config.capabilities.includes(cap);
  const checks: DoctorCheck[] = [pass(AREA, '.well-known/smart-configuration', url)];
  checks.push(
    config.code_challenge_methods_supported.includes('S256')
      ? pass(AREA, 'PKCE S256', 'code_challenge_methods_supported has S256')
      : fail(
          AREA,
          'PKCE S256',
          `code_challenge_methods_supported: ${config.code_challenge_methods_supported.join(', ') || '(none)'}`,
          'ChartBill always uses PKCE S256 (SMART App Launch 2.2 §2.0.10); the EHR must support it.',
        ),
  );
  const missing = (['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const).filter(
    (k) => !config[k],
  );
  checks.push(
    missing.length === 0
      ? pass(
          AREA,
          'endpoints',
          `authorize ${config.authorization_endpoint ?? ''}, token ${config.token_endpoint ?? ''}`,
        )
      : fail(
          AREA,
          'endpoints',
          `missing ${missing.join(', ')}`,
          'The EHR must publish its authorization, token and JWKS endpoints (the id_token is verified against jwks_uri).',
        ),
  );
  checks.push(
    has('launch-ehr')
      ? pass(AREA, 'launch-ehr', 'EHR launch offered')
      : fail(
          AREA,
          'launch-ehr',
          'capabilities lack launch-ehr',
          'Clinicians open ChartBill from the encounter: the EHR must offer EHR launch.',
        ),
  );
  checks.push(
    has('client-confidential-asymmetric')
      ? pass(AREA, 'client-confidential-asymmetric', 'private_key_jwt clients offered')
      : warn(
          AREA,
          'client-confidential-asymmetric',
          'capabilities lack client-confidential-asymmetric',
          'Register the app as a public client (PKCE) or with client_secret_basic instead.',
        ),
  );
  checks.push(
    has('permission-v2')
      ? pass(AREA, 'permission-v2', 'SMART v2 scopes (.cruds)')
      : warn(
          AREA,
          'permission-v2',
          'only SMART v1 scopes',
          'Nothing to do: ChartBill asks for v1 scopes (.read/.write) on this EHR.',
        ),
  );
  return { checks, config };
}
