import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../src/errors/app-error.ts';
import type { AppContext, EhrClient } from '../app-context.ts';
import { appShell } from '../pages/app-shell.ts';
import { finishSignInPage, LAUNCH_SCRIPT, launchPage } from '../pages/launch-pages.ts';
import { requestedScopes, type LaunchKind } from '../smart/app-scopes.ts';
import { BILLING_PATH, BILLING_SCRIPT, billingShell } from '../billing/billing-shell.ts';
import {
  bindingCookie,
  bindingFromCookie,
  bindingSecret,
  hashBinding,
  matchesBinding,
} from '../smart/browser-binding.ts';
import { BINDING_HEADER, refuseCrossSitePost } from '../guards/same-origin-post.ts';
import type { PendingLaunch } from '../smart/pending-launches.ts';
import { createPkce } from '../smart/pkce.ts';
import { EhrOAuthError, requestToken } from '../smart/token-client.ts';

const launchQuery = z.object({ iss: z.string().optional(), launch: z.string().optional() });
const callbackQuery = z.object({
  code: z.string().max(2048).optional(),
  state: z.string().max(256).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
});
const finishBody = z.object({ code: z.string().max(2048), state: z.string().max(256) });

/**
 * The registered EHR for `iss`, refusing unknown ones before any request is made to them. The
 * page never repeats `iss` (anyone can put text there); the log keeps its origin for IT.
 */
function registeredEhr(ctx: AppContext, iss: string | undefined, req?: FastifyRequest): EhrClient {
  if (!iss) {
    throw new AppError(
      'SMART_BAD_REQUEST',
      'The launch did not say which EHR it came from (no iss parameter).',
      { hint: 'Open ChartBill from the encounter in your EHR.' },
    );
  }
  const ehr = ctx.ehrs.get(iss.replace(/\/+$/, ''));
  if (!ehr) {
    req?.log.warn({ issOrigin: originOf(iss) }, 'launch from an unregistered EHR refused');
    throw new AppError(
      'SMART_UNKNOWN_ISS',
      'ChartBill is not registered with the EHR this launch came from, so it will not sign in there.',
      {
        hint: 'If this is your EHR, ask IT to add its FHIR base URL to ChartBill’s registered EHRs (CHARTBILL_EHRS); the app’s log names the address it came from.',
      },
    );
  }
  return ehr;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin.slice(0, 200);
  } catch {
    return '(not a URL)';
  }
}

function stateMismatch(message: string): AppError {
  return new AppError('SMART_STATE_MISMATCH', message, {
    hint: 'Relaunch ChartBill from the encounter in your EHR.',
  });
}

const UNKNOWN_STATE =
  'This sign-in response does not match a launch in progress: it is old, was already used, or did not come from ChartBill.';
const OTHER_BROWSER =
  'This sign-in response belongs to a launch started in another browser or tab, so ChartBill will not use it.';

/**
 * SMART App Launch 2.2: EHR launch (§2.0.2) at /launch, standalone launch at /standalone, and the
 * redirect back at /callback. `state` is unpredictable, single use, expires in 10 minutes and is
 * bound to the browser that started the launch (browser-binding.ts).
 */
export function launchRoutes(app: FastifyInstance, ctx: AppContext, assetVersion: string): void {
  const redirectUri = `${ctx.config.publicUrl}/callback`;

  async function startAuthorization(
    req: FastifyRequest,
    reply: FastifyReply,
    ehrClient: EhrClient,
    launch: string | undefined,
    kind: LaunchKind = launch ? 'ehr' : 'standalone',
  ): Promise<FastifyReply> {
    const smart = await ctx.discovery.get(ehrClient.ehr.iss);
    if (
      smart.code_challenge_methods_supported.length > 0 &&
      !smart.code_challenge_methods_supported.includes('S256')
    ) {
      throw new AppError(
        'SMART_DISCOVERY_FAILED',
        'The EHR does not support PKCE with S256, which ChartBill requires to sign in safely.',
        { hint: 'Ask IT to enable PKCE (S256) for ChartBill.' },
      );
    }
    const v2 =
      smart.capabilities.includes('permission-v2') ||
      (smart.scopes_supported ?? []).some((s) => /\.[cruds]+$/.test(s));
    const scope = requestedScopes(kind, v2);
    const pkce = createPkce();
    const secret = bindingSecret(req.headers.cookie);
    const state = await ctx.pending.add({
      iss: ehrClient.ehr.iss,
      tokenEndpoint: smart.token_endpoint,
      codeVerifier: pkce.verifier,
      redirectUri,
      scope,
      issuer: smart.issuer,
      jwksUri: smart.jwks_uri,
      revocationEndpoint: smart.revocation_endpoint,
      bindingHash: hashBinding(secret),
      ...(kind === 'billing' ? { workspace: 'billing' as const } : {}),
    });
    const url = new URL(smart.authorization_endpoint);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: ehrClient.ehr.clientId,
      redirect_uri: redirectUri,
      scope,
      state,
      aud: ehrClient.ehr.iss,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      ...(launch ? { launch } : {}),
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    req.log.info({ iss: ehrClient.ehr.iss, v2, ehrLaunch: Boolean(launch) }, 'launch started');
    return reply
      .header('set-cookie', bindingCookie(secret))
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(launchPage(url.toString(), secret));
  }

  /**
   * Exchanges the code for tokens, takes the user from the verified id_token (never from the
   * token response, SMART App Launch 2.2 §2.0.4) and returns the new session's handle.
   */
  async function completeLaunch(
    req: FastifyRequest,
    pending: PendingLaunch,
    code: string,
    binding: 'cookie' | 'tab',
  ): Promise<string> {
    const ehrClient = registeredEhr(ctx, pending.iss);
    const token = await requestToken(
      pending.tokenEndpoint,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: pending.redirectUri,
        code_verifier: pending.codeVerifier,
      },
      ehrClient.auth,
      ctx.fetch,
    );
    // An older server that publishes no jwks_uri cannot vouch for its user: sign in without one.
    if (token.id_token && !pending.jwksUri)
      req.log.warn({ iss: pending.iss }, 'id_token not verifiable (no jwks_uri): no user recorded');
    const identity =
      token.id_token && pending.jwksUri
        ? await ctx.idTokens.verify({
            idToken: token.id_token,
            jwksUri: pending.jwksUri,
            issuer: pending.issuer ?? pending.iss,
            clientId: ehrClient.ehr.clientId,
            iss: pending.iss,
          })
        : { fhirUser: undefined };
    const session = await ctx.sessions.create(
      {
        iss: pending.iss,
        tokenEndpoint: pending.tokenEndpoint,
        revocationEndpoint: pending.revocationEndpoint,
        auth: ehrClient.auth,
        fhirUser: identity.fhirUser,
      },
      token,
    );
    // Fetched now, awaited by /api/style: the launch does not wait for the EHR's style file.
    void ctx.sessions.style(session);
    req.log.info(
      {
        iss: pending.iss,
        binding,
        patient: Boolean(token.patient),
        encounter: Boolean(token.encounter),
        user: Boolean(identity.fhirUser),
      },
      'launch completed',
    );
    return session.id;
  }

  app.get('/assets/launch.js', (_req, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(LAUNCH_SCRIPT),
  );

  app.get('/launch', async (req, reply) => {
    const q = launchQuery.parse(req.query);
    const ehrClient = registeredEhr(ctx, q.iss, req);
    if (!q.launch) {
      throw new AppError(
        'SMART_MISSING_LAUNCH',
        'The EHR launch is missing its launch context (no launch parameter).',
        {
          hint: 'Open ChartBill from an encounter in your EHR; to open it on its own, use the standalone link.',
        },
      );
    }
    return startAuthorization(req, reply, ehrClient, q.launch);
  });

  app.get('/standalone', async (req, reply) => {
    const q = launchQuery.parse(req.query);
    const only = ctx.ehrs.size === 1 ? [...ctx.ehrs.values()][0] : undefined;
    const ehrClient = q.iss || !only ? registeredEhr(ctx, q.iss, req) : only;
    return startAuthorization(req, reply, ehrClient, undefined);
  });

  // The billing workspace (issue 17): staff sign in on their own, with `user/` scopes, and land on /billing.
  app.get('/billing/launch', async (req, reply) => {
    const q = launchQuery.parse(req.query);
    const only = ctx.ehrs.size === 1 ? [...ctx.ehrs.values()][0] : undefined;
    const ehrClient = q.iss || !only ? registeredEhr(ctx, q.iss, req) : only;
    return startAuthorization(req, reply, ehrClient, undefined, 'billing');
  });

  app.get('/callback', async (req, reply) => {
    const q = callbackQuery.parse(req.query);
    const pending = q.state ? await ctx.pending.peek(q.state) : undefined;
    if (!q.state || !pending) throw stateMismatch(UNKNOWN_STATE);
    if (q.error) {
      await ctx.pending.take(q.state);
      // error_description is whatever the callback URL says: it goes to the log, never the page.
      const cause = new EhrOAuthError(q.error, q.error_description);
      throw new AppError(
        'SMART_AUTHORIZATION_DENIED',
        `The EHR did not authorize ChartBill (${cause.shownCode}).`,
        {
          hint: 'Relaunch ChartBill; if it keeps failing, ask IT to check the app’s registration and scopes (the app’s log has the EHR’s reason).',
          cause,
        },
      );
    }
    if (!q.code)
      throw new AppError(
        'SMART_BAD_REQUEST',
        'The EHR’s sign-in response has no authorization code.',
        { hint: 'Relaunch ChartBill from the encounter in your EHR.' },
      );
    // Fast path: the binding cookie came back. Otherwise the tab proves its binding from sessionStorage.
    if (!matchesBinding(bindingFromCookie(req.headers.cookie), pending.bindingHash)) {
      return reply
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(
          finishSignInPage(
            { code: q.code, state: q.state },
            assetVersion,
            pending.workspace === 'billing'
              ? { script: BILLING_SCRIPT, path: BILLING_PATH }
              : undefined,
          ),
        );
    }
    // take(), not the peek above: of two requests with this state (on any instance), one alone goes on.
    if (!(await ctx.pending.take(q.state))) throw stateMismatch(UNKNOWN_STATE);
    const handle = await completeLaunch(req, pending, q.code, 'cookie');
    return reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        pending.workspace === 'billing'
          ? billingShell(assetVersion, handle)
          : appShell(assetVersion, handle),
      );
  });

  // The finish page's script posts here with fetch (JSON, the tab's secret in a header); nothing
  // from another site gets past the onRequest check, which runs before the body is read.
  app.post(
    '/callback',
    { onRequest: refuseCrossSitePost(new URL(ctx.config.publicUrl).origin) },
    async (req, reply) => {
      const body = finishBody.parse(req.body);
      // take(): whatever the outcome, this state has had its one attempt.
      const pending = await ctx.pending.take(body.state);
      if (!pending) throw stateMismatch(UNKNOWN_STATE);
      const binding = req.headers[BINDING_HEADER];
      if (!matchesBinding(typeof binding === 'string' ? binding : undefined, pending.bindingHash)) {
        req.log.warn({ iss: pending.iss }, 'callback from another browser refused');
        throw stateMismatch(OTHER_BROWSER);
      }
      const handle = await completeLaunch(req, pending, body.code, 'tab');
      return reply.header('cache-control', 'no-store').send({ session: handle });
    },
  );

  // GET /billing and the workspace's other pages: routes/billing-page-routes.ts (with its own bundle).
  app.get('/app', async (_req, reply) =>
    reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(appShell(assetVersion)),
  );
}
