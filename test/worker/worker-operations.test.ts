import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Claim, ClaimResponse, Task } from 'fhir/r4';
import { decodeJwt, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { testWorker } from './test-worker.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { generateClientKeys } from '../../src/auth/keys.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { startSandboxPayer } from '../../sandbox/payer-server.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { startSandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { buildHealthServer } from '../../worker/runtime/health-server.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { loadPublicJwks } from '../../worker/runtime/public-jwks.ts';
import { startWorker } from '../../worker/runtime/start-worker.ts';
import {
  BILLING_SCOPE,
  CLINICAL_SCOPE,
  loadWorkerConfig,
} from '../../worker/runtime/worker-config.ts';
import { createWorkerMetrics } from '../../worker/runtime/worker-metrics.ts';
import { backendClient } from '../faults/worker-child.ts';
import { startFaultProxy } from '../faults/fault-proxy.ts';
import { all, logger } from './worker-kit.ts';

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-ops-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('worker JWKS', () => {
  it('serves the public half of its key, which verifies what the worker signs, and never the private members', async () => {
    const keys = await generateClientKeys('RS384');
    const app = buildHealthServer({
      metrics: createWorkerMetrics(),
      logger,
      jwks: await loadPublicJwks(keys.privateJwk),
    });
    const res = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.statusCode).toBe(200);
    const jwks = res.json<{ keys: JWK[] }>();
    expect(jwks.keys).toHaveLength(1);
    const [served] = jwks.keys;
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
      expect(served, member).not.toHaveProperty(member);
    expect(served).toMatchObject({
      kty: 'RSA',
      kid: keys.privateJwk.kid,
      alg: 'RS384',
      use: 'sig',
    });
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS384', kid: keys.privateJwk.kid ?? '' })
      .setIssuer('chartbill-worker')
      .sign(await importJWK(keys.privateJwk, 'RS384'));
    await expect(jwtVerify(jwt, await importJWK(served ?? {}, 'RS384'))).resolves.toBeDefined();
  });

  it('serves the key set of CHARTBILL_JWKS_PUBLIC_FILE when set (old and new key during a rotation)', async () => {
    const [old, current] = await Promise.all([
      generateClientKeys('ES384'),
      generateClientKeys('ES384'),
    ]);
    const file = join(await tempDir(), 'jwks.json');
    await writeFile(
      file,
      JSON.stringify({ keys: [...old.publicJwks.keys, ...current.publicJwks.keys] }),
    );
    const jwks = await loadPublicJwks(current.privateJwk, file);
    expect(jwks.keys.map((k) => k.kid)).toEqual([old.privateJwk.kid, current.privateJwk.kid]);
  });
});

describe('worker process composition', () => {
  it('starts from configuration, authenticates with private_key_jwt, ticks, and reports complete metrics', async () => {
    const dir = await tempDir();
    const { client, keyFile } = await backendClient(dir);
    const ehr = await startSandboxEhr({ port: 0, logger, clients: [client] });
    const payer = await startSandboxPayer({ port: 0, logger });
    cleanup.push(
      () => ehr.close(),
      () => payer.close(),
    );
    // The first two requests to the EHR fail with 503: the retries must show on /metrics.
    let encounterSearches = 0;
    const proxy = await startFaultProxy({
      target: ehr.origin,
      choose: (_n, req) =>
        req.url?.startsWith('/fhir/Encounter?') && ++encounterSearches <= 2 ? 'status-503' : 'pass',
    });
    cleanup.push(() => proxy.close());
    const config = loadWorkerConfig({
      CHARTBILL_FHIR_BASE_URL: `${proxy.origin}/fhir`,
      CHARTBILL_PAYER_BASE_URL: payer.fhirBase,
      CHARTBILL_CLIENT_ID: client.clientId,
      // The assertion's audience is the EHR's own token URL, so tokens are fetched directly.
      CHARTBILL_TOKEN_URL: ehr.tokenUrl,
      CHARTBILL_PRIVATE_KEY_FILE: keyFile,
      CHARTBILL_LEDGER_PATH: join(dir, 'ledger.json'),
      CHARTBILL_WORKER_PORT: '0',
      CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
      CHARTBILL_HTTP_BACKOFF_MS: '10',
    });
    const running = await startWorker(config, logger, { codes: starterCodeSet() });
    cleanup.push(() => running.close());
    const deadline = Date.now() + 30_000;
    while (running.worker.metrics.status().ticks === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));

    const metrics = await (await fetch(`${running.healthUrl}/metrics`)).text();
    const value = (name: string) =>
      Number(new RegExp(`^chartbill_worker_${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(value('encounters_seen_total')).toBe(9);
    expect(value('claims_submitted_total')).toBe(7);
    expect(value('claims_paid_total')).toBe(6);
    expect(value('claims_denied_total')).toBe(2);
    expect(value('items_held_total')).toBe(2);
    expect(value('retries_total')).toBe(0);
    expect(value('http_retries_total')).toBeGreaterThanOrEqual(2);
    expect(value('tick_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value('tick_duration_seconds_sum')).toBeGreaterThan(0);
    expect(value('backlog')).toBe(2);
    const jwks = (await (await fetch(`${running.healthUrl}/.well-known/jwks.json`)).json()) as {
      keys: JWK[];
    };
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-384' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });
});

describe('two stores', () => {
  it('reads the chart from the EHR and writes claims, answers, eligibility and work items to the billing store only', async () => {
    const ehr = await startSandboxEhr({ port: 0, logger, clients: [] });
    const billingStore = await startSandboxEhr({ port: 0, logger, clients: [], seed: false });
    const payer = await startSandboxPayer({ port: 0, logger });
    cleanup.push(
      () => ehr.close(),
      () => billingStore.close(),
      () => payer.close(),
    );
    const [ehrToken, billingToken] = await Promise.all([
      ehr.issueSystemToken('system/*.cruds'),
      billingStore.issueSystemToken('system/*.cruds'),
    ]);
    const clinical = createFhirGateway({
      baseUrl: ehr.fhirBase,
      getToken: () => Promise.resolve(ehrToken),
    });
    const billing = createFhirGateway({
      baseUrl: billingStore.fhirBase,
      getToken: () => Promise.resolve(billingToken),
    });
    const worker = testWorker(
      {
        CHARTBILL_WORKER_CONCURRENCY: '1',
        CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0',
        CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
        CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
        CHARTBILL_WORKER_MAX_ATTEMPTS: '3',
      },
      {
        clinical,
        billing,
        payer: createFhirPayerAdapter({ baseUrl: payer.fhirBase }),
        codes: starterCodeSet(),
        ledger: createMemoryLedger(),
        logger,
      },
    );
    const summary = await worker.tick();
    expect(summary).toMatchObject({ submitted: 7, held: 2, failed: 0 });

    for (const type of [
      'Claim',
      'ClaimResponse',
      'Task',
      'CoverageEligibilityRequest',
      'CoverageEligibilityResponse',
    ] as const) {
      expect(await all(clinical, type), `${type} in the EHR`).toHaveLength(0);
    }
    const claims = await all<Claim>(billing, 'Claim');
    expect(claims).toHaveLength(7);
    // References to the chart stay relative to the EHR: the patient and the encounter it came from.
    const [clean] = claims.filter(
      (c) => c.identifier?.[0]?.value === `enc-${SEED_SCENARIOS.clean[0]}`,
    );
    expect(clean?.patient.reference).toBe('Patient/pat-06');
    expect(await all<ClaimResponse>(billing, 'ClaimResponse')).toHaveLength(7);
    const tasks = await all<Task>(billing, 'Task');
    expect(tasks.map((t) => t.encounter?.reference).sort()).toContain(
      `Encounter/${SEED_SCENARIOS.noCoverage}`,
    );
    // A second tick finds the claims in the billing store and writes nothing new.
    const again = await worker.tick();
    expect(again.submitted).toBe(0);
    expect(await all(billing, 'Claim')).toHaveLength(7);
  });

  it('authorizes against a separate billing store with its own token server, client and only the financial scopes', async () => {
    const dir = await tempDir();
    const { client, keyFile } = await backendClient(dir);
    const clinicalClient = { ...client, scope: CLINICAL_SCOPE };
    const billingClient = { ...client, clientId: 'chartbill-billing', scope: BILLING_SCOPE };
    const ehr = await startSandboxEhr({ port: 0, logger, clients: [clinicalClient] });
    const billingStore = await startSandboxEhr({
      port: 0,
      logger,
      clients: [billingClient],
      seed: false,
    });
    const payer = await startSandboxPayer({ port: 0, logger });
    cleanup.push(
      () => ehr.close(),
      () => billingStore.close(),
      () => payer.close(),
    );
    // Pass-through proxies that note each request's method, path and the scopes of its token.
    const seen: { store: string; method: string; path: string; scope: string }[] = [];
    const note = (store: string) => (_n: number, req: IncomingMessage) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const scope = token ? ((decodeJwt(token).scope as string | undefined) ?? '') : '';
      seen.push({ store, method: req.method ?? '', path: req.url ?? '', scope });
      return 'pass' as const;
    };
    const clinicalProxy = await startFaultProxy({ target: ehr.origin, choose: note('clinical') });
    const billingProxy = await startFaultProxy({
      target: billingStore.origin,
      choose: note('billing'),
    });
    cleanup.push(
      () => clinicalProxy.close(),
      () => billingProxy.close(),
    );
    const config = loadWorkerConfig({
      CHARTBILL_FHIR_BASE_URL: `${clinicalProxy.origin}/fhir`,
      CHARTBILL_TOKEN_URL: ehr.tokenUrl,
      CHARTBILL_CLIENT_ID: client.clientId,
      // The billing store's own token endpoint (direct: the assertion's audience is that URL).
      CHARTBILL_BILLING_FHIR_BASE_URL: `${billingProxy.origin}/fhir`,
      CHARTBILL_BILLING_TOKEN_URL: billingStore.tokenUrl,
      CHARTBILL_BILLING_CLIENT_ID: billingClient.clientId,
      CHARTBILL_PAYER_BASE_URL: payer.fhirBase,
      CHARTBILL_PRIVATE_KEY_FILE: keyFile,
      CHARTBILL_LEDGER_PATH: join(dir, 'ledger.json'),
      CHARTBILL_WORKER_PORT: '0',
      CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
    });
    expect(config.scope).toBe(CLINICAL_SCOPE);
    const running = await startWorker(config, logger, { codes: starterCodeSet() });
    cleanup.push(() => running.close());
    const deadline = Date.now() + 30_000;
    while (running.worker.metrics.status().ticks === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));

    const billing = createFhirGateway({
      baseUrl: billingStore.fhirBase,
      getToken: () => billingStore.issueSystemToken('system/*.cruds'),
    });
    expect(await all<Claim>(billing, 'Claim')).toHaveLength(7);
    expect(await all<ClaimResponse>(billing, 'ClaimResponse')).toHaveLength(7);
    // Discovery and the CapabilityStatement are public: read without a token.
    const isPublic = (path: string) => path.includes('.well-known') || path === '/fhir/metadata';
    const clinicalCalls = seen.filter(
      (r) => r.store === 'clinical' && r.path.startsWith('/fhir/') && !isPublic(r.path),
    );
    const billingCalls = seen.filter(
      (r) => r.store === 'billing' && r.path.startsWith('/fhir/') && !isPublic(r.path),
    );
    expect(clinicalCalls.length).toBeGreaterThan(0);
    expect(billingCalls.length).toBeGreaterThan(0);
    // The chart is only read, with a token that can only read it; the billing store gets its own token.
    expect(clinicalCalls.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(new Set(clinicalCalls.map((r) => r.scope))).toEqual(new Set([CLINICAL_SCOPE]));
    expect(new Set(billingCalls.map((r) => r.scope))).toEqual(new Set([BILLING_SCOPE]));
  });
});
