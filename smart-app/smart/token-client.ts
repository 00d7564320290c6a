import { z } from 'zod';
import { AppError } from '../../src/errors/app-error.ts';
import type { ClientAuthenticator } from './client-auth.ts';

const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be Bearer'),
  expires_in: z.coerce.number().int().positive().default(300),
  scope: z.string().default(''),
  refresh_token: z.string().optional(),
  patient: z.string().optional(),
  encounter: z.string().optional(),
  /** OpenID Connect id_token: the only place ChartBill takes the user (fhirUser) from. */
  id_token: z.string().optional(),
  need_patient_banner: z.boolean().optional(),
  smart_style_url: z.string().optional(),
});

export type TokenResponse = z.infer<typeof tokenResponse>;

const oauthError = z.object({ error: z.string(), error_description: z.string().optional() });

/** RFC 6749 §4.1.2.1 and §5.2 error codes: the only EHR error text a page may show. */
const OAUTH_ERRORS = new Set([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
  'invalid_client',
  'invalid_grant',
  'unsupported_grant_type',
]);

/**
 * The EHR's own words for a refusal, for the app's log only: pages show the registered error code
 * and never the description, which a crafted callback URL chooses (issue 11, item 13).
 */
export class EhrOAuthError extends Error {
  readonly error: string;
  readonly description: string | undefined;

  constructor(error: string, description: string | undefined) {
    super('the EHR refused');
    this.error = error.slice(0, 64);
    this.description = description?.slice(0, 300);
  }

  /** The error code when RFC 6749 registers it, else a neutral word. */
  get shownCode(): string {
    return OAUTH_ERRORS.has(this.error) ? this.error : 'unrecognised error';
  }
}

/** Posts a grant to the token endpoint with the client's authentication and parses the answer. */
export async function requestToken(
  tokenEndpoint: string,
  params: Record<string, string>,
  auth: ClientAuthenticator,
  fetchFn: typeof fetch,
): Promise<TokenResponse> {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  await auth.apply(body, headers, tokenEndpoint);
  let res: Response;
  try {
    res = await fetchFn(tokenEndpoint, {
      method: 'POST',
      body,
      headers,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new AppError('SMART_TOKEN_FAILED', 'The EHR did not answer the sign-in request.', {
      hint: 'Try launching ChartBill again.',
      cause: err,
    });
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const e = oauthError.safeParse(json);
    const cause = new EhrOAuthError(
      e.success ? e.data.error : `HTTP ${res.status}`,
      e.success ? e.data.error_description : undefined,
    );
    const why = e.success ? cause.shownCode : `HTTP ${res.status}`;
    throw new AppError('SMART_TOKEN_REFUSED', `The EHR refused the sign-in (${why}).`, {
      upstreamStatus: res.status,
      hint: 'Relaunch ChartBill from the EHR.',
      cause,
    });
  }
  const parsed = tokenResponse.safeParse(json);
  if (!parsed.success) {
    throw new AppError(
      'SMART_TOKEN_FAILED',
      'The EHR answered the sign-in with a malformed token response.',
      { hint: 'Ask IT to check the EHR registration.' },
    );
  }
  return parsed.data;
}
