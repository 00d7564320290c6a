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
  fhirUser: z.string().optional(),
  need_patient_banner: z.boolean().optional(),
  smart_style_url: z.string().optional(),
});

export type TokenResponse = z.infer<typeof tokenResponse>;

const oauthError = z.object({ error: z.string(), error_description: z.string().optional() });

/** Posts a grant to the token endpoint with the client's authentication and parses the answer. */
export async function requestToken(
  tokenEndpoint: string,
  params: Record<string, string>,
  auth: ClientAuthenticator,
  fetchFn: typeof fetch,
): Promise<TokenResponse> {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  await auth.apply(body, headers, tokenEndpoint);
  let res: Response;
  try {
    res = await fetchFn(tokenEndpoint, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new AppError('SMART_TOKEN_FAILED', 'The EHR did not answer the sign-in request.', { status: 502, hint: 'Try launching ChartBill again.', cause: err });
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const e = oauthError.safeParse(json);
    const why = e.success ? `${e.data.error}${e.data.error_description ? `: ${e.data.error_description}` : ''}` : `HTTP ${res.status}`;
    throw new AppError('SMART_TOKEN_FAILED', `The EHR refused the sign-in (${why}).`, { status: 401, hint: 'Relaunch ChartBill from the EHR.' });
  }
  const parsed = tokenResponse.safeParse(json);
  if (!parsed.success) {
    throw new AppError('SMART_TOKEN_FAILED', 'The EHR answered the sign-in with a malformed token response.', { status: 502, hint: 'Ask IT to check the EHR registration.' });
  }
  return parsed.data;
}
