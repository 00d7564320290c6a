import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { authenticateClient, type ClientAuthResult } from './client-auth.ts';
import { TTL, type GrantContext, type OAuthState } from './oauth-state.ts';
import { randomToken } from './oauth-store.ts';
import type { SandboxClient } from './sandbox-client.ts';
import type { SandboxUrls } from './sandbox-urls.ts';
import { grantScope, parseResourceScope, splitScope } from './scopes.ts';
import type { TokenService } from './token-service.ts';

export interface TokenDeps {
  clients: readonly SandboxClient[];
  urls: SandboxUrls;
  state: OAuthState;
  tokens: TokenService;
  now: () => Date;
  /** Default true: each refresh spends the presented token and returns a new one. */
  rotateRefreshTokens?: boolean;
  /** Default true: `client_credentials` (SMART Backend Services) is offered. */
  backendServices?: boolean;
}

const bodySchema = z.object({
  grant_type: z.string(),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  code_verifier: z.string().optional(),
  client_id: z.string().optional(),
  refresh_token: z.string().optional(),
  scope: z.string().optional(),
  client_assertion_type: z.string().optional(),
  client_assertion: z.string().optional(),
});
type TokenBody = z.infer<typeof bodySchema>;

class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

/**
 * The client behind a token or revocation request: HTTP Basic, a JWT assertion (RFC 7523 §2.2),
 * or a public client's `client_id` (RFC 6749 §2.3).
 */
export function requestClient(
  authorization: string | undefined,
  body: { client_id?: string; client_assertion_type?: string; client_assertion?: string },
  deps: TokenDeps,
): Promise<ClientAuthResult> {
  return authenticateClient(
    {
      authorization,
      clientId: body.client_id,
      clientAssertionType: body.client_assertion_type,
      clientAssertion: body.client_assertion,
    },
    {
      clients: deps.clients,
      tokenUrl: deps.urls.tokenUrl,
      assertionIds: deps.state.assertionIds,
      now: deps.now,
    },
  );
}

/**
 * `/oauth/token` (RFC 6749 §4.1.3, §6, §4.4; SMART App Launch 2.2 §2.0.7; SMART Backend
 * Services): authorization_code with PKCE S256 (codes are single use and live 60 s),
 * refresh_token (rotated on each use; presenting a rotated one again revokes the whole grant,
 * OAuth 2.0 Security BCP §4.14.2), and client_credentials for private_key_jwt or
 * client_secret_basic clients, granting `system/` scopes only. Answers are never cached.
 */
export function registerToken(app: FastifyInstance, deps: TokenDeps): void {
  app.post('/oauth/token', async (request, reply) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const parsed = bodySchema.safeParse(request.body);
    if (!parsed.success)
      return sendError(
        reply,
        new OAuthError('invalid_request', 'A form-encoded body with grant_type is required'),
      );
    const body = parsed.data;
    const auth = await requestClient(request.headers.authorization, body, deps);
    if ('error' in auth)
      return sendError(
        reply,
        new OAuthError(auth.error, auth.description, auth.error === 'invalid_client' ? 401 : 400),
      );
    try {
      return await reply.send(await grant(body, auth.client, deps));
    } catch (err) {
      if (err instanceof OAuthError) return sendError(reply, err);
      throw err;
    }
  });
}

async function grant(
  body: TokenBody,
  client: SandboxClient,
  deps: TokenDeps,
): Promise<Record<string, unknown>> {
  switch (body.grant_type) {
    case 'authorization_code':
      return tokenResponse(authorizationCode(body, client, deps), deps);
    case 'refresh_token':
      if (deps.rotateRefreshTokens === false)
        return tokenResponse(keptRefresh(body, client, deps), deps, false);
      return tokenResponse(refresh(body, client, deps), deps);
    case 'client_credentials':
      if (deps.backendServices === false)
        throw new OAuthError('unsupported_grant_type', 'client_credentials is not offered');
      return clientCredentials(body, client, deps);
    default:
      throw new OAuthError(
        'unsupported_grant_type',
        'grant_type must be authorization_code, refresh_token or client_credentials',
      );
  }
}

function authorizationCode(body: TokenBody, client: SandboxClient, deps: TokenDeps): GrantContext {
  // take() consumes the code whatever happens next: a code is good for one attempt (RFC 6749 §4.1.2).
  const code = body.code ? deps.state.codes.take(body.code) : undefined;
  if (code?.clientId !== client.clientId)
    throw new OAuthError('invalid_grant', 'The code is invalid, expired or already used');
  if (body.redirect_uri !== code.redirectUri)
    throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
  const verifier = body.code_verifier ?? '';
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || challenge !== code.codeChallenge) {
    throw new OAuthError(
      'invalid_grant',
      'code_verifier does not match the code_challenge (RFC 7636 §4.6)',
    );
  }
  const { clientId, scope, patient, encounter, fhirUser, needPatientBanner } = code;
  return {
    clientId,
    scope,
    patient,
    encounter,
    fhirUser,
    needPatientBanner,
    grantId: randomToken(),
  };
}

function refresh(body: TokenBody, client: SandboxClient, deps: TokenDeps): GrantContext {
  const presented = body.refresh_token ?? '';
  const stored = presented ? deps.state.refreshTokens.take(presented) : undefined;
  if (!stored) {
    // A rotated token presented again means two parties hold it: revoke the grant for both.
    const reusedGrant = presented ? deps.state.usedRefreshTokens.peek(presented) : undefined;
    if (reusedGrant) deps.tokens.revokeGrant(reusedGrant);
    throw new OAuthError(
      'invalid_grant',
      reusedGrant
        ? 'The refresh token was already used; the grant is revoked'
        : 'The refresh token is invalid or expired',
    );
  }
  if (stored.grantId)
    deps.state.usedRefreshTokens.putIfAbsent(
      presented,
      stored.grantId,
      deps.now().getTime() + TTL.offlineRefresh * 1000,
    );
  if (stored.clientId !== client.clientId || deps.tokens.isRevoked(stored.grantId))
    throw new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked');
  if (body.scope === undefined) return stored;
  // RFC 6749 §6: a refresh may narrow the scope, never widen it.
  const had = new Set(splitScope(stored.scope));
  const asked = splitScope(body.scope);
  if (!asked.every((s) => had.has(s)))
    throw new OAuthError('invalid_scope', 'A refresh cannot add scopes');
  return { ...stored, scope: asked.join(' ') };
}

/**
 * A refresh on a server that does not rotate refresh tokens (Epic keeps one for the grant's
 * life): the presented token stays good and the answer carries no new one.
 */
function keptRefresh(body: TokenBody, client: SandboxClient, deps: TokenDeps): GrantContext {
  const presented = body.refresh_token ?? '';
  const stored = presented ? deps.state.refreshTokens.peek(presented) : undefined;
  if (
    !stored ||
    stored.clientId !== client.clientId ||
    deps.tokens.isRevoked(stored.grantId) ||
    body.scope !== undefined
  )
    throw new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked');
  return stored;
}

async function clientCredentials(
  body: TokenBody,
  client: SandboxClient,
  deps: TokenDeps,
): Promise<Record<string, unknown>> {
  if (client.auth.kind === 'public')
    throw new OAuthError('unauthorized_client', 'Public clients cannot use client_credentials');
  const scope = splitScope(grantScope(body.scope ?? '', client.scope))
    .filter((s) => parseResourceScope(s)?.context === 'system')
    .join(' ');
  if (!scope)
    throw new OAuthError(
      'invalid_scope',
      'No system/ scope in the request can be granted to this client',
    );
  const accessToken = await deps.tokens.signAccessToken({ sub: client.clientId, scope });
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: deps.tokens.ttlSeconds,
    scope,
  };
}

async function tokenResponse(
  context: GrantContext,
  deps: TokenDeps,
  issueRefreshToken = true,
): Promise<Record<string, unknown>> {
  const scopes = new Set(splitScope(context.scope));
  const response: Record<string, unknown> = {
    access_token: await deps.tokens.signAccessToken({
      sub: context.clientId,
      scope: context.scope,
      patient: context.patient,
      encounter: context.encounter,
      fhirUser: context.fhirUser,
      sid: context.grantId,
    }),
    token_type: 'Bearer',
    expires_in: deps.tokens.ttlSeconds,
    scope: context.scope,
    need_patient_banner: context.needPatientBanner,
    smart_style_url: `${deps.urls.origin}/ehr/smart-style.json`,
  };
  if (context.patient) response.patient = context.patient;
  if (context.encounter) response.encounter = context.encounter;
  // As real SMART servers do, the user's identity travels only inside the signed id_token, and
  // only with `openid`; its fhirUser claim only with the `fhirUser` scope (SMART App Launch 2.2 §2.0.4).
  if (scopes.has('openid'))
    response.id_token = await deps.tokens.signIdToken(
      context.clientId,
      context.fhirUser,
      scopes.has('fhirUser'),
    );
  if (issueRefreshToken && (scopes.has('offline_access') || scopes.has('online_access'))) {
    response.refresh_token = deps.state.refreshTokens.put(
      context,
      scopes.has('offline_access') ? TTL.offlineRefresh : TTL.onlineRefresh,
    );
  }
  return response;
}

function sendError(reply: FastifyReply, err: OAuthError): FastifyReply {
  if (err.status === 401) reply.header('www-authenticate', 'Basic realm="sandbox-ehr"');
  return reply.code(err.status).send({ error: err.error, error_description: err.description });
}
