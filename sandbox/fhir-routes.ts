import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { capabilityStatement } from './capability-statement.ts';
import { sandboxEhrProfile, type SandboxEhrProfile } from './ehr-profiles.ts';
import { handleWithScopes } from './fhir-access.ts';
import type { FhirAdapter } from './fhir-adapter.ts';
import { applyProfile } from './profile-gate.ts';
import { processBatch } from './fhir-batch.ts';
import type { FhirFaults } from './medplum-faults.ts';
import { errorAnswer, type FhirAnswer, type FhirCall } from './fhir-response.ts';
import type { SandboxUrls } from './sandbox-urls.ts';
import { smartConfiguration, type SmartPermissions } from './smart-configuration.ts';
import type { AccessGrant, TokenService } from './token-service.ts';

export interface FhirRoutesDeps {
  adapter: FhirAdapter;
  tokens: TokenService;
  urls: SandboxUrls;
  now: () => Date;
  /** Scope syntaxes advertised in smart-configuration; default v1 and v2. */
  permissions?: SmartPermissions;
  /** The kind of server the sandbox plays (ehr-profiles.ts); default strict. */
  profile?: SandboxEhrProfile;
  /** What the server does besides answering (the `medplum-like` profile's conflicts and quota). */
  faults?: FhirFaults;
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Sends a FHIR answer with FHIR's JSON media type (FHIR R4 http.html §3.1.0.1.8). */
export function sendFhir(reply: FastifyReply, answer: FhirAnswer): FastifyReply {
  return reply
    .code(answer.status)
    .headers(answer.headers)
    .type(FHIR_JSON)
    .send(JSON.stringify(answer.body));
}

/**
 * The FHIR endpoints under `/fhir`: public `/metadata` and `.well-known/smart-configuration`;
 * everything else needs a bearer token from the sandbox's authorization server (RFC 6750),
 * and runs through scope enforcement (fhir-access.ts) into the adapter. `POST /fhir` takes
 * batch Bundles.
 */
export function registerFhirRoutes(app: FastifyInstance, deps: FhirRoutesDeps): void {
  const { urls } = deps;
  const profile = deps.profile ?? sandboxEhrProfile('strict');

  app.get('/fhir/metadata', (_req, reply) =>
    sendFhir(reply, {
      status: 200,
      body: capabilityStatement(urls, deps.now(), profile),
      headers: {},
    }),
  );
  app.get('/fhir/.well-known/smart-configuration', (_req, reply) =>
    reply
      .header('cache-control', 'no-store')
      .send(smartConfiguration(urls, deps.permissions, profile.backendServices)),
  );

  const { faults } = deps;

  /**
   * One call as this profile's server runs it: fitted or refused (profile-gate.ts), then scopes,
   * inside the profile's faults where it has them (medplum-faults.ts).
   */
  async function run(call: FhirCall, grant: AccessGrant): Promise<FhirAnswer> {
    const fitted = applyProfile(profile, call);
    if ('status' in fitted) return fitted;
    return faults
      ? faults.call(fitted, () => handleWithScopes(deps.adapter, fitted, grant))
      : handleWithScopes(deps.adapter, fitted, grant);
  }

  async function batch(body: unknown, grant: AccessGrant): Promise<FhirAnswer> {
    if (!profile.batch)
      return errorAnswer(405, 'not-supported', 'Batch and transaction are not supported');
    const entries = (body as { entry?: unknown } | undefined)?.entry;
    const refused = faults?.admit(grant.sub, {
      method: 'POST',
      path: [],
      entries: Array.isArray(entries) ? entries.length : 0,
    });
    return refused ?? processBatch(body, (c) => run(c, grant));
  }

  async function authenticate(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<AccessGrant | undefined> {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const grant = token ? await deps.tokens.verifyAccessToken(token) : undefined;
    if (grant) return grant;
    // RFC 6750 §3: no error code when the request carried no token at all.
    const challenge = token
      ? `Bearer realm="${urls.fhirBase}", error="invalid_token", error_description="The access token is invalid or expired"`
      : `Bearer realm="${urls.fhirBase}"`;
    reply.header('www-authenticate', challenge);
    sendFhir(
      reply,
      errorAnswer(
        401,
        'login',
        token ? 'The access token is invalid or expired' : 'A bearer access token is required',
      ),
    );
    return undefined;
  }

  app.post('/fhir', async (request, reply) => {
    const grant = await authenticate(request, reply);
    if (!grant) return reply;
    return sendFhir(reply, await batch(request.body, grant));
  });

  app.route({
    method: [...METHODS],
    url: '/fhir/*',
    handler: async (request, reply) => {
      const grant = await authenticate(request, reply);
      if (!grant) return reply;
      const call = toCall(request);
      if (call.path.length === 0) {
        if (call.method === 'POST') return sendFhir(reply, await batch(request.body, grant));
        return sendFhir(
          reply,
          errorAnswer(
            404,
            'not-supported',
            'System-level interactions other than batch are not supported',
          ),
        );
      }
      const refused = faults?.admit(grant.sub, call);
      return sendFhir(reply, refused ?? (await run(call, grant)));
    },
  });
}

/** A malformed percent-escape is the client's mistake: 400, not 500. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw Object.assign(new Error('The URL path is not validly percent-encoded'), {
      statusCode: 400,
    });
  }
}

function toCall(request: FastifyRequest): FhirCall {
  const url = new URL(request.url, 'http://sandbox.invalid');
  const path = url.pathname
    .replace(/^\/fhir\/?/, '')
    .split('/')
    .filter(Boolean)
    .map(decodeSegment);
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    method: request.method as FhirCall['method'],
    path,
    query: url.searchParams,
    body: request.body,
    ifNoneExist: header('if-none-exist'),
    ifMatch: header('if-match'),
  };
}
