import {
  readSettings,
  type SettingsSource,
  type SettingsWith,
} from '../../src/config/read-settings.ts';
import type { SettingName } from '../../src/config/settings.ts';
import type { AuditStore, AuditStoreSetting } from '../../src/audit/audit-store.ts';
import { AppError } from '../../src/errors/app-error.ts';
import { SANDBOX_PAYER_IDS } from '../../src/payer/payer-ids.ts';
import { loadX12Config, type X12Config } from '../../src/x12/x12-config.ts';
import {
  loadClearinghouseConfig,
  type ClearinghouseConfig,
} from '../../src/x12/clearinghouse-config.ts';

/** Writing the worker's AuditEvents (IHE BALP), asked only of the server that keeps them. */
export const AUDIT_SCOPE = 'system/AuditEvent.c';

/** What the worker reads from the clinical record (SMART v2 scopes). */
export const CLINICAL_SCOPE = [
  'system/Encounter.rs',
  // Booked visits, whose eligibility is checked ahead (CHARTBILL_ELIGIBILITY_AHEAD_DAYS).
  'system/Appointment.rs',
  'system/Patient.r',
  'system/ChargeItem.rs',
  'system/Condition.rs',
  'system/Coverage.rs',
  'system/Organization.r',
  'system/Practitioner.r',
  // Where the visit took place (Encounter.location): place of service and 837P loop 2310C; a
  // booked visit's Location too (its managing organization bills the visit).
  'system/Location.r',
  // A dependent's subscriber given as a RelatedPerson (Coverage.subscriber): 270 2100C, 837P 2010BA.
  'system/RelatedPerson.r',
  // Audit records of every read (IHE BALP), where they are kept in the EHR (workerEhrScope).
  AUDIT_SCOPE,
].join(' ');

/** The financial resources and work items the worker creates, reads back and updates. */
export const BILLING_SCOPE = [
  'system/Claim.crus',
  'system/ClaimResponse.crus',
  'system/CoverageEligibilityRequest.crs',
  'system/CoverageEligibilityResponse.crs',
  'system/Task.crus',
  // The payments an 835 ERA reports (issue 15, item 3).
  'system/PaymentReconciliation.crs',
  // Who wrote each version (Provenance, next to what it describes) and the audit records.
  'system/Provenance.c',
  AUDIT_SCOPE,
].join(' ');

/** With `CHARTBILL_WORKER_NOTIFY_URL`: the worker keeps its rest-hook Subscriptions on the EHR. */
export const SUBSCRIPTION_SCOPE = 'system/Subscription.cruds';

/** With the coding in the billing store (`CHARTBILL_CODING_STORE`): it is read from there too. */
export const CODING_READ_SCOPE = ['system/ChargeItem.rs', 'system/Condition.rs'].join(' ');

/** The scopes the worker asks for when one FHIR server is both the clinical and the billing store. */
export const DEFAULT_WORKER_SCOPE = [
  ...new Set(`${CLINICAL_SCOPE} ${BILLING_SCOPE}`.split(' ')),
].join(' ');

/**
 * The scopes the worker asks the EHR for, least privilege (issue 13, item 4): the clinical reads,
 * and the financial writes too when the EHR is also the billing store; AuditEvent create only
 * when its AuditEvents are kept there (`audit`, as `chooseAuditStore` decides: with a separate
 * billing FHIR server and an EHR that takes none, they go there and the EHR is not asked);
 * its Subscriptions with a notification URL. The worker asks this at start, `doctor` checks it
 * is granted and the registration sheet lists it: one function, so the three agree.
 */
export function workerEhrScope(options: {
  separateBilling: boolean;
  audit: AuditStore;
  notify: boolean;
}): string {
  // Without a separate billing server, `billing` is the EHR.
  const auditAtEhr =
    options.audit === 'ehr' || (options.audit === 'billing' && !options.separateBilling);
  return [
    ...(options.separateBilling ? CLINICAL_SCOPE : DEFAULT_WORKER_SCOPE)
      .split(' ')
      .filter((s) => auditAtEhr || s !== AUDIT_SCOPE),
    ...(options.notify ? [SUBSCRIPTION_SCOPE] : []),
  ].join(' ');
}

/**
 * Where the AuditEvents go before the EHR's CapabilityStatement is read: as set, and `auto` as
 * the EHR (the scope that asks AuditEvent create there too, a superset, until the statement says).
 */
export function auditStoreBeforeCapabilities(setting: AuditStoreSetting): AuditStore {
  return setting === 'auto' ? 'ehr' : setting;
}

/** Settings the worker cannot run without (`chartbill start` and `chartbill worker` list those missing). */
export const WORKER_REQUIRED = [
  'CHARTBILL_FHIR_BASE_URL',
  'CHARTBILL_PAYER_BASE_URL',
  'CHARTBILL_CLIENT_ID',
  'CHARTBILL_PRIVATE_KEY_FILE',
] as const satisfies readonly SettingName[];

type WorkerSettings = SettingsWith<(typeof WORKER_REQUIRED)[number]>;

/** The worker's configuration from its settings (src/config/settings.ts). */
function workerConfigOf(
  env: WorkerSettings,
  x12Config: X12Config | undefined,
  clearinghouse: ClearinghouseConfig | undefined,
) {
  return {
    fhirBaseUrl: env.CHARTBILL_FHIR_BASE_URL,
    /** Where Claim, ClaimResponse, eligibility and Task resources are written; the EHR by default. */
    billingFhirBaseUrl: env.CHARTBILL_BILLING_FHIR_BASE_URL ?? env.CHARTBILL_FHIR_BASE_URL,
    /**
     * How the worker authorizes against a separate billing store: its token endpoint (discovered
     * from the billing base when absent), its client id (the clinical one when absent) and the
     * financial scopes only. Unused when one server is both stores.
     */
    billingAuth: {
      tokenUrl: env.CHARTBILL_BILLING_TOKEN_URL,
      clientId: env.CHARTBILL_BILLING_CLIENT_ID ?? env.CHARTBILL_CLIENT_ID,
      scope:
        env.CHARTBILL_BILLING_SCOPE ??
        // `auto` may find the coding there (start-worker.ts reads the EHR's statement to decide).
        (env.CHARTBILL_CODING_STORE !== 'ehr'
          ? `${BILLING_SCOPE} ${CODING_READ_SCOPE}`
          : BILLING_SCOPE),
    },
    /**
     * Where the coding (Condition, ChargeItem) is read: the EHR, the billing FHIR server, or
     * `auto` (chosen at start from the EHR's CapabilityStatement, as the app chooses).
     */
    codingStore: env.CHARTBILL_CODING_STORE,
    payerBaseUrl: env.CHARTBILL_PAYER_BASE_URL,
    /** Payer ids the payer connection reaches; a Coverage whose payor has none is held. The sandbox payer by default. */
    payerIds: env.CHARTBILL_PAYER_IDS ?? SANDBOX_PAYER_IDS,
    /** Absent: discovered from the FHIR server's `.well-known/smart-configuration`. */
    tokenUrl: env.CHARTBILL_TOKEN_URL,
    clientId: env.CHARTBILL_CLIENT_ID,
    privateKeyFile: env.CHARTBILL_PRIVATE_KEY_FILE,
    /** The JWKS served at /.well-known/jwks.json; derived from the private key when absent. */
    jwksPublicFile: env.CHARTBILL_JWKS_PUBLIC_FILE,
    /**
     * Least privilege: with a separate billing store, the clinical token only reads (and writes
     * AuditEvents where the EHR keeps them). With `CHARTBILL_AUDIT_STORE=auto` this is the scope
     * before the EHR's CapabilityStatement is read; `startWorker` asks `workerEhrScope` of the
     * store it chooses, unless `CHARTBILL_WORKER_SCOPE` (`explicitScope`) is set.
     */
    scope:
      env.CHARTBILL_WORKER_SCOPE ??
      workerEhrScope({
        separateBilling: separateBilling(env),
        audit: auditStoreBeforeCapabilities(env.CHARTBILL_AUDIT_STORE),
        notify: Boolean(env.CHARTBILL_WORKER_NOTIFY_URL),
      }),
    /** `CHARTBILL_WORKER_SCOPE`: asked as it is, whatever the stores. */
    explicitScope: env.CHARTBILL_WORKER_SCOPE,
    schedule: env.CHARTBILL_WORKER_SCHEDULE,
    ledgerPath: env.CHARTBILL_LEDGER_PATH,
    /** When set, the ledger is in PostgreSQL (several workers share the load) instead of the file. */
    ledgerUrl: env.CHARTBILL_LEDGER_URL,
    ledgerSchema: env.CHARTBILL_LEDGER_SCHEMA,
    /** Names this worker's leases; unique per process by default. */
    workerId: env.CHARTBILL_WORKER_ID,
    /** How long an encounter stays claimed by this worker without renewal. */
    leaseMs: env.CHARTBILL_WORKER_LEASE_SECONDS * 1000,
    /** First retry delay after a failed encounter; doubles per failure, at most an hour. */
    retryBaseMs: env.CHARTBILL_WORKER_RETRY_BASE_SECONDS * 1000,
    /** Retries of one HTTP request to the FHIR servers and the payer (backoff with full jitter). */
    http: {
      timeoutMs: env.CHARTBILL_HTTP_TIMEOUT_MS,
      attempts: env.CHARTBILL_HTTP_ATTEMPTS,
      baseDelayMs: env.CHARTBILL_HTTP_BACKOFF_MS,
      conflictRetries: env.CHARTBILL_HTTP_CONFLICT_RETRIES,
      quotaRetries: env.CHARTBILL_HTTP_QUOTA_RETRIES,
    },
    logLevel: env.CHARTBILL_LOG_LEVEL,
    port: env.CHARTBILL_WORKER_PORT,
    /** How long a held item (no coverage, scrub errors, not coded) waits before it is checked again. */
    recheckMs: env.CHARTBILL_WORKER_RECHECK_MINUTES * 60_000,
    /** The longest wait between two rechecks of a held item (the waits grow fourfold up to it). */
    recheckMaxMs: env.CHARTBILL_WORKER_RECHECK_MAX_HOURS * 3_600_000,
    /**
     * Eligibility is checked ahead of the visit: booked appointments starting within this long,
     * and arrived or in-progress encounters; 0 checks only finished visits.
     */
    eligibilityAheadMs: env.CHARTBILL_ELIGIBILITY_AHEAD_DAYS * 86_400_000,
    /** How long before the payer is asked again about a claim it answered `queued`. */
    pollMs: env.CHARTBILL_WORKER_POLL_MINUTES * 60_000,
    /** How long between status inquiries about an appealed claim (FHIR payers; an 835 answers X12 ones). */
    appealPollMs: env.CHARTBILL_WORKER_APPEAL_POLL_HOURS * 3_600_000,
    /** A submitted claim without an answer this long becomes a `claim-no-answer` work item. */
    noAnswerMs: env.CHARTBILL_BILLING_NO_ANSWER_DAYS * 86_400_000,
    /** An eligibility answer for the same coverage (same version) and date of service is reused this long; 0 never. */
    eligibilityReuseMs: env.CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES * 60_000,
    /** The practice's IANA time zone: dates of service are the visit's local calendar date. */
    practiceTimeZone: env.CHARTBILL_PRACTICE_TIME_ZONE,
    /** Failed attempts after which an item is given up (and needs a person). */
    maxAttempts: env.CHARTBILL_WORKER_MAX_ATTEMPTS,
    /** Encounters in flight at once: a remote FHIR server's latency overlaps instead of adding up. */
    concurrency: env.CHARTBILL_WORKER_CONCURRENCY,
    /**
     * Adaptive concurrency (from 1 up to `concurrency`) holds its level once the server's smoothed
     * latency is this many times its unloaded latency: the server is queueing.
     */
    latencyTolerance: env.CHARTBILL_WORKER_LATENCY_TOLERANCE,
    /** Idle polling backs off (doubling) up to this long between polls; 0 polls on every tick. */
    idleMaxMs: env.CHARTBILL_WORKER_IDLE_MAX_SECONDS * 1000,
    /**
     * How far V8 lets the heap grow past what the last full collection kept, in percent, with the
     * young generation kept at its starting size; 0 leaves both to V8, which on a large machine
     * lets a burst of work grow the heap to four times its live size and keeps it there while the
     * worker idles.
     */
    heapGrowthPercent: env.CHARTBILL_WORKER_HEAP_GROWTH_PERCENT,
    /**
     * How long the worker waits for the payer's answer, per operation. A timed-out claim is not
     * sent again blindly: the payer is asked first (`Claim/$inquire`).
     */
    payerTimeouts: {
      eligibilityMs: env.CHARTBILL_PAYER_ELIGIBILITY_TIMEOUT_SECONDS * 1000,
      submitMs: env.CHARTBILL_PAYER_SUBMIT_TIMEOUT_SECONDS * 1000,
      inquireMs: env.CHARTBILL_PAYER_INQUIRE_TIMEOUT_SECONDS * 1000,
    },
    /** How long an item that ran out of retries waits before it is tried again on its own. */
    gaveUpRetryMs: env.CHARTBILL_WORKER_GAVE_UP_RETRY_HOURS * 3_600_000,
    /**
     * Grace period after SIGTERM: encounters in hand are finished if they fit; past it, their
     * leases are released and the worker exits (an item whose claim went out stays in the outbox).
     */
    shutdownMs: env.CHARTBILL_WORKER_SHUTDOWN_SECONDS * 1000,
    /** Where AuditEvents go: the EHR, the billing store, or the log only. */
    auditStore: env.CHARTBILL_AUDIT_STORE,
    /**
     * Where the EHR posts FHIR Subscription notifications (the health server's `/fhir-notify`, as
     * the EHR reaches it); unset: no Subscriptions, polling only.
     */
    notifyUrl: env.CHARTBILL_WORKER_NOTIFY_URL,
    /**
     * How often the worker checks its Subscriptions are still active even when all looks well;
     * sooner when polling finds changes no notification announced (subscription-watch.ts).
     */
    subscriptionCheckMs: env.CHARTBILL_WORKER_SUBSCRIPTION_CHECK_MINUTES * 60_000,
    /** The address the health server (and the JWKS) listens on. */
    host: env.CHARTBILL_WORKER_HOST,
    /** Where the EHR fetches the JWKS (its `jwksUri`); the health server's own URL when absent. */
    jwksUrl: env.CHARTBILL_JWKS_URL,
    dataDir: env.CHARTBILL_DATA_DIR,
    /**
     * The X12 clearinghouse (issue 15): present when CHARTBILL_X12_PAYER_IDS names payers reached
     * through it. Claims to those payers go out as 837P files; the rest use FHIR `$submit`.
     */
    x12:
      env.CHARTBILL_X12_PAYER_IDS && x12Config
        ? {
            config: x12Config,
            payerIds: env.CHARTBILL_X12_PAYER_IDS,
            /** The folder exchanged with the clearinghouse; `<data dir>/x12` when unset. */
            directory: env.CHARTBILL_X12_DIRECTORY,
            inboundEveryMs: env.CHARTBILL_X12_INBOUND_MINUTES * 60_000,
            statusAfterMs: env.CHARTBILL_X12_STATUS_AFTER_HOURS * 3_600_000,
            /** A TA1-rejected claim goes again once after this; a second TA1 in a row holds. */
            ta1RetryMs: env.CHARTBILL_X12_TA1_RETRY_MINUTES * 60_000,
            /** SFTP and CAQH CORE connections, when configured (else the local folder, no real time). */
            clearinghouse,
          }
        : undefined,
  };
}

function separateBilling(env: {
  CHARTBILL_FHIR_BASE_URL: string;
  CHARTBILL_BILLING_FHIR_BASE_URL?: string | undefined;
}): boolean {
  return (
    env.CHARTBILL_BILLING_FHIR_BASE_URL !== undefined &&
    env.CHARTBILL_BILLING_FHIR_BASE_URL !== env.CHARTBILL_FHIR_BASE_URL
  );
}

export type WorkerConfig = Readonly<ReturnType<typeof workerConfigOf>>;

/**
 * Reads the worker's configuration from its settings (the environment, or what `settingsSource`
 * made of it and a config file), reporting every problem at once.
 */
export function loadWorkerConfig(
  env: SettingsSource,
  defaults?: Partial<Record<SettingName, string>>,
): WorkerConfig {
  const settings = readSettings(env, {
    what: 'Worker',
    required: WORKER_REQUIRED,
    ...(defaults ? { defaults } : {}),
  });
  if (settings.CHARTBILL_CODING_STORE === 'billing' && !separateBilling(settings))
    throw new AppError(
      'CONFIG_INVALID',
      'Worker configuration is invalid:\n  - CHARTBILL_CODING_STORE: is billing, but no separate billing FHIR server is set: set CHARTBILL_BILLING_FHIR_BASE_URL (or CHARTBILL_CODING_STORE=ehr)',
      { hint: 'Settings: `chartbill worker --help` or the README, "Settings".' },
    );
  // The X12 settings are required only when some payer is reached through a clearinghouse.
  const x12 = settings.CHARTBILL_X12_PAYER_IDS
    ? loadX12Config(defaults ? { ...defaults, ...env } : env)
    : undefined;
  const clearinghouse = x12
    ? loadClearinghouseConfig(defaults ? { ...defaults, ...env } : env)
    : undefined;
  return Object.freeze(workerConfigOf(settings, x12, clearinghouse));
}
