import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { generateClientKeys } from '../../src/auth/keys.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import type { SmartPermissions } from '../../sandbox/smart-configuration.ts';
import {
  startSandboxEhr,
  type SandboxClient,
  type SandboxEhr,
} from '../../sandbox/start-sandbox-ehr.ts';
import { freePort, retryOnPortTaken } from '../../cli/free-port.ts';
import { loadAppConfig } from '../../smart-app/app-config.ts';
import { buildApp } from '../../smart-app/build-app.ts';
import { bundleUi, type UiAssets } from '../../smart-app/bundle-ui.ts';

/** What ChartBill asks for, as an admin would register it: the most the EHR may grant. */
export const FULL_SCOPE =
  'launch launch/patient launch/encounter openid fhirUser online_access patient/*.cruds user/*.rs user/Provenance.c user/AuditEvent.c';

export type ClientAuthKind = 'public' | 'secret' | 'rs384' | 'es384';

export interface AppSpec {
  /** The sandbox client id; also the key of `stack.apps`. */
  clientId: string;
  auth?: ClientAuthKind;
  /** What the sandbox may grant this client (default FULL_SCOPE). */
  scope?: string;
  /** Extra origins allowed to frame the app (CSP frame-ancestors), besides the EHR's, from the EHR's origin. */
  frameAncestors?: (ehrOrigin: string) => string[];
  /** The FHIR base (`iss`) the app is registered with, when not the sandbox's own: e.g. a fault proxy's in front of it. */
  fhirBase?: (ehr: SandboxEhr) => Promise<string>;
}

export interface TokenRequest {
  grant: string;
  status: number;
  /** Token values from the answer, so tests can look for them where they must not be. */
  secrets: string[];
}

export interface LaunchStack {
  ehr: SandboxEhr;
  apps: Map<string, { url: string; app: FastifyInstance }>;
  /** Every request the apps made to the token endpoint, in order. */
  tokenRequests: TokenRequest[];
  /** Every log line the apps and the sandbox wrote. */
  logs: string[];
  /** Moves both servers' clocks (token expiry, refresh) without waiting. */
  advance(ms: number): void;
  close(): Promise<void>;
}

export interface LaunchStackOptions {
  apps: AppSpec[];
  accessTokenTtlSeconds?: number;
  smartPermissions?: SmartPermissions;
  /** More CHARTBILL_* settings for every app (limits, timeouts). */
  appEnv?: Record<string, string>;
  /**
   * Alters the token endpoint's JSON answers before the app reads them: an EHR (or a network)
   * that misbehaves in a way the sandbox never would, e.g. a forged id_token.
   */
  tamperToken?: (
    json: Record<string, unknown>,
  ) => Promise<Record<string, unknown>> | Record<string, unknown>;
}

let assets: Promise<UiAssets> | undefined;

/** A token-endpoint-watching fetch for the apps: real requests, recorded (and altered by `tamper`). */
function recordingFetch(
  tokenUrl: () => string,
  requests: TokenRequest[],
  tamper?: LaunchStackOptions['tamperToken'],
): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url !== tokenUrl()) return res;
    const grant =
      new URLSearchParams(
        typeof init?.body === 'string'
          ? init.body
          : init?.body instanceof URLSearchParams
            ? init.body.toString()
            : '',
      ).get('grant_type') ?? '';
    const json = (await res
      .clone()
      .json()
      .catch(() => ({}))) as Record<string, unknown>;
    const secrets = ['access_token', 'refresh_token', 'id_token']
      .map((k) => json[k])
      .filter((v): v is string => typeof v === 'string');
    requests.push({ grant, status: res.status, secrets });
    if (!tamper || !res.ok) return res;
    return new Response(JSON.stringify(await tamper(json)), {
      status: res.status,
      headers: res.headers,
    });
  };
}

/**
 * The sandbox EHR (seeded) with one ChartBill app per spec, each registered with its own client id
 * and client authentication, on free ports of 127.0.0.1. Logs of all servers are captured.
 */
export function startLaunchStack(options: LaunchStackOptions): Promise<LaunchStack> {
  return retryOnPortTaken(() => startLaunchStackOnce(options));
}

async function startLaunchStackOnce(options: LaunchStackOptions): Promise<LaunchStack> {
  const logs: string[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _enc, done) => (logs.push(chunk.toString('utf8')), done()),
  });
  const logger = createLogger('info', 'launch-test', sink);
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-launch-'));
  const env: Record<string, string> = {};
  const prepared = await Promise.all(options.apps.map(async (spec) => prepareApp(spec, dir, env)));

  const ehr = await startSandboxEhr({
    host: '127.0.0.1',
    port: 0,
    logger: logger.child({ part: 'sandbox' }),
    clients: prepared.map((p) => p.client),
    now,
    ...(options.accessTokenTtlSeconds
      ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds }
      : {}),
    ...(options.smartPermissions ? { smartPermissions: options.smartPermissions } : {}),
  });
  const tokenRequests: TokenRequest[] = [];
  const apps = new Map<string, { url: string; app: FastifyInstance }>();
  assets ??= bundleUi();
  for (const p of prepared) {
    const iss = p.spec.fhirBase ? await p.spec.fhirBase(ehr) : ehr.fhirBase;
    const registration = {
      iss,
      clientId: p.client.clientId,
      ...p.registration,
      ...(p.spec.frameAncestors
        ? { frameAncestors: [ehr.origin, ...p.spec.frameAncestors(ehr.origin)] }
        : {}),
    };
    const config = loadAppConfig({
      ...options.appEnv,
      CHARTBILL_APP_PORT: String(p.port),
      CHARTBILL_APP_URL: p.url,
      CHARTBILL_EHRS: JSON.stringify([registration]),
    });
    const app = await buildApp(config, {
      logger: logger.child({ part: 'app', client: p.client.clientId }),
      codes: starterCodeSet(),
      env,
      now,
      fetch: recordingFetch(() => ehr.tokenUrl, tokenRequests, options.tamperToken),
      assets: await assets,
    });
    apps.set(p.client.clientId, { url: p.url, app });
    try {
      await app.listen({ host: '127.0.0.1', port: p.port });
    } catch (err) {
      // A port taken since it was chosen: close everything so the caller can start over.
      await Promise.all([...apps.values()].map((a) => a.app.close()));
      await ehr.close();
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }
  return {
    ehr,
    apps,
    tokenRequests,
    logs,
    advance: (ms) => void (offsetMs += ms),
    async close() {
      await Promise.all([...apps.values()].map((a) => a.app.close()));
      await ehr.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function prepareApp(spec: AppSpec, dir: string, env: Record<string, string>) {
  const port = await freePort('127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const base = {
    clientId: spec.clientId,
    name: 'ChartBill',
    redirectUris: [`${url}/callback`],
    launchUrl: `${url}/launch`,
    scope: spec.scope ?? FULL_SCOPE,
  };
  const auth = spec.auth ?? 'public';
  if (auth === 'public')
    return {
      spec,
      port,
      url,
      client: { ...base, auth: { kind: 'public' } } satisfies SandboxClient,
      registration: { clientAuth: 'public' },
    };
  if (auth === 'secret') {
    const envName = `SECRET_${spec.clientId.replace(/\W/g, '_').toUpperCase()}`;
    env[envName] = `s3cret:${spec.clientId}/+&`;
    return {
      spec,
      port,
      url,
      client: { ...base, auth: { kind: 'secret', secret: env[envName] } } satisfies SandboxClient,
      registration: { clientAuth: 'client_secret_basic', clientSecretEnv: envName },
    };
  }
  const keys = await generateClientKeys(auth === 'rs384' ? 'RS384' : 'ES384');
  const keyFile = join(dir, `${spec.clientId}.jwk.json`);
  await writeFile(keyFile, JSON.stringify(keys.privateJwk), { mode: 0o600 });
  const jwks = keys.publicJwks;
  return {
    spec,
    port,
    url,
    client: { ...base, auth: { kind: 'jwks', jwks } } satisfies SandboxClient,
    registration: { clientAuth: 'private_key_jwt', privateKeyFile: keyFile },
  };
}
