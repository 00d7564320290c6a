import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requestClient, type TokenDeps } from './oauth-token.ts';

/** The revocation endpoint needs what the token endpoint needs. */
export type RevokeDeps = TokenDeps;

const bodySchema = z.object({
  token: z.string().min(1),
  token_type_hint: z.string().optional(),
  client_id: z.string().optional(),
  client_assertion_type: z.string().optional(),
  client_assertion: z.string().optional(),
});

/**
 * `/oauth/revoke` (RFC 7009): the client that holds a refresh or access token revokes it, and with
 * it the whole grant (every access token and refresh token of that launch), as an EHR does when a
 * user signs out or an admin ends a session. Unknown tokens also get 200 (RFC 7009 §2.2).
 */
export function registerRevoke(app: FastifyInstance, deps: RevokeDeps): void {
  app.post('/oauth/revoke', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const parsed = bodySchema.safeParse(request.body);
    if (!parsed.success)
      return reply.code(400).send({
        error: 'invalid_request',
        error_description: 'A form-encoded body with token is required',
      });
    const body = parsed.data;
    const auth = await requestClient(request.headers.authorization, body, deps);
    if ('error' in auth)
      return reply
        .code(auth.error === 'invalid_client' ? 401 : 400)
        .send({ error: auth.error, error_description: auth.description });
    const grantId = await grantOf(body.token, auth.client.clientId, deps);
    if (grantId) {
      deps.tokens.revokeGrant(grantId);
      deps.state.refreshTokens.delete(body.token);
      request.log.info({ client: auth.client.clientId }, 'grant revoked');
    }
    return reply.code(200).send();
  });
}

/** The grant a token belongs to, when it is this client's: a refresh token first, else an access token. */
async function grantOf(
  token: string,
  clientId: string,
  deps: RevokeDeps,
): Promise<string | undefined> {
  const refresh = deps.state.refreshTokens.peek(token);
  if (refresh) return refresh.clientId === clientId ? refresh.grantId : undefined;
  const access = await deps.tokens.verifyAccessToken(token);
  return access?.sub === clientId ? access.sid : undefined;
}
