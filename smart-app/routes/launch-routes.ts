import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../src/errors/app-error.ts';
import type { AppContext, EhrClient } from '../app-context.ts';
import { appShell } from '../pages/app-shell.ts';
import { requestedScopes } from '../smart/app-scopes.ts';
import { discoverSmart } from '../smart/discover-smart.ts';
import { createPkce } from '../smart/pkce.ts';
import { requestToken } from '../smart/token-client.ts';

const launchQuery = z.object({ iss: z.string().optional(), launch: z.string().optional() });
const callbackQuery = z.object({
  code: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

/** The registered EHR for `iss`, refusing unknown ones before any request is made to them. */
function registeredEhr(ctx: AppContext, iss: string | undefined): EhrClient {
  if (!iss) {
    throw new AppError('SMART_BAD_REQUEST', 'The launch did not say which EHR it came from (no iss parameter).', { status: 400, hint: 'Open ChartBill from the encounter in your EHR.' });
  }
  const ehr = ctx.ehrs.get(iss.replace(/\/+$/, ''));
  if (!ehr) {
    throw new AppError('SMART_UNKNOWN_ISS', `ChartBill is not registered with the EHR at ${iss.slice(0, 200)}, so it will not sign in there.`, {
      status: 403,
      hint: 'If this is your EHR, ask IT to add it to ChartBill’s registered EHRs (CHARTBILL_EHRS).',
    });
  }
  return ehr;
}

/** SMART App Launch 2.2: EHR launch (§2.1) at /launch, standalone launch at /standalone. */
export function launchRoutes(app: FastifyInstance, ctx: AppContext, assetVersion: string): void {
  const redirectUri = `${ctx.config.publicUrl}/callback`;

  async function startAuthorization(ehrClient: EhrClient, launch: string | undefined): Promise<string> {
    const smart = await discoverSmart(ehrClient.ehr.iss, ctx.fetch);
    if (smart.code_challenge_methods_supported.length > 0 && !smart.code_challenge_methods_supported.includes('S256')) {
      throw new AppError('SMART_DISCOVERY_FAILED', 'The EHR does not support PKCE with S256, which ChartBill requires to sign in safely.', { status: 502, hint: 'Ask IT to enable PKCE (S256) for ChartBill.' });
    }
    const v2 = smart.capabilities.includes('permission-v2') || (smart.scopes_supported ?? []).some((s) => /\.[cruds]+$/.test(s));
    const scope = requestedScopes(launch ? 'ehr' : 'standalone', v2);
    const pkce = createPkce();
    const state = ctx.pending.add({ iss: ehrClient.ehr.iss, tokenEndpoint: smart.token_endpoint, codeVerifier: pkce.verifier, redirectUri, scope });
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
    return url.toString();
  }

  app.get('/launch', async (req, reply) => {
    const q = launchQuery.parse(req.query);
    const ehrClient = registeredEhr(ctx, q.iss);
    if (!q.launch) {
      throw new AppError('SMART_MISSING_LAUNCH', 'The EHR launch is missing its launch context (no launch parameter).', { status: 400, hint: 'Open ChartBill from an encounter in your EHR; to open it on its own, use the standalone link.' });
    }
    return reply.redirect(await startAuthorization(ehrClient, q.launch), 302);
  });

  app.get('/standalone', async (req, reply) => {
    const q = launchQuery.parse(req.query);
    const only = ctx.ehrs.size === 1 ? [...ctx.ehrs.values()][0] : undefined;
    const ehrClient = q.iss || !only ? registeredEhr(ctx, q.iss) : only;
    return reply.redirect(await startAuthorization(ehrClient, undefined), 302);
  });

  app.get('/callback', async (req, reply) => {
    const q = callbackQuery.parse(req.query);
    const pending = q.state ? ctx.pending.take(q.state) : undefined;
    if (!pending) {
      throw new AppError('SMART_STATE_MISMATCH', 'This sign-in response does not match a launch in progress: it is old, was already used, or did not come from ChartBill.', { status: 400, hint: 'Relaunch ChartBill from the encounter in your EHR.' });
    }
    if (q.error) {
      throw new AppError('SMART_AUTHORIZATION_DENIED', `The EHR did not authorize ChartBill (${q.error}${q.error_description ? `: ${q.error_description.slice(0, 300)}` : ''}).`, { status: 403, hint: 'Relaunch ChartBill; if it keeps failing, ask IT to check the app’s registration and scopes.' });
    }
    if (!q.code) throw new AppError('SMART_BAD_REQUEST', 'The EHR’s sign-in response has no authorization code.', { status: 400, hint: 'Relaunch ChartBill from the encounter in your EHR.' });
    const ehrClient = registeredEhr(ctx, pending.iss);
    const token = await requestToken(pending.tokenEndpoint, { grant_type: 'authorization_code', code: q.code, redirect_uri: pending.redirectUri, code_verifier: pending.codeVerifier }, ehrClient.auth, ctx.fetch);
    const session = ctx.sessions.create(pending.iss, pending.tokenEndpoint, ehrClient.auth, token);
    req.log.info({ iss: pending.iss, patient: Boolean(token.patient), encounter: Boolean(token.encounter) }, 'launch completed');
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(appShell(assetVersion, session.id));
  });

  app.get('/app', async (_req, reply) => reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(appShell(assetVersion)));
}
