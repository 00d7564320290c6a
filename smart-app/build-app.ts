import { sessionStoresResolver } from './coding/coding-store.ts';
import { openReadModelStore } from '../src/billing-office/open-read-model-store.ts';
import type { ReadModelStore } from '../src/billing-office/read-model.ts';
import { createBillingReadModel } from '../src/billing-office/read-model-sync.ts';
import { createMemoryReadModel } from '../src/billing-office/memory-read-model.ts';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import type { CodeSet } from '../src/codes/code-set.ts';
import type { EditReference } from '../src/edits/edit-reference.ts';
import { AppError } from '../src/errors/app-error.ts';
import type { AppConfig } from './app-config.ts';
import { createAppAudit } from './app-audit.ts';
import type { AppContext, EhrClient } from './app-context.ts';
import { bundleUi, type UiAssets } from './bundle-ui.ts';
import { registerJsonBody } from './guards/json-body.ts';
import { registerRateLimits } from './guards/rate-limits.ts';
import { bearerHandle, registerSessionFirst } from './guards/session-first.ts';
import { errorPage, errorTitle } from './pages/error-page.ts';
import { apiRoutes } from './routes/api-routes.ts';
import { billingRoutes } from './billing/billing-routes.ts';
import { sessionCaller } from './billing/billing-caller.ts';
import { claimRoutes } from './billing/claim-routes.ts';
import { billingPageRoutes } from './routes/billing-page-routes.ts';
import { launchRoutes } from './routes/launch-routes.ts';
import { sessionRoutes } from './routes/session-routes.ts';
import { styleRoutes } from './routes/style-routes.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { openSessionBackend } from './session/open-session-store.ts';
import { SessionStore } from './session/session-store.ts';
import { createClientAuthenticator } from './smart/client-auth.ts';
import { DiscoveryCache } from './smart/discovery-cache.ts';
import { IdTokenVerifier } from './smart/id-token-verifier.ts';
import { PendingLaunches } from './smart/pending-launches.ts';
import { fetchSmartStyle } from './smart/smart-style.ts';
import { EhrOAuthError } from './smart/token-client.ts';

export interface AppDeps {
  logger: Logger;
  codes: CodeSet;
  /** NCCI tables and other reference data for the edits; none by default. */
  editReference?: EditReference;
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  now?: () => Date;
  assets?: UiAssets;
  /** The billing workspace's bundle; built on its first request when not given. */
  billingAssets?: UiAssets;
  /** The billing read model's store, shared with a worker in this process; else opened from the settings. */
  billingReadModelStore?: ReadModelStore;
}

/** Builds the SMART app's fastify server without listening (tests use `inject` or listen on port 0). */
export async function buildApp(
  config: Readonly<AppConfig>,
  deps: AppDeps,
): Promise<FastifyInstance> {
  const now = deps.now ?? (() => new Date());
  const fetchFn = deps.fetch ?? fetch;
  const ehrs = new Map<string, EhrClient>();
  const audit = createAppAudit(config, deps.logger, now);
  for (const ehr of config.ehrs)
    ehrs.set(ehr.iss, { ehr, auth: await createClientAuthenticator(ehr, deps.env ?? {}) });
  const { backend, sealer } = await openSessionBackend(
    config.sessionStore ?? {
      store: 'memory',
      namespace: 'chartbill',
      key: undefined,
      keyFile: undefined,
    },
    deps.logger,
  );
  const sessions = new SessionStore({
    now: () => now().getTime(),
    fetch: fetchFn,
    sessionMs: config.sessionMinutes * 60_000,
    idleMs: config.sessionIdleMinutes * 60_000,
    backend,
    sealer,
    authFor: (iss) => ehrs.get(iss)?.auth,
    fetchStyle: (url) => fetchSmartStyle(url, fetchFn),
  });
  const stores = sessionStoresResolver(config, fetchFn, deps.logger.child({ part: 'stores' }));
  const ownStore = deps.billingReadModelStore
    ? undefined
    : config.billing?.readModel
      ? await openReadModelStore(config.billing.readModel, { readOnly: true })
      : await createMemoryReadModel();
  const billingStore = deps.billingReadModelStore ?? ownStore;
  const ctx: AppContext = {
    billingReadModel: createBillingReadModel({
      store: billingStore ?? (await createMemoryReadModel()),
      logger: deps.logger.child({ part: 'billing-read-model' }),
      now,
      ...(deps.editReference?.timelyFiling
        ? { timelyFiling: deps.editReference.timelyFiling }
        : {}),
    }),
    stores,
    config,
    ehrs,
    pending: new PendingLaunches(
      10 * 60_000,
      () => now().getTime(),
      config.maxPendingLaunches,
      backend,
      sealer,
    ),
    sessions,
    discovery: new DiscoveryCache({
      fetch: fetchFn,
      now: () => now().getTime(),
      ttlMs: config.discoveryCacheSeconds * 1000,
    }),
    idTokens: new IdTokenVerifier({ fetch: fetchFn, now }),
    codes: deps.codes,
    editReference: deps.editReference ?? {},
    fetch: fetchFn,
    now,
    audited: (gateway, session, auditStore) => audit.audited(gateway, session, auditStore),
  };
  const assets = deps.assets ?? (await bundleUi());

  const loggerInstance: FastifyBaseLogger = deps.logger;
  // Bodies are limited per route (guards/json-body.ts); 256 KB is the most any route takes.
  const app = Fastify({ loggerInstance, bodyLimit: 256 * 1024 });
  await registerRateLimits(app, config);
  registerJsonBody(app);
  registerSessionFirst(app, ctx);
  app.addHook('onClose', () => audit.close());
  if (ownStore) app.addHook('onClose', () => ownStore.close());
  // The store also cleans itself at each new session; this catches a quiet night.
  const sweeper = setInterval(() => void sessions.sweep().catch(() => undefined), 5 * 60_000);
  sweeper.unref();
  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    await backend.close();
  });
  const frameAncestors = config.ehrs.flatMap((e) => e.frameAncestors ?? [new URL(e.iss).origin]);
  registerSecurityHeaders(app, [...new Set(frameAncestors)]);
  app.setErrorHandler(async (err, req, reply) => {
    const appErr = toAppError(err);
    // The EHR refused the session's token (revoked, or signed out there): end the session here too.
    if (appErr.code === 'SESSION_EXPIRED')
      await ctx.sessions.end(bearerHandle(req)).catch(() => undefined);
    // Why the EHR refused a launch, in its own words, for IT: the log only, never the page.
    const ehr =
      appErr.cause instanceof EhrOAuthError
        ? { error: appErr.cause.error, description: appErr.cause.description }
        : undefined;
    if (appErr.status >= 500)
      req.log.error(
        {
          err: {
            code: appErr.code,
            message: appErr.message,
            stack: err instanceof Error ? err.stack : undefined,
          },
        },
        'request failed',
      );
    else
      req.log.warn(
        {
          code: appErr.code,
          status: appErr.status,
          path: req.url.split('?')[0],
          ...(ehr ? { ehr } : {}),
        },
        'request refused',
      );
    // Pages for what the browser navigates to; JSON for the API and the finish page's fetch.
    const wantsHtml =
      !req.url.startsWith('/api/') &&
      (req.method === 'GET' || (req.headers.accept ?? '').includes('text/html'));
    void reply.status(appErr.status);
    if (wantsHtml)
      return reply
        .type('text/html; charset=utf-8')
        .send(errorPage(errorTitle(appErr.code), appErr.message, appErr.hint, appErr.code));
    const title = req.url.startsWith('/api/') ? {} : { title: errorTitle(appErr.code) };
    return reply.send({
      error: appErr.code,
      message: appErr.message,
      ...title,
      ...(appErr.hint ? { hint: appErr.hint } : {}),
    });
  });
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/'))
      return reply.status(404).send({ error: 'NOT_FOUND', message: 'No such API route.' });
    return reply
      .status(404)
      .type('text/html; charset=utf-8')
      .send(
        errorPage(
          'Page not found',
          'There is no page at this address.',
          'Open ChartBill from your EHR.',
          'NOT_FOUND',
        ),
      );
  });

  app.get('/assets/app.js', (_req, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(assets.js),
  );
  app.get('/assets/app.css', (_req, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(assets.css),
  );
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/', (_req, reply) => reply.redirect('/app'));
  launchRoutes(app, ctx, assets.version);
  sessionRoutes(app, ctx);
  styleRoutes(app, ctx);
  apiRoutes(app, ctx);
  billingRoutes(app, ctx);
  claimRoutes(app, ctx, {
    caller: sessionCaller(ctx),
    refreshClaim: (claimId, fhir) => ctx.billingReadModel.refreshClaim(claimId, fhir),
  });
  billingPageRoutes(app, deps.billingAssets);
  return app;
}

function toAppError(err: unknown): AppError {
  // The FHIR gateway wraps what its getToken threw: an ended session must still say "relaunch".
  if (
    err instanceof AppError &&
    err.cause instanceof AppError &&
    err.cause.code === 'SESSION_EXPIRED'
  )
    return err.cause;
  if (err instanceof AppError && err.upstreamStatus === 401 && err.code.startsWith('FHIR_')) {
    return new AppError(
      'SESSION_EXPIRED',
      'The EHR no longer accepts this ChartBill session (it was signed out or revoked).',
      { hint: 'Relaunch ChartBill from the encounter in your EHR.', cause: err },
    );
  }
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) {
    const what = err.issues.map((i) => `${i.path.join('.') || 'input'} ${i.message}`).join('; ');
    return new AppError('INPUT_INVALID', `The request was not valid: ${what}.`);
  }
  const status = (err as { statusCode?: number }).statusCode;
  if (status === 413)
    return new AppError('INPUT_TOO_LARGE', 'The request is larger than ChartBill accepts.');
  if (status && status < 500) return new AppError('INPUT_INVALID', 'The request was not valid.');
  return new AppError(
    'INTERNAL_ERROR',
    'Something went wrong on the ChartBill server. Your last change may not be saved.',
    {
      hint: 'Try again; if it keeps failing, tell IT the time it happened.',
      cause: err,
    },
  );
}
