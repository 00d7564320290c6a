import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { JWK } from 'jose';
import { createBackendAuth } from '../../src/auth/backend-auth.ts';
import type { CodeSet } from '../../src/codes/code-set.ts';
import type { EditReference } from '../../src/edits/edit-reference.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { CODING_TYPES, routedCapabilities, routedGateway } from '../../src/fhir/routed-gateway.ts';
import {
  createCapabilitiesSource,
  readServerCapabilities,
  UNKNOWN_CAPABILITIES,
} from '../../src/fhir/server-capabilities.ts';
import { chooseAuditStore, type AuditStore } from '../../src/audit/audit-store.ts';
import { chooseCodingStore } from '../../src/fhir/coding-store-choice.ts';
import { AppError } from '../../src/errors/app-error.ts';
import { errorMessage } from '../../src/errors/error-message.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { undiciTransport } from '../../src/fhir/fhir-transport.ts';
import type { Logger } from '../../src/log/create-logger.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { adaptiveConcurrency } from '../tick/adaptive-concurrency.ts';
import { buildWorker, type Worker, type WorkerX12 } from './build-worker.ts';
import { createDirectoryBatchTransport } from '../../src/x12/transport/directory-batch-transport.ts';
import { createCoreRealTimeTransport } from '../../src/x12/transport/core-realtime-transport.ts';
import { createSftpBatchTransport } from '../../src/x12/transport/sftp-batch-transport.ts';
import type {
  BatchTransport,
  RealTimeTransport,
} from '../../src/x12/transport/clearinghouse-transport.ts';
import { fileX12Submissions } from '../../src/x12/x12-submissions.ts';
import { openPostgresX12Submissions } from '../../src/x12/postgres-x12-submissions.ts';
import { fhirObserver } from './fhir-observer.ts';
import { ensureSubscriptions, notifySecret, type SubscriptionState } from './fhir-subscriptions.ts';
import type { SubscriptionKeeper } from './subscription-watch.ts';
import { discoverTokenUrl } from './discover-token-url.ts';
import { startHealthServer } from './health-server.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from './open-ledger.ts';
import { openReadModelStore } from '../../src/billing-office/open-read-model-store.ts';
import { createMemoryReadModel } from '../../src/billing-office/memory-read-model.ts';
import type { ReadModelStore } from '../../src/billing-office/read-model.ts';
import {
  createBillingReadModel,
  type BillingReadModel,
} from '../../src/billing-office/read-model-sync.ts';
import { loadPublicJwks } from './public-jwks.ts';
import { createWorkerMetrics } from './worker-metrics.ts';
import { workerEhrScope, type WorkerConfig } from './worker-config.ts';

export interface StartWorkerOptions {
  /** The code sets to scrub with; the built-in starter set when absent. */
  codes?: CodeSet;
  /** NCCI tables and the like; those edits are off when absent. */
  editReference?: EditReference;
  /** The ledger to use instead of the one the configuration names (the sandbox's is in memory). */
  ledger?: Ledger;
  /** Start the schedule (default); tests may prefer to call `worker.tick()`. */
  schedule?: boolean;
  /**
   * The clearinghouse transports (SFTP, CAQH CORE) when CHARTBILL_X12_PAYER_IDS is set; a local
   * folder (CHARTBILL_X12_DIRECTORY, `<data dir>/x12` by default) and no real time when absent.
   */
  x12Transports?: { batch?: BatchTransport; realTime?: RealTimeTransport };
  /** The billing read model's store, shared with the app in this process; else opened beside the ledger. */
  billingReadModelStore?: ReadModelStore;
}

export interface RunningWorker {
  worker: Worker;
  /** The billing office's read model the worker keeps (issue 17). */
  billingReadModel: BillingReadModel;
  /** Whether FHIR Subscriptions wake the worker (`CHARTBILL_WORKER_NOTIFY_URL`), and why not. */
  subscriptions: SubscriptionState;
  /** The health server's URL (`/healthz`, `/metrics`, `/.well-known/jwks.json`). */
  healthUrl: string;
  /** Where the EHR fetches the worker's public keys: `CHARTBILL_JWKS_URL`, or the health server's. */
  jwksUrl: string;
  /**
   * Stops the schedule, lets the encounters in hand finish within the shutdown grace period
   * (`CHARTBILL_WORKER_SHUTDOWN_SECONDS`) and releases the rest, closes everything.
   */
  close(): Promise<void>;
}

/**
 * The worker as its own process: SMART Backend Services auth, the clinical and billing FHIR
 * gateways (the billing store only when configured), the payer, the ledger the configuration
 * names, the health server, and the schedule started.
 */
export async function startWorker(
  config: WorkerConfig,
  logger: Logger,
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  if (config.heapGrowthPercent > 0) keepHeapNearLiveSet(config.heapGrowthPercent);
  const privateKey = JSON.parse(await readFile(config.privateKeyFile, 'utf8')) as JWK;
  const tokenUrl = config.tokenUrl ?? (await discoverTokenUrl(config.fhirBaseUrl));
  const separateBilling = config.billingFhirBaseUrl !== config.fhirBaseUrl;
  // Where the AuditEvents go decides whether the EHR is asked for AuditEvent create at all.
  const auditStore = await auditStoreOf(config, separateBilling, logger);
  const scope =
    config.explicitScope ??
    workerEhrScope({ separateBilling, audit: auditStore, notify: Boolean(config.notifyUrl) });
  logger.info({ scope }, 'the scopes the worker asks the EHR for');
  const auth = createBackendAuth({
    tokenUrl,
    clientId: config.clientId,
    privateKey,
    scope,
  });
  const getToken = () => auth.getToken();
  // A separate billing store has its own authorization server, client and (financial) scopes.
  const billingAuth = separateBilling
    ? createBackendAuth({
        tokenUrl:
          config.billingAuth.tokenUrl ??
          (await discoverTokenUrl(
            config.billingFhirBaseUrl,
            fetch,
            'CHARTBILL_BILLING_TOKEN_URL',
            'CHARTBILL_BILLING_FHIR_BASE_URL',
          )),
        clientId: config.billingAuth.clientId,
        privateKey,
        scope: config.billingAuth.scope,
      })
    : auth;
  const getBillingToken = () => billingAuth.getToken();
  const metrics = createWorkerMetrics();
  // Every wait before a retry is a retry: counted for /metrics.
  const sleep = (ms: number) => {
    metrics.countHttpRetry();
    return new Promise<void>((resolve) => setTimeout(resolve, ms));
  };
  const adaptive = adaptiveConcurrency({
    ceiling: config.concurrency,
    latencyTolerance: config.latencyTolerance,
    onChange: (level, why) => {
      logger.debug({ concurrency: level, why }, 'encounters in flight changed');
    },
  });
  const httpLog = logger.child({ part: 'fhir-client' });
  // undici, not fhir-kit-client's fetch: the worker's throughput is bound by CPU per request.
  const clinical = createFhirGateway({
    baseUrl: config.fhirBaseUrl,
    getToken,
    retry: config.http,
    sleep,
    transport: undiciTransport,
    ...fhirObserver(separateBilling ? 'clinical' : 'ehr', metrics, httpLog, adaptive),
  });
  const billing = separateBilling
    ? createFhirGateway({
        baseUrl: config.billingFhirBaseUrl,
        getToken: getBillingToken,
        retry: config.http,
        sleep,
        transport: undiciTransport,
        ...fhirObserver('billing', metrics, httpLog, adaptive),
      })
    : clinical;
  // The coding is read where the app wrote it (issue 13, item 4): the same choice as the app's.
  const codingInBilling = separateBilling && (await codingStoreOf(config, logger)) === 'billing';
  const clinicalWithCoding = codingInBilling
    ? routedGateway(clinical, billing, CODING_TYPES)
    : clinical;
  const capabilities = codingInBilling
    ? routedCapabilities(
        createCapabilitiesSource({
          baseUrl: config.fhirBaseUrl,
          onError: (err) =>
            logger.warn(
              { err: errorMessage(err) },
              "the EHR's CapabilityStatement could not be read; using plain searches only",
            ),
        }),
        createCapabilitiesSource({ baseUrl: config.billingFhirBaseUrl }),
        CODING_TYPES,
      )
    : undefined;
  // The EHR's own statement (the routed one above answers for the coding types from the billing store).
  const clinicalCapabilities = createCapabilitiesSource({ baseUrl: config.fhirBaseUrl });
  const ledger = options.ledger ?? (await openLedger(config, logger.child({ part: 'ledger' })));
  // A ledger handed in (the sandbox's, a test's) is not on disk: neither is the read model then.
  const ownStore = options.billingReadModelStore
    ? undefined
    : options.ledger
      ? await createMemoryReadModel()
      : await openReadModelStore({
          url: config.ledgerUrl,
          schema: config.ledgerSchema,
          path: config.ledgerPath,
        });
  const billingReadModel = createBillingReadModel({
    store: options.billingReadModelStore ?? ownStore ?? (await createMemoryReadModel()),
    fhir: billing,
    people: clinical,
    logger: logger.child({ part: 'billing-read-model' }),
    ...(options.editReference ? { timelyFiling: options.editReference.timelyFiling } : {}),
  });
  const x12 = await x12Of(config, options.x12Transports);
  const jwks = await loadPublicJwks(privateKey, config.jwksPublicFile);
  const secret = config.notifyUrl ? notifySecret(privateKey.d ?? '', config.notifyUrl) : undefined;
  const worker = buildWorker(
    { ...config, auditStore },
    {
      ...(x12 ? { x12 } : {}),
      readModel: billingReadModel,
      clinical: clinicalWithCoding,
      ...(capabilities ? { capabilities } : {}),
      billing,
      ledger,
      logger,
      metrics,
      adaptive,
      codes: options.codes ?? starterCodeSet(),
      ...(options.editReference ? { editReference: options.editReference } : {}),
      ...(config.notifyUrl && secret
        ? {
            subscriptions: {
              everyMs: config.subscriptionCheckMs,
              ensure: async (fhir) =>
                ensureSubscriptions({
                  gateway: fhir,
                  capabilities: await clinicalCapabilities.get(),
                  notifyUrl: config.notifyUrl ?? '',
                  secret,
                  billingHere: !separateBilling,
                  codingHere: !codingInBilling,
                  logger: logger.child({ part: 'subscriptions' }),
                }),
            } satisfies SubscriptionKeeper,
          }
        : {}),
      payer: createFhirPayerAdapter({
        baseUrl: config.payerBaseUrl,
        retry: config.http,
        timeouts: config.payerTimeouts,
        sleep,
        payerIds: config.payerIds,
        // The payer's requests on /metrics beside the FHIR servers' (server="payer", issue 13, item 11).
        onExchange: (e) => {
          metrics.countRequest('payer', e.resource, e.operation, e.status);
        },
      }),
    },
  );
  const health = await startHealthServer({
    host: config.host,
    port: config.port,
    metrics: worker.metrics,
    jwks,
    ledger,
    logger: logger.child({ part: 'worker-health' }),
    ...(secret ? { notify: { secret, onNotify: () => worker.notified() } } : {}),
  });
  if (options.schedule !== false) worker.start();
  // Listening first: the EHR may notify as soon as a Subscription is active.
  const subscriptions = (await worker.checkSubscriptions()) ?? {
    state: 'unavailable' as const,
    reason: 'CHARTBILL_WORKER_NOTIFY_URL is not set',
    ids: [],
  };
  return {
    worker,
    billingReadModel,
    subscriptions,
    healthUrl: health.url,
    jwksUrl: config.jwksUrl ?? `${health.url}/.well-known/jwks.json`,
    async close() {
      await worker.stop();
      await Promise.all([
        health.close(),
        ledger.close(),
        x12?.submissions.close?.(),
        x12?.batch.close(),
        ownStore?.close(),
      ]);
    },
  };
}

/**
 * Where the worker's AuditEvents go (`CHARTBILL_AUDIT_STORE`): as set, or with `auto` as
 * `chooseAuditStore` reads the EHR's CapabilityStatement, decided once at start (before the EHR
 * token is asked for: it asks AuditEvent create only where they go) and logged with its reason.
 * A statement that cannot be read declares nothing (the billing store, when there is one).
 */
async function auditStoreOf(
  config: WorkerConfig,
  separateBilling: boolean,
  logger: Logger,
): Promise<AuditStore> {
  if (config.auditStore !== 'auto') return config.auditStore;
  // One server holds everything: the EHR keeps them.
  if (!separateBilling) return 'ehr';
  const caps = await readServerCapabilities(config.fhirBaseUrl).catch((err: unknown) => {
    logger.warn(
      { err: errorMessage(err) },
      "the EHR's CapabilityStatement could not be read; the AuditEvents go to the billing store",
    );
    return UNKNOWN_CAPABILITIES;
  });
  const choice = chooseAuditStore(caps, {
    setting: 'auto',
    billingFhirBaseUrl: config.billingFhirBaseUrl,
  });
  logger.info({ auditStore: choice.store, why: choice.reason }, 'where the AuditEvents go');
  return choice.store;
}

/**
 * Where the coding lives (`CHARTBILL_CODING_STORE`): as set, or with `auto` as `chooseCodingStore`
 * reads the EHR's CapabilityStatement, the function the app calls too. Decided once at start and
 * logged with its reasons; a statement that cannot be read stops the start (reading the coding
 * from the wrong store would hold every encounter as not coded).
 */
async function codingStoreOf(config: WorkerConfig, logger: Logger): Promise<'ehr' | 'billing'> {
  if (config.codingStore !== 'auto') return config.codingStore;
  let caps;
  try {
    caps = await readServerCapabilities(config.fhirBaseUrl);
  } catch (err) {
    throw new AppError(
      'CONFIG_INVALID',
      `CHARTBILL_CODING_STORE=auto: the EHR's CapabilityStatement could not be read (${errorMessage(err)}), so the worker cannot tell where the coding lives`,
      {
        hint: 'Check the EHR with `chartbill doctor`, or set CHARTBILL_CODING_STORE to ehr or billing.',
        cause: err,
      },
    );
  }
  const choice = chooseCodingStore(caps, {
    setting: 'auto',
    billingFhirBaseUrl: config.billingFhirBaseUrl,
  });
  logger.info({ codingStore: choice.store, why: choice.reasons }, 'where the coding lives');
  return choice.store;
}

/**
 * The clearinghouse side of the worker (issue 15): its transports, and the per-claim control
 * numbers kept beside the ledger (PostgreSQL when the ledger is, else a file next to it).
 */
async function x12Of(
  config: WorkerConfig,
  transports: StartWorkerOptions['x12Transports'],
): Promise<WorkerX12 | undefined> {
  const x12 = config.x12;
  if (!x12) return undefined;
  const submissions = config.ledgerUrl
    ? await openPostgresX12Submissions({
        url: config.ledgerUrl,
        schema: config.ledgerSchema,
        senderId: x12.config.senderId,
      })
    : fileX12Submissions(join(dirname(config.ledgerPath), 'x12-submissions.json'));
  const { sftp, core } = x12.clearinghouse ?? {};
  const realTime = transports?.realTime ?? (core ? createCoreRealTimeTransport(core) : undefined);
  return {
    config: x12.config,
    batch:
      transports?.batch ??
      (sftp
        ? createSftpBatchTransport(sftp)
        : createDirectoryBatchTransport(x12.directory ?? join(config.dataDir, 'x12'))),
    ...(realTime ? { realTime } : {}),
    submissions,
    payerIds: x12.payerIds,
    inboundEveryMs: x12.inboundEveryMs,
    statusAfterMs: x12.statusAfterMs,
    ta1RetryMs: x12.ta1RetryMs,
  };
}

/**
 * The worker keeps a small live set (about 30 MB) and makes bursts of short-lived garbage. Left
 * to itself, V8 grows the old generation to four times the live set and the young generation
 * from 2 to 32 MB during a backlog, and keeps both while the worker idles (it collects only when
 * allocating). So the old generation may grow `percent` past what the last full collection kept,
 * and the young generation stays at its starting size (measured: no slower). V8 reads both flags
 * whenever it resizes the heap, so setting them at start-up takes effect.
 */
function keepHeapNearLiveSet(percent: number): void {
  setFlagsFromString(`--heap-growing-percent=${String(percent)}`);
  setFlagsFromString('--semi-space-growth-factor=1');
}
