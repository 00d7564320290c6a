import type { ClientAuthenticator } from './client-auth.ts';

/**
 * Asks the EHR to revoke a token (RFC 7009 §2.1) with the client's own authentication, whose
 * assertion audience stays the token endpoint (RFC 7523 §3). Revoking the refresh token ends the
 * whole grant at servers that follow RFC 7009 §2.1 ("SHOULD also invalidate all access tokens").
 * Best effort: true when the EHR answered 200.
 */
export async function revokeToken(
  endpoint: string,
  token: { value: string; hint: 'refresh_token' | 'access_token' },
  auth: { authenticator: ClientAuthenticator; tokenEndpoint: string },
  fetchFn: typeof fetch,
): Promise<boolean> {
  const body = new URLSearchParams({ token: token.value, token_type_hint: token.hint });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  try {
    await auth.authenticator.apply(body, headers, auth.tokenEndpoint);
    const res = await fetchFn(endpoint, {
      method: 'POST',
      body,
      headers,
      signal: AbortSignal.timeout(5000),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
