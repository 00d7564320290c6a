import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Resource } from 'fhir/r4';
import type { Logger } from 'pino';
import { registerEhrPages } from './ehr-pages.ts';
import { sandboxEhrProfile, type SandboxEhrProfile } from './ehr-profiles.ts';
import { createFhirAdapter, type FhirAdapter } from './fhir-adapter.ts';
import { registerFhirRoutes } from './fhir-routes.ts';
import { subscribingAdapter } from './fhir-subscriptions.ts';
import { loadFhirDefinitions } from './load-fhir-definitions.ts';
import type { FhirFaults } from './medplum-faults.ts';
import { registerAuthorize } from './oauth-authorize.ts';
import { createOAuthState } from './oauth-state.ts';
import { registerRevoke } from './oauth-revoke.ts';
import { registerToken } from './oauth-token.ts';
import type { SandboxClient } from './sandbox-client.ts';
import { registerSandboxErrors, sandboxFrameworkErrors } from './sandbox-errors.ts';
import { sandboxUrls, type SandboxUrls } from './sandbox-urls.ts';
import { SEED_IDS, seedSandbox } from './seed-data.ts';
import type { SmartPermissions } from './smart-configuration.ts';
import { createTokenService } from './token-service.ts';

export type { SandboxClient } from './sandbox-client.ts';

export interface SandboxEhrOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4410; 0 picks a free port. */
  port?: number;
  logger: Logger;
  clients: SandboxClient[];
  /**
   * Default true: load the demo data (seed-data.ts); a function loads only the resources it
   * accepts (the sandbox's billing store takes the coding an Epic-like EHR cannot hold).
   */
  seed?: boolean | ((resource: Resource) => boolean);
  /** Also seed the billing office's history (seed-history.ts: 300 claims over 120 days); default false. */
  history?: boolean;
  /** Also seed Sandbox Mutual's members and visits, reached through the sandbox clearinghouse (X12); default false. */
  x12?: boolean;
  now?: () => Date;
  /** Default 300. */
  accessTokenTtlSeconds?: number;
  /** SMART scope syntaxes the server advertises and grants; `['v1']` acts as a SMART 1.0 server. Default both. */
  smartPermissions?: SmartPermissions;
  /** The kind of real server the sandbox plays (ehr-profiles.ts; `CHARTBILL_SANDBOX_EHR`). Default strict. */
  profile?: SandboxEhrProfile;
  /**
   * What the FHIR server does besides answering: `medplumFaults()` for the `medplum-like`
   * profile (serialization conflicts, a per-minute quota answered 429 without Retry-After).
   */
  faults?: FhirFaults;
}

export interface SandboxEhr {
  /** e.g. http://127.0.0.1:4410 */
  origin: string;
  /** `${origin}/fhir` */
  fhirBase: string;
  /** `${origin}/ehr` */
  launchPageUrl: string;
  tokenUrl: string;
  profile: SandboxEhrProfile;
  /** Mints a system-scoped token for tests/CLI without a client (sandbox only). */
  issueSystemToken(scope: string): Promise<string>;
  close(): Promise<void>;
}

/** Request bodies above 5 MB are refused with 413. */
export const BODY_LIMIT_BYTES = 5 * 1024 * 1024;

const JSON_TYPES = ['application/json', 'application/fhir+json', 'application/json-patch+json'];

function jsonParser(
  _req: unknown,
  body: string | Buffer,
  done: (err: Error | null, value?: unknown) => void,
): void {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') {
    done(null, undefined);
    return;
  }
  try {
    done(null, JSON.parse(text));
  } catch {
    done(Object.assign(new Error('The request body is not valid JSON'), { statusCode: 400 }));
  }
}

/**
 * Starts the sandbox EHR: a FHIR R4 server (medplum's router and memory repository behind the
 * adapter), a SMART authorization server, and the EHR pages, on one origin. Listens on
 * `host:port` and returns its URLs. Every run has its own data, keys and stores.
 */
export async function startSandboxEhr(options: SandboxEhrOptions): Promise<SandboxEhr> {
  loadFhirDefinitions();
  const now = options.now ?? (() => new Date());
  let origin = '';
  const urls = sandboxUrls(() => origin);
  const seeded = createFhirAdapter({ fhirBase: () => urls.fhirBase });
  const seed = options.seed ?? true;
  if (seed !== false) {
    const count = await seedSandbox(seeded, now(), seed === true ? undefined : seed, {
      history: options.history ?? false,
      x12: options.x12 ?? false,
    });
    options.logger.info({ resources: count }, 'sandbox EHR seeded');
  }
  // Every write after the seed may notify a rest-hook Subscription (fhir-subscriptions.ts).
  const adapter = subscribingAdapter(seeded, { logger: options.logger });
  const tokens = await createTokenService({
    issuer: () => urls.origin,
    audience: () => urls.fhirBase,
    now,
    ttlSeconds: options.accessTokenTtlSeconds ?? 300,
  });
  const profile = options.profile ?? sandboxEhrProfile('strict');
  const app = await buildApp(options, { adapter, urls, tokens, now, profile });

  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 4410 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 4410);
  origin = `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${port}`;
  options.logger.info(
    { fhirBase: urls.fhirBase, ehr: urls.launchPageUrl },
    'sandbox EHR listening',
  );

  return {
    origin,
    fhirBase: urls.fhirBase,
    launchPageUrl: urls.launchPageUrl,
    tokenUrl: urls.tokenUrl,
    profile,
    issueSystemToken: (scope) => tokens.signAccessToken({ sub: 'sandbox-admin', scope }),
    close: () => app.close(),
  };
}

async function buildApp(
  options: SandboxEhrOptions,
  deps: {
    adapter: FhirAdapter;
    urls: SandboxUrls;
    tokens: Awaited<ReturnType<typeof createTokenService>>;
    now: () => Date;
    profile: SandboxEhrProfile;
  },
): Promise<FastifyInstance> {
  // Typed as fastify's base logger so the route modules take a plain FastifyInstance.
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: BODY_LIMIT_BYTES,
    frameworkErrors: sandboxFrameworkErrors,
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, jsonParser);
  await app.register(formbody);
  registerSandboxErrors(app);

  const state = createOAuthState(deps.now);
  const defaultUser = SEED_IDS.sandboxUser;
  const permissions = options.smartPermissions ?? deps.profile.smartPermissions;
  registerFhirRoutes(app, {
    adapter: deps.adapter,
    tokens: deps.tokens,
    urls: deps.urls,
    now: deps.now,
    permissions,
    profile: deps.profile,
    ...(options.faults ? { faults: options.faults } : {}),
  });
  registerAuthorize(app, {
    clients: options.clients,
    urls: deps.urls,
    state,
    adapter: deps.adapter,
    defaultUser,
    permissions,
  });
  registerToken(app, {
    clients: options.clients,
    urls: deps.urls,
    state,
    tokens: deps.tokens,
    now: deps.now,
    rotateRefreshTokens: deps.profile.refreshTokenRotation,
    backendServices: deps.profile.backendServices,
  });
  registerRevoke(app, {
    clients: options.clients,
    urls: deps.urls,
    state,
    tokens: deps.tokens,
    now: deps.now,
  });
  registerEhrPages(app, {
    adapter: deps.adapter,
    clients: options.clients,
    urls: deps.urls,
    state,
    now: deps.now,
    defaultUser,
  });
  app.get('/oauth/jwks', (_req, reply) => reply.send(deps.tokens.jwks));
  app.get('/', (_req, reply) => reply.redirect('/ehr', 302));
  return app;
}
