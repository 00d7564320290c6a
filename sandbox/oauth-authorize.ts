import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Patient, Practitioner } from 'fhir/r4';
import { z } from 'zod';
import type { FhirAdapter } from './fhir-adapter.ts';
import { html, page, pageCsp } from './html.ts';
import { TTL, type CodeGrant, type OAuthState, type PendingPick } from './oauth-state.ts';
import { patientPickerPage, userPickerPage } from './patient-picker-page.ts';
import { clientOrigins, type SandboxClient } from './sandbox-client.ts';
import type { SandboxUrls } from './sandbox-urls.ts';
import { grantScope, parseResourceScope, splitScope } from './scopes.ts';
import { knownScopes, type SmartPermissions } from './smart-configuration.ts';

export interface AuthorizeDeps {
  clients: readonly SandboxClient[];
  urls: SandboxUrls;
  state: OAuthState;
  adapter: FhirAdapter;
  /** The implicitly logged-in sandbox user, `Practitioner/<id>`. */
  defaultUser: string;
  /** Scope syntaxes the server knows; scopes in another syntax are never granted. */
  permissions?: SmartPermissions;
}

const querySchema = z.object({
  response_type: z.string().optional(),
  client_id: z.string().optional(),
  redirect_uri: z.string().optional(),
  scope: z.string().default(''),
  state: z.string().optional(),
  aud: z.string().optional(),
  launch: z.string().optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.string().optional(),
});

const pickSchema = z.object({ pending: z.string().min(1), patient: z.string().min(1).max(64) });
const userSchema = z.object({ pending: z.string().min(1), user: z.string().min(1).max(64) });

type OAuthError = { error: string; description: string };

/** RFC 7636 §4.1: the challenge is base64url of a SHA-256 digest, 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * `/oauth/authorize` (SMART App Launch 2.2 §2.0.5, RFC 6749 §4.1.1). The sandbox user is always
 * logged in and approves, so there is no login or consent page. Errors about the client or
 * redirect URI get an error page and no redirect (RFC 6749 §4.1.2.1: never redirect to an
 * unverified URI); all others redirect back with `error`, `error_description` and `state`.
 */
export function registerAuthorize(app: FastifyInstance, deps: AuthorizeDeps): void {
  app.get('/oauth/authorize', async (request, reply) => {
    const q = querySchema.safeParse(request.query);
    if (!q.success) return errorPage(reply, 'The authorization request has malformed parameters.');
    const client = deps.clients.find((c) => c.clientId === q.data.client_id);
    if (!client)
      return errorPage(
        reply,
        'Unknown client_id: this app is not registered with the sandbox EHR.',
      );
    const redirectUri = q.data.redirect_uri;
    if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
      return errorPage(
        reply,
        'The redirect_uri does not exactly match one registered for this app.',
      );
    }
    const outcome = authorize(q.data, client, redirectUri, deps);
    if ('pickUser' in outcome) {
      reply.header(
        'content-security-policy',
        pageCsp({ formAction: [new URL(redirectUri).origin] }),
      );
      return reply
        .type('text/html; charset=utf-8')
        .send(userPickerPage(client.name, outcome.pickUser, await listUsers(deps.adapter)));
    }
    if ('pick' in outcome) {
      const patients = await listPatients(deps.adapter);
      reply.header(
        'content-security-policy',
        pageCsp({
          formAction: [new URL(redirectUri).origin],
          frameAncestors: clientOrigins(deps.clients),
        }),
      );
      return reply
        .type('text/html; charset=utf-8')
        .send(patientPickerPage(client.name, outcome.pick, patients));
    }
    return reply.redirect(
      redirectTo(
        redirectUri,
        'error' in outcome
          ? { error: outcome.error, error_description: outcome.description }
          : { code: outcome.code },
        q.data.state,
      ),
      302,
    );
  });

  // The user chosen on the sign-in page (a standalone launch without a patient, issue 17).
  app.post('/oauth/authorize/user', async (request, reply) => {
    const body = userSchema.safeParse(request.body);
    const pending = body.success ? deps.state.pending.take(body.data.pending) : undefined;
    if (!body.success || !pending)
      return errorPage(
        reply,
        'This sign-in request has expired or was already used. Start the app again.',
      );
    const user = await deps.adapter.repo
      .readResource('Practitioner', body.data.user)
      .catch(() => undefined);
    if (!user) return errorPage(reply, 'The chosen user does not exist.');
    const { state, ...grant } = pending;
    const code = deps.state.codes.put(
      { ...grant, fhirUser: `Practitioner/${body.data.user}` },
      TTL.code,
    );
    return reply.redirect(redirectTo(grant.redirectUri, { code }, state), 303);
  });

  app.post('/oauth/authorize/pick', async (request, reply) => {
    const body = pickSchema.safeParse(request.body);
    const pending = body.success ? deps.state.pending.take(body.data.pending) : undefined;
    if (!body.success || !pending)
      return errorPage(
        reply,
        'This sign-in request has expired or was already used. Start the app again.',
      );
    const patient = await deps.adapter.repo
      .readResource('Patient', body.data.patient)
      .catch(() => undefined);
    if (!patient) return errorPage(reply, 'The chosen patient does not exist.');
    const { state, ...grant } = pending;
    const code = deps.state.codes.put({ ...grant, patient: body.data.patient }, TTL.code);
    return reply.redirect(redirectTo(grant.redirectUri, { code }, state), 303);
  });
}

type AuthorizeQuery = z.infer<typeof querySchema>;

/** Decides an authorization request for a verified client and redirect URI. */
function authorize(
  q: AuthorizeQuery,
  client: SandboxClient,
  redirectUri: string,
  deps: AuthorizeDeps,
): { code: string } | { pick: string } | { pickUser: string } | OAuthError {
  if (q.response_type !== 'code')
    return {
      error: 'unsupported_response_type',
      description: 'Only response_type=code is supported',
    };
  if (!q.state) return { error: 'invalid_request', description: 'state is required' };
  if (
    q.code_challenge_method !== 'S256' ||
    !q.code_challenge ||
    !S256_CHALLENGE.test(q.code_challenge)
  ) {
    return {
      error: 'invalid_request',
      description: 'PKCE is required: code_challenge with code_challenge_method=S256',
    };
  }
  if (q.aud?.replace(/\/+$/, '') !== deps.urls.fhirBase)
    return {
      error: 'invalid_request',
      description: 'aud must be the FHIR base URL of this server',
    };
  // SMART App Launch 2.2 §3: `system/` scopes are for clients acting with no user (Backend
  // Services, client_credentials); a user's authorization never grants them, whatever the registration.
  const scope = splitScope(
    grantScope(knownScopes(q.scope, deps.permissions ?? ['v1', 'v2']), client.scope),
  )
    .filter((s) => parseResourceScope(s)?.context !== 'system')
    .join(' ');
  if (!scope)
    return {
      error: 'invalid_scope',
      description: 'None of the requested scopes can be granted to this client',
    };
  const granted = new Set(splitScope(scope));
  const base: Omit<CodeGrant, 'patient' | 'encounter' | 'needPatientBanner'> = {
    clientId: client.clientId,
    redirectUri,
    codeChallenge: q.code_challenge,
    scope,
    fhirUser: deps.defaultUser,
  };

  if (q.launch !== undefined) {
    const context = deps.state.launches.take(q.launch);
    if (!context)
      return {
        error: 'invalid_request',
        description: 'The launch is unknown or has expired; launch the app again from the EHR',
      };
    const patient =
      granted.has('launch') || granted.has('launch/patient') ? context.patient : undefined;
    const encounter =
      granted.has('launch') || granted.has('launch/encounter') ? context.encounter : undefined;
    return {
      code: deps.state.codes.put(
        { ...base, fhirUser: context.fhirUser, patient, encounter, needPatientBanner: false },
        TTL.code,
      ),
    };
  }
  if (granted.has('launch/patient')) {
    const pick: PendingPick = { ...base, state: q.state, needPatientBanner: true };
    return { pick: deps.state.pending.put(pick, TTL.pending) };
  }
  // No patient asked for (the billing workspace): the user signs in as someone, as at a real EHR.
  if (granted.has('fhirUser') || granted.has('openid')) {
    const pick: PendingPick = { ...base, state: q.state, needPatientBanner: false };
    return { pickUser: deps.state.pending.put(pick, TTL.pending) };
  }
  return { code: deps.state.codes.put({ ...base, needPatientBanner: true }, TTL.code) };
}

function redirectTo(
  redirectUri: string,
  params: Record<string, string>,
  state: string | undefined,
): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  if (state !== undefined) url.searchParams.set('state', state);
  return url.toString();
}

function errorPage(reply: FastifyReply, message: string): FastifyReply {
  reply.header('content-security-policy', pageCsp());
  const body = html`<main><h1>Cannot sign in to the app</h1><p role="alert">${message}</p></main>`;
  return reply.code(400).type('text/html; charset=utf-8').send(page('Authorization error', body));
}

async function listUsers(adapter: FhirAdapter): Promise<Practitioner[]> {
  const bundle = await adapter.repo.search<never>({
    resourceType: 'Practitioner',
    count: 200,
  } as never);
  return (bundle.entry ?? [])
    .map((e) => e.resource as unknown as Practitioner)
    .sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''));
}

async function listPatients(adapter: FhirAdapter): Promise<Patient[]> {
  const bundle = await adapter.repo.search<never>({
    resourceType: 'Patient',
    count: 1000,
    sortRules: [{ code: 'family' }],
  } as never);
  return (bundle.entry ?? []).map((e) => e.resource as unknown as Patient);
}
