import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { generateClientKeys } from '../src/auth/keys.ts';
import { createBackendAuth } from '../src/auth/backend-auth.ts';
import type { CodeSet } from '../src/codes/code-set.ts';
import type { EditReference } from '../src/edits/edit-reference.ts';
import { createFhirGateway } from '../src/fhir/http-fhir-gateway.ts';
import { undiciTransport } from '../src/fhir/fhir-transport.ts';
import { createFhirPayerAdapter } from '../src/payer/fhir-payer-adapter.ts';
import { startSandboxPayer } from '../sandbox/payer-server.ts';
import { startSandboxEhr, type SandboxEhr } from '../sandbox/start-sandbox-ehr.ts';
import { loadAppConfig } from '../smart-app/app-config.ts';
import { buildApp } from '../smart-app/build-app.ts';
import { buildWorker, type Worker } from '../worker/runtime/build-worker.ts';
import { startHealthServer } from '../worker/runtime/health-server.ts';
import { createMemoryLedger } from '../worker/ledger/memory-ledger.ts';
import { DEFAULT_WORKER_SCOPE } from '../worker/runtime/worker-config.ts';
import { freePort, retryOnPortTaken } from './free-port.ts';

export interface SandboxPorts {
  app: number;
  ehr: number;
  payer: number;
  worker: number;
}

export interface SandboxStackOptions {
  host: string;
  /** 0 picks a free port. */
  ports: SandboxPorts;
  logger: Logger;
  codes: CodeSet;
  /** NCCI tables and other reference data for the app's edits and the worker's scrubber. */
  editReference?: EditReference;
  /** node-cron expression with seconds. */
  workerSchedule: string;
  /** Start the worker's schedule (tests may prefer to call `worker.tick()`). */
  startWorker: boolean;
}

export interface SandboxStack {
  fhirBase: string;
  ehrLaunchUrl: string;
  appUrl: string;
  payerBase: string;
  tokenUrl: string;
  ehr: SandboxEhr;
  worker: Worker;
  healthUrl: string;
  /** The CLI client's registration, for `chartbill sandbox token`. */
  cliClient: { clientId: string; privateJwk: Record<string, unknown> };
  close(): Promise<void>;
}

export const APP_CLIENT_ID = 'chartbill';
const WORKER_CLIENT_ID = 'chartbill-worker';
const CLI_CLIENT_ID = 'chartbill-cli';

/**
 * The outside world on one machine: the sandbox EHR (FHIR server, SMART authorization, launch
 * pages, seeded patients), the sandbox payer, and ChartBill's app and worker wired to them with
 * the same registrations an admin would make (public app client; backend clients with JWKS).
 */
export function startSandboxStack(opts: SandboxStackOptions): Promise<SandboxStack> {
  return retryOnPortTaken(() => startOnce(opts));
}

async function startOnce(opts: SandboxStackOptions): Promise<SandboxStack> {
  const { host, logger } = opts;
  const port = async (p: number) => (p === 0 ? freePort(host) : p);
  const appPort = await port(opts.ports.app);
  const appUrl = `http://${host}:${appPort}`;
  const workerKeys = await generateClientKeys('ES384');
  const cliKeys = await generateClientKeys('ES384');

  const ehr = await startSandboxEhr({
    host,
    port: opts.ports.ehr,
    logger: logger.child({ part: 'sandbox-ehr' }),
    clients: [
      {
        clientId: APP_CLIENT_ID,
        name: 'ChartBill',
        auth: { kind: 'public' },
        redirectUris: [`${appUrl}/callback`],
        launchUrl: `${appUrl}/launch`,
        scope:
          'launch launch/patient launch/encounter openid fhirUser online_access patient/*.cruds user/*.rs user/Provenance.c user/AuditEvent.c',
      },
      // Registered with exactly the scopes a real EHR would grant it: nothing broader.
      {
        clientId: WORKER_CLIENT_ID,
        name: 'ChartBill worker',
        auth: { kind: 'jwks', jwks: workerKeys.publicJwks },
        redirectUris: [],
        scope: DEFAULT_WORKER_SCOPE,
      },
      // The admin acting as the EHR itself (like SMART's launcher): any system/ interaction, so tests
      // and admins can write hostile data from outside. Only `chartbill sandbox token` holds its key.
      {
        clientId: CLI_CLIENT_ID,
        name: 'ChartBill CLI (sandbox)',
        auth: { kind: 'jwks', jwks: cliKeys.publicJwks },
        redirectUris: [],
        scope: 'system/*.cruds',
      },
    ],
  });
  const payer = await startSandboxPayer({
    host,
    port: opts.ports.payer,
    logger: logger.child({ part: 'sandbox-payer' }),
    strict: true,
  });

  // The app's port was chosen before the EHR registered its URL; if it was taken meanwhile, start over.
  const app = await listenApp().catch(async (err: unknown) => {
    await payer.close();
    await ehr.close();
    throw err;
  });
  async function listenApp(): Promise<FastifyInstance> {
    const appConfig = loadAppConfig({
      CHARTBILL_APP_HOST: host,
      CHARTBILL_APP_PORT: String(appPort),
      CHARTBILL_APP_URL: appUrl,
      CHARTBILL_EHRS: JSON.stringify([
        { iss: ehr.fhirBase, name: 'Sandbox EHR', clientId: APP_CLIENT_ID },
      ]),
    });
    const built = await buildApp(appConfig, {
      logger: logger.child({ part: 'app' }),
      codes: opts.codes,
      ...(opts.editReference ? { editReference: opts.editReference } : {}),
    });
    await built.listen({ host, port: appPort }).catch(async (err: unknown) => {
      await built.close();
      throw err;
    });
    return built;
  }

  const auth = createBackendAuth({
    tokenUrl: ehr.tokenUrl,
    clientId: WORKER_CLIENT_ID,
    privateKey: workerKeys.privateJwk,
    scope: DEFAULT_WORKER_SCOPE,
  });
  const clinical = createFhirGateway({
    baseUrl: ehr.fhirBase,
    getToken: () => auth.getToken(),
    transport: undiciTransport,
  });
  const worker = buildWorker(
    { schedule: opts.workerSchedule, recheckMs: 15_000, maxAttempts: 8, concurrency: 4 },
    {
      clinical,
      billing: clinical,
      payer: createFhirPayerAdapter({ baseUrl: payer.fhirBase }),
      codes: opts.codes,
      ...(opts.editReference ? { editReference: opts.editReference } : {}),
      ledger: createMemoryLedger(),
      logger: logger.child({ part: 'worker' }),
    },
  );
  const health = await startHealthServer({
    host,
    port: opts.ports.worker,
    metrics: worker.metrics,
    jwks: workerKeys.publicJwks,
    logger: logger.child({ part: 'worker-health' }),
  });
  if (opts.startWorker) worker.start();

  return {
    fhirBase: ehr.fhirBase,
    ehrLaunchUrl: ehr.launchPageUrl,
    appUrl,
    payerBase: payer.fhirBase,
    tokenUrl: ehr.tokenUrl,
    ehr,
    worker,
    healthUrl: health.url,
    cliClient: { clientId: CLI_CLIENT_ID, privateJwk: cliKeys.privateJwk },
    async close() {
      await worker.stop();
      await health.close();
      await app.close();
      await payer.close();
      await ehr.close();
    },
  };
}
