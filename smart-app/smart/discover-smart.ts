import { z } from 'zod';
import { AppError } from '../../src/errors/app-error.ts';

const smartConfiguration = z.object({
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  capabilities: z.array(z.string()).default([]),
  code_challenge_methods_supported: z.array(z.string()).default([]),
  scopes_supported: z.array(z.string()).optional(),
  grant_types_supported: z.array(z.string()).optional(),
  /** The OpenID Connect issuer its id_tokens carry (required with `sso-openid-connect`). */
  issuer: z.url().optional(),
  /** Where the keys that sign its id_tokens are (SMART App Launch 2.2 §2.2). */
  jwks_uri: z.url().optional(),
  /** RFC 7009 token revocation, used when the clinician signs out of ChartBill. */
  revocation_endpoint: z.url().optional(),
});

export type SmartConfiguration = z.infer<typeof smartConfiguration>;

const oauthUrisExtension = 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris';

const capabilityStatement = z.object({
  resourceType: z.literal('CapabilityStatement'),
  rest: z
    .array(
      z.object({
        security: z
          .object({
            extension: z
              .array(
                z.object({
                  url: z.string(),
                  extension: z
                    .array(z.object({ url: z.string(), valueUri: z.string().optional() }))
                    .optional(),
                }),
              )
              .optional(),
          })
          .optional(),
      }),
    )
    .optional(),
});

/**
 * Discovers an EHR's SMART endpoints (SMART App Launch 2.2 §2.2): `.well-known/smart-configuration`
 * first, then the CapabilityStatement's `oauth-uris` extension for older servers.
 */
export async function discoverSmart(
  iss: string,
  fetchFn: typeof fetch,
  timeoutMs = 8000,
): Promise<SmartConfiguration> {
  try {
    const res = await fetchFn(`${iss}/.well-known/smart-configuration`, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.ok) {
      const parsed = smartConfiguration.safeParse(await res.json());
      if (parsed.success) return parsed.data;
    }
    return await discoverFromCapabilityStatement(iss, fetchFn, timeoutMs);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(
      'SMART_DISCOVERY_FAILED',
      `Could not reach the EHR's SMART configuration at ${iss}.`,
      {
        hint: 'The EHR may be down. Try again in a minute; if it keeps failing, ask IT to check the EHR registration.',
        cause: err,
      },
    );
  }
}

async function discoverFromCapabilityStatement(
  iss: string,
  fetchFn: typeof fetch,
  timeoutMs: number,
): Promise<SmartConfiguration> {
  const res = await fetchFn(`${iss}/metadata`, {
    headers: { accept: 'application/fhir+json' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const parsed = capabilityStatement.safeParse(res.ok ? await res.json() : undefined);
  const uris = parsed.success
    ? parsed.data.rest
        ?.flatMap((r) => r.security?.extension ?? [])
        .find((e) => e.url === oauthUrisExtension)
    : undefined;
  const get = (name: string) => uris?.extension?.find((e) => e.url === name)?.valueUri;
  const authorize = get('authorize');
  const token = get('token');
  if (!authorize || !token) {
    throw new AppError(
      'SMART_DISCOVERY_FAILED',
      `The EHR at ${iss} does not advertise SMART on FHIR endpoints.`,
      {
        hint: 'Ask IT to check that this EHR supports SMART App Launch.',
      },
    );
  }
  // Older servers that only publish oauth-uris predate PKCE discovery; we still send S256.
  return {
    authorization_endpoint: authorize,
    token_endpoint: token,
    capabilities: [],
    code_challenge_methods_supported: ['S256'],
  };
}
