import { createHash, randomBytes } from 'node:crypto';
import { createLogger } from '../../src/log/create-logger.ts';
import {
  startSandboxEhr,
  type SandboxClient,
  type SandboxEhr,
  type SandboxEhrOptions,
} from '../../sandbox/start-sandbox-ehr.ts';

export const APP_ORIGIN = 'http://127.0.0.1:4999';
export const REDIRECT_URI = `${APP_ORIGIN}/callback`;

/** The app registration the tests use: public client with PKCE, as ChartBill registers itself. */
export const APP_CLIENT: SandboxClient = {
  clientId: 'chartbill-test',
  name: 'ChartBill',
  auth: { kind: 'public' },
  redirectUris: [REDIRECT_URI],
  launchUrl: `${APP_ORIGIN}/launch`,
  scope:
    'launch launch/patient launch/encounter openid fhirUser online_access offline_access patient/*.cruds user/*.rs user/Provenance.c user/AuditEvent.c',
};

/** Starts a fresh sandbox EHR on a free port; every test gets its own data, keys and stores. */
export async function startTestEhr(
  overrides: Partial<SandboxEhrOptions> = {},
): Promise<SandboxEhr> {
  return startSandboxEhr({
    host: '127.0.0.1',
    port: 0,
    logger: createLogger('silent', 'test-ehr'),
    clients: [APP_CLIENT],
    ...overrides,
  });
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Opens the EHR's encounter page like a user clicking "Launch ChartBill" and returns the iframe's launch URL. */
export async function launchFromEhr(ehr: SandboxEhr, encounterId: string): Promise<URL> {
  const res = await fetch(`${ehr.launchPageUrl}/encounter/${encounterId}`);
  const page = await res.text();
  const src = /<iframe[^>]*src="([^"]+)"/.exec(page)?.[1];
  if (!src) throw new Error(`no iframe on the encounter page (HTTP ${res.status})`);
  return new URL(src.replaceAll('&amp;', '&').replaceAll('&#38;', '&'));
}

export interface AuthorizeParams {
  scope: string;
  launch?: string;
  challenge?: string | undefined;
  method?: string;
  redirectUri?: string;
  clientId?: string;
  state?: string;
}

/** Calls /oauth/authorize without following redirects. */
export async function authorize(ehr: SandboxEhr, p: AuthorizeParams): Promise<Response> {
  const url = new URL(`${ehr.origin}/oauth/authorize`);
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: p.clientId ?? APP_CLIENT.clientId,
    redirect_uri: p.redirectUri ?? REDIRECT_URI,
    scope: p.scope,
    state: p.state ?? 'state-123',
    aud: ehr.fhirBase,
    launch: p.launch,
    code_challenge: p.challenge,
    code_challenge_method: p.method ?? 'S256',
  };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return fetch(url, { redirect: 'manual' });
}

export async function postToken(
  ehr: SandboxEhr,
  params: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(ehr.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams(params),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The whole EHR launch: encounter page → authorize with PKCE → code → token response. */
export async function ehrLaunchToken(
  ehr: SandboxEhr,
  encounterId: string,
  scope: string,
): Promise<Record<string, unknown>> {
  const launchUrl = await launchFromEhr(ehr, encounterId);
  const { verifier, challenge } = pkcePair();
  const res = await authorize(ehr, {
    scope,
    launch: launchUrl.searchParams.get('launch') ?? '',
    challenge,
  });
  const location = new URL(res.headers.get('location') ?? '');
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`authorize failed: ${location.toString()}`);
  const { json } = await postToken(ehr, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    client_id: APP_CLIENT.clientId,
  });
  return json;
}
