import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createClient } from '@redis/client';
import type { FastifyInstance } from 'fastify';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { startSandboxEhr, type SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { freePort, retryOnPortTaken } from '../../cli/free-port.ts';
import { loadAppConfig } from '../../smart-app/app-config.ts';
import { buildApp } from '../../smart-app/build-app.ts';
import { bundleUi, type UiAssets } from '../../smart-app/bundle-ui.ts';
import { dropSchema, freshSchemaName, PG_URL } from '../worker/pg-kit.ts';
import { FULL_SCOPE } from './launch-stack.ts';

/** The test Redis (nothing kept on disk); override with CHARTBILL_TEST_REDIS_URL. */
export const REDIS_URL = process.env.CHARTBILL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type StoreKind = 'postgres' | 'redis' | 'memory';

/** One request the proxy passed on: to which instance, and what came back. */
export interface Routed {
  method: string;
  path: string;
  instance: number;
  status: number;
}

export interface InstancesStack {
  ehr: SandboxEhr;
  /** The store's PostgreSQL schema / Redis key prefix, this stack's own. */
  namespace: string;
  /** The proxy's URL: the one address the EHR and the browser know (CHARTBILL_APP_URL). */
  url: string;
  /** Each instance's own URL, to call one on purpose. */
  instanceUrls(): string[];
  /** Refresh-token grants the instances asked the EHR for. */
  refreshes(): number;
  /** The tokens the EHR granted the instances, in order: to look for them where they must not be. */
  granted: { access: string; refresh: string }[];
  /** Every request through the proxy, in order. */
  routed: Routed[];
  /** Picks the instance for a request; round-robin unless a test says otherwise. */
  route: (method: string, path: string, roundRobin: () => number) => number;
  logs: string[];
  /** Moves every instance's and the EHR's clock (token expiry, idle timeout) without waiting. */
  advance(ms: number): void;
  /** Stops every instance, then starts new ones: a deploy. Nothing of the old processes is reused. */
  restartAll(env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export interface InstancesOptions {
  store: StoreKind;
  instances?: number;
  /** Settings for every instance (limits, keys); the store's are added. */
  appEnv?: Record<string, string>;
}

let assets: Promise<UiAssets> | undefined;

/**
 * The sandbox EHR and several ChartBill app instances sharing one session store, behind a small
 * round-robin HTTP proxy (as a load balancer without sticky sessions). The EHR knows the app by
 * the proxy's address only. Each instance is its own `buildApp`: no memory shared but the store.
 */
export function startInstancesStack(options: InstancesOptions): Promise<InstancesStack> {
  return retryOnPortTaken(() => startOnce(options));
}

async function startOnce(options: InstancesOptions): Promise<InstancesStack> {
  const logs: string[] = [];
  const sink = new Writable({
    write: (chunk: Buffer, _enc, done) => (logs.push(chunk.toString('utf8')), done()),
  });
  const logger = createLogger('info', 'instances-test', sink);
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  const namespace = freshSchemaName();
  const storeEnv: Record<string, string> =
    options.store === 'memory'
      ? {}
      : {
          CHARTBILL_SESSION_STORE: options.store === 'postgres' ? PG_URL : REDIS_URL,
          CHARTBILL_SESSION_NAMESPACE: namespace,
          CHARTBILL_SESSION_KEY: randomBytes(32).toString('base64'),
        };
  const proxyPort = await freePort('127.0.0.1');
  const url = `http://127.0.0.1:${String(proxyPort)}`;
  const ehr = await startSandboxEhr({
    host: '127.0.0.1',
    port: 0,
    logger: logger.child({ part: 'sandbox' }),
    clients: [
      {
        clientId: 'cb',
        name: 'ChartBill',
        redirectUris: [`${url}/callback`],
        launchUrl: `${url}/launch`,
        scope: FULL_SCOPE,
        auth: { kind: 'public' },
      },
    ],
    now,
  });
  assets ??= bundleUi();
  let refreshes = 0;
  const granted: { access: string; refresh: string }[] = [];
  const countingFetch: typeof fetch = async (input, init) => {
    const grant = init?.body instanceof URLSearchParams ? init.body.get('grant_type') : null;
    if (grant === 'refresh_token') refreshes++;
    const res = await fetch(input, init);
    if (grant && res.ok) {
      const json = (await res.clone().json()) as { access_token?: string; refresh_token?: string };
      granted.push({ access: json.access_token ?? '', refresh: json.refresh_token ?? '' });
    }
    return res;
  };
  let env = { ...storeEnv, ...options.appEnv };

  async function startInstance(n: number): Promise<{ app: FastifyInstance; url: string }> {
    const config = loadAppConfig({
      ...env,
      CHARTBILL_APP_PORT: '0',
      CHARTBILL_APP_URL: url,
      CHARTBILL_EHRS: JSON.stringify([{ iss: ehr.fhirBase, clientId: 'cb', clientAuth: 'public' }]),
    });
    const app = await buildApp(config, {
      logger: logger.child({ part: 'app', instance: n }),
      codes: starterCodeSet(),
      now,
      fetch: countingFetch,
      assets: await assets,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    return { app, url: `http://127.0.0.1:${String(port)}` };
  }

  const count = options.instances ?? 2;
  let instances = await Promise.all(Array.from({ length: count }, (_v, n) => startInstance(n)));
  const routed: Routed[] = [];
  let next = 0;
  const roundRobin = () => next++ % instances.length;

  const stack: InstancesStack = {
    ehr,
    namespace,
    url,
    instanceUrls: () => instances.map((i) => i.url),
    refreshes: () => refreshes,
    granted,
    routed,
    route: (_method, _path, rr) => rr(),
    logs,
    advance: (ms) => void (offsetMs += ms),
    async restartAll(more) {
      await Promise.all(instances.map((i) => i.app.close()));
      env = { ...env, ...more };
      instances = await Promise.all(instances.map((_i, n) => startInstance(n)));
    },
    async close() {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      proxy.closeAllConnections();
      await Promise.all(instances.map((i) => i.app.close()));
      await ehr.close();
      if (options.store === 'postgres') await dropSchema(namespace);
      if (options.store === 'redis') await deleteRedisKeys(`${namespace}:*`);
    },
  };

  const proxy: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const n = stack.route(req.method ?? 'GET', path.split('?')[0] ?? '/', roundRobin);
    const target = new URL(instances[n]?.url ?? url);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path,
        headers: req.headers,
      },
      (answer) => {
        routed.push({
          method: req.method ?? 'GET',
          path: path.split('?')[0] ?? '/',
          instance: n,
          status: answer.statusCode ?? 0,
        });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end('instance unavailable'));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(proxyPort, '127.0.0.1', () => resolve());
  });
  return stack;
}

/** Removes a test's Redis keys (its own namespace only). */
export async function deleteRedisKeys(pattern: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 100 }))
      if (keys.length > 0) await client.del(keys);
  } finally {
    await client.close();
  }
}
