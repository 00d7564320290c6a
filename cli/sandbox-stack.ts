import type { Resource } from 'fhir/r4';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { generateClientKeys } from '../src/auth/keys.ts';
import type { CodeSet } from '../src/codes/code-set.ts';
import type { EditReference } from '../src/edits/edit-reference.ts';
import type { SettingsSource } from '../src/config/read-settings.ts';
import { startSandboxPayer, type PayerAudit } from '../sandbox/payer-server.ts';
import {
  startSandboxClearinghouse,
  type SandboxClearinghouse,
} from '../sandbox/clearinghouse/start-clearinghouse.ts';
import { sandboxMembers } from '../sandbox/clearinghouse/sandbox-members.ts';
import {
  holdsClaims,
  holdsCoding,
  sandboxEhrProfile,
  type SandboxEhrProfile,
} from '../sandbox/ehr-profiles.ts';
import { medplumFaults } from '../sandbox/medplum-faults.ts';
import { isSeedBillingRecord, isSeedCoding } from '../sandbox/seed-data.ts';
import { isSeedPriorAuthorization } from '../sandbox/seed-real-claims.ts';
import { X12_PAYER } from '../sandbox/seed-people.ts';
import { SANDBOX_BILLING_ROLES } from '../sandbox/seed-billing-staff.ts';
import { APP_BILLING_SCOPE } from '../smart-app/coding/coding-store.ts';
import { startSandboxEhr, type SandboxEhr } from '../sandbox/start-sandbox-ehr.ts';
import { loadAppConfig } from '../smart-app/app-config.ts';
import { buildApp } from '../smart-app/build-app.ts';
import type { Worker } from '../worker/runtime/build-worker.ts';
import { createMemoryLedger } from '../worker/ledger/memory-ledger.ts';
import { createMemoryReadModel } from '../src/billing-office/memory-read-model.ts';
import type { BillingReadModel } from '../src/billing-office/read-model-sync.ts';
import type { ReadModelStore } from '../src/billing-office/read-model.ts';
import { startWorker } from '../worker/runtime/start-worker.ts';
import type { SubscriptionState } from '../worker/runtime/fhir-subscriptions.ts';
import {
  BILLING_SCOPE,
  CODING_READ_SCOPE,
  DEFAULT_WORKER_SCOPE,
  loadWorkerConfig,
  SUBSCRIPTION_SCOPE,
  type WorkerConfig,
} from '../worker/runtime/worker-config.ts';
import { freePort, retryOnPortTaken } from './free-port.ts';

export interface SandboxPorts {
  app: number;
  ehr: number;
  payer: number;
  worker: number;
  /** The sandbox clearinghouse's SFTP and CORE ports; default 0 (any free port). */
  clearinghouseSftp?: number;
  clearinghouseCore?: number;
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
  /** The settings the worker reads (CHARTBILL_WORKER_*, CHARTBILL_HTTP_*, …); none by default. */
  settings?: SettingsSource;
  /** Settings the app reads besides its wiring to the sandbox (CHARTBILL_CODING_STORE, …); none by default. */
  appSettings?: SettingsSource;
  /** The kind of EHR the sandbox plays (`CHARTBILL_SANDBOX_EHR`); default strict. */
  profile?: SandboxEhrProfile;
  /** Where the clearinghouse keeps its host key (so a pinned fingerprint survives restarts); default a temporary folder. */
  stateDir?: string;
  /**
   * Seed the billing office's history (issue 17: 300 claims over 120 days); default true, so the
   * charts mean something. Its patients and payers go to the EHR; its claims, answers, work Tasks
   * and payments go where the worker keeps claims (the billing store beside an EHR that takes no
   * Claim writes). It adds seconds to a start: tests that do not look at it pass false.
   */
  history?: boolean;
  /**
   * The billing office's read model, opened (and closed) by the caller: tests run the workspace
   * over PostgreSQL too. Default: one in memory, shared by the app and the worker.
   */
  billingReadModelStore?: ReadModelStore;
}

/** Where the sandbox's worker differs from production's defaults (a setting still overrides it). */
const SANDBOX_WORKER_DEFAULTS = {
  // Held encounters are looked at again within a tick or three, so a demo does not wait 15 minutes.
  CHARTBILL_WORKER_RECHECK_MINUTES: '0.25',
} as const;

/**
 * What an 837P needs that the sandbox's FHIR data does not say, configured once as a practice
 * would (issue 15, item 1); a setting the admin gives still wins.
 */
const SANDBOX_X12_IDENTITY = {
  CHARTBILL_X12_SENDER_ID: 'SBXFAMILYMED',
  CHARTBILL_X12_RECEIVER_NAME: 'Sandbox Clearinghouse',
  CHARTBILL_X12_SUBMITTER_NAME: 'Sandbox Family Medicine',
  CHARTBILL_X12_SUBMITTER_CONTACT: 'Billing Office',
  CHARTBILL_X12_SUBMITTER_PHONE: '5555550100',
  CHARTBILL_X12_BILLING_TAXONOMY: '207Q00000X',
  // The sandbox's answers come within a second: look for them on every tick.
  CHARTBILL_X12_INBOUND_MINUTES: '0',
} as const;

export interface SandboxStack {
  fhirBase: string;
  ehrLaunchUrl: string;
  appUrl: string;
  payerBase: string;
  /** The clearinghouse Sandbox Mutual's claims go through (SFTP and CAQH CORE). */
  clearinghouse: SandboxClearinghouse;
  /** What the sandbox payer received (claims with their frequency and REF*F8), for tests. */
  payerAudit(): PayerAudit;
  tokenUrl: string;
  ehr: SandboxEhr;
  /**
   * The billing FHIR server (a second sandbox server, strict profile), when the EHR's profile
   * cannot hold the coding or take Claim writes (epic-like, oracle-like): the coding, claims,
   * payer answers and work items live there (issue 13, item 4).
   */
  billing?: SandboxEhr;
  worker: Worker;
  /** The billing office's read model (issue 17), shared by the app and the worker. */
  billingReadModel: BillingReadModel;
  /** Whether the EHR's Subscriptions wake the worker (not in profiles without them). */
  subscriptions: SubscriptionState;
  healthUrl: string;
  /** Where the worker's public keys are served. */
  jwksUrl: string;
  /** The worker's configuration, read through the settings like production's. */
  workerConfig: WorkerConfig;
  /** The CLI client's registration, for `chartbill sandbox token`. */
  cliClient: { clientId: string; privateJwk: Record<string, unknown> };
  close(): Promise<void>;
}

export const APP_CLIENT_ID = 'chartbill';
const WORKER_CLIENT_ID = 'chartbill-worker';
const APP_BILLING_CLIENT_ID = 'chartbill-app-billing';
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
  // Known before the worker starts: its Subscriptions name where the EHR notifies it.
  const workerPort = await port(opts.ports.worker);
  const workerKeys = await generateClientKeys('ES384');
  const cliKeys = await generateClientKeys('ES384');
  const profile = opts.profile ?? sandboxEhrProfile('strict');
  // An EHR that cannot hold the coding or the claims gets a billing store beside it, as a
  // hospital on Epic or Oracle Health would run one; the coding it cannot hold is seeded there.
  const codingInBilling = !holdsCoding(profile);
  const withBilling = codingInBilling || !holdsClaims(profile);
  // The app reads the claims there too, and keeps there what the EHR cannot (coding, AuditEvents).
  const appBillingKeys = withBilling ? await generateClientKeys('ES384') : undefined;
  const history = opts.history ?? true;
  // What the EHR cannot hold is seeded in the billing store, where the app and worker look for it;
  // so are the payer's prior authorizations (ClaimResponse, use preauthorization): financial
  // records, kept where the claims are.
  const inBilling = (r: Resource) =>
    (codingInBilling && isSeedCoding(r)) ||
    (withBilling && isSeedBillingRecord(r)) ||
    isSeedPriorAuthorization(r);

  const ehr = await startSandboxEhr({
    host,
    port: opts.ports.ehr,
    logger: logger.child({ part: 'sandbox-ehr' }),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(withBilling ? { seed: (r) => !inBilling(r) } : {}),
    history,
    // Sandbox Mutual's visits go out through the clearinghouse this stack starts.
    x12: true,
    // medplum-like also misbehaves as Medplum does: serialization conflicts and a quota (429).
    ...(opts.profile?.name === 'medplum-like' ? { faults: medplumFaults() } : {}),
    clients: [
      {
        clientId: APP_CLIENT_ID,
        name: 'ChartBill',
        auth: { kind: 'public' },
        redirectUris: [`${appUrl}/callback`],
        launchUrl: `${appUrl}/launch`,
        scope:
          'launch launch/patient launch/encounter openid fhirUser online_access patient/*.cruds user/*.rs user/Task.cru user/Claim.cru user/ChargeItem.cru user/Condition.cru user/Provenance.c user/AuditEvent.c',
      },
      // Registered with exactly the scopes a real EHR would grant it: nothing broader.
      {
        clientId: WORKER_CLIENT_ID,
        name: 'ChartBill worker',
        auth: { kind: 'jwks', jwks: workerKeys.publicJwks },
        redirectUris: [],
        // Its Subscriptions too, where the profile's server has them (as Medplum and HAPI do).
        scope: profile.absentTypes.includes('Subscription')
          ? DEFAULT_WORKER_SCOPE
          : `${DEFAULT_WORKER_SCOPE} ${SUBSCRIPTION_SCOPE}`,
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
  const billing = withBilling
    ? await startSandboxEhr({
        host,
        port: 0,
        logger: logger.child({ part: 'sandbox-billing' }),
        profile: sandboxEhrProfile('strict'),
        seed: inBilling,
        history,
        x12: true,
        clients: [
          {
            clientId: WORKER_CLIENT_ID,
            name: 'ChartBill worker',
            auth: { kind: 'jwks', jwks: workerKeys.publicJwks },
            redirectUris: [],
            scope: codingInBilling ? `${BILLING_SCOPE} ${CODING_READ_SCOPE}` : BILLING_SCOPE,
          },
          ...(appBillingKeys
            ? [
                {
                  clientId: APP_BILLING_CLIENT_ID,
                  name: 'ChartBill app (billing store)',
                  auth: { kind: 'jwks' as const, jwks: appBillingKeys.publicJwks },
                  redirectUris: [],
                  scope: APP_BILLING_SCOPE,
                },
              ]
            : []),
          {
            clientId: CLI_CLIENT_ID,
            name: 'ChartBill CLI (sandbox)',
            auth: { kind: 'jwks', jwks: cliKeys.publicJwks },
            redirectUris: [],
            scope: 'system/*.cruds',
          },
        ],
      }).catch(async (err: unknown) => {
        await ehr.close();
        throw err;
      })
    : undefined;
  const keyDir = await mkdtemp(join(tmpdir(), 'chartbill-sandbox-worker-'));
  const appKeyFile = join(keyDir, 'app-billing-key.json');
  if (appBillingKeys)
    await writeFile(appKeyFile, JSON.stringify(appBillingKeys.privateJwk), { mode: 0o600 });
  const billingSettings = billing
    ? {
        CHARTBILL_BILLING_FHIR_BASE_URL: billing.fhirBase,
        CHARTBILL_BILLING_TOKEN_URL: billing.tokenUrl,
        // CHARTBILL_CODING_STORE is left to `auto`: the app and the worker read the profile's
        // CapabilityStatement and find the billing store where the EHR cannot hold the coding.
      }
    : {};
  // The billing office's read model: the app and the worker of the sandbox share it in memory,
  // or in the store the caller opened (and closes).
  const billingStore = opts.billingReadModelStore ?? (await createMemoryReadModel());
  const payer = await startSandboxPayer({
    host,
    port: opts.ports.payer,
    logger: logger.child({ part: 'sandbox-payer' }),
    strict: true,
  });
  const clearinghouse = await startSandboxClearinghouse({
    host,
    sftpPort: opts.ports.clearinghouseSftp ?? 0,
    corePort: opts.ports.clearinghouseCore ?? 0,
    stateDir: opts.stateDir ?? keyDir,
    members: sandboxMembers(new Date()),
    logger: logger.child({ part: 'sandbox-clearinghouse' }),
  }).catch(async (err: unknown) => {
    await Promise.all([payer.close(), billing?.close(), ehr.close()]);
    await rm(keyDir, { recursive: true, force: true });
    throw err;
  });

  // The app's port was chosen before the EHR registered its URL; if it was taken meanwhile, start over.
  const app = await listenApp().catch(async (err: unknown) => {
    await clearinghouse.close();
    await payer.close();
    await billing?.close();
    await ehr.close();
    await rm(keyDir, { recursive: true, force: true });
    throw err;
  });
  async function listenApp(): Promise<FastifyInstance> {
    const appConfig = loadAppConfig({
      ...opts.appSettings,
      CHARTBILL_APP_HOST: host,
      CHARTBILL_APP_PORT: String(appPort),
      CHARTBILL_APP_URL: appUrl,
      CHARTBILL_EHRS: JSON.stringify([
        { iss: ehr.fhirBase, name: 'Sandbox EHR', clientId: APP_CLIENT_ID },
      ]),
      ...billingSettings,
      // The sandbox's billing office (sandbox/seed-billing-staff.ts) may open the workspace.
      CHARTBILL_BILLING_ROLES: opts.settings?.CHARTBILL_BILLING_ROLES ?? SANDBOX_BILLING_ROLES,
      ...(appBillingKeys
        ? {
            CHARTBILL_APP_BILLING_CLIENT_ID: APP_BILLING_CLIENT_ID,
            CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE: appKeyFile,
          }
        : {}),
    });
    const built = await buildApp(appConfig, {
      billingReadModelStore: billingStore,
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

  // The worker production runs, through the same settings (issue 13, item 2): only the wiring to
  // the sandbox's EHR, payer and key is fixed here, and its ledger is in memory like the EHR's data.
  const keyFile = join(keyDir, 'worker-key.json');
  await writeFile(keyFile, JSON.stringify(workerKeys.privateJwk), { mode: 0o600 });
  const startSandboxWorker = async () => {
    const config = loadWorkerConfig(
      {
        ...SANDBOX_X12_IDENTITY,
        ...opts.settings,
        // Sandbox Mutual's claims go out as 837P through the sandbox clearinghouse (issue 15, item 7).
        ...clearinghouse.settings,
        CHARTBILL_X12_PAYER_IDS: X12_PAYER.payerId,
        // The ledger is in memory: the X12 control numbers kept beside it live and go with this stack.
        CHARTBILL_LEDGER_PATH: join(keyDir, 'ledger.json'),
        CHARTBILL_FHIR_BASE_URL: ehr.fhirBase,
        CHARTBILL_TOKEN_URL: ehr.tokenUrl,
        CHARTBILL_CLIENT_ID: WORKER_CLIENT_ID,
        CHARTBILL_PRIVATE_KEY_FILE: keyFile,
        CHARTBILL_PAYER_BASE_URL: payer.fhirBase,
        CHARTBILL_WORKER_HOST: host,
        CHARTBILL_WORKER_PORT: String(workerPort),
        CHARTBILL_WORKER_SCHEDULE: opts.workerSchedule,
        ...billingSettings,
      },
      {
        ...SANDBOX_WORKER_DEFAULTS,
        // The EHR wakes the worker where it offers Subscriptions; a setting may point elsewhere.
        CHARTBILL_WORKER_NOTIFY_URL: `http://${host}:${String(workerPort)}/fhir-notify`,
      },
    );
    const started = await startWorker(config, logger.child({ part: 'worker' }), {
      codes: opts.codes,
      ...(opts.editReference ? { editReference: opts.editReference } : {}),
      ledger: createMemoryLedger(),
      billingReadModelStore: billingStore,
      schedule: opts.startWorker,
    });
    return { config, started };
  };
  // A refused setting or a taken port stops the whole stack, leaving nothing listening.
  const { config: workerConfig, started: running } = await startSandboxWorker().catch(
    async (err: unknown) => {
      await Promise.all([
        app.close(),
        payer.close(),
        clearinghouse.close(),
        ehr.close(),
        billing?.close(),
      ]);
      await rm(keyDir, { recursive: true, force: true });
      throw err;
    },
  );
  const { worker } = running;
  // Before the first page view: the seeded history is in the rows when the URL is printed.
  await running.billingReadModel.sync();

  return {
    fhirBase: ehr.fhirBase,
    ehrLaunchUrl: ehr.launchPageUrl,
    appUrl,
    payerBase: payer.fhirBase,
    clearinghouse,
    payerAudit: () => payer.audit(),
    tokenUrl: ehr.tokenUrl,
    ehr,
    ...(billing ? { billing } : {}),
    worker,
    billingReadModel: running.billingReadModel,
    subscriptions: running.subscriptions,
    healthUrl: running.healthUrl,
    jwksUrl: running.jwksUrl,
    workerConfig,
    cliClient: { clientId: CLI_CLIENT_ID, privateJwk: cliKeys.privateJwk },
    async close() {
      await running.close();
      await app.close();
      await payer.close();
      await clearinghouse.close();
      await rm(keyDir, { recursive: true, force: true });
      await billing?.close();
      await ehr.close();
    },
  };
}
