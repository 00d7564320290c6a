import cron from 'node-cron';
import { z } from 'zod';
import { auditStoreSetting } from '../../src/audit/audit-store.ts';
import { parseConfig } from '../../src/config/parse-config.ts';
import { parsePayerIds, SANDBOX_PAYER_IDS, type PayerId } from '../../src/payer/payer-ids.ts';
import { errorMessage } from '../../src/errors/error-message.ts';

/** What the worker reads from the clinical record (SMART v2 scopes). */
export const CLINICAL_SCOPE = [
  'system/Encounter.rs',
  'system/Patient.r',
  'system/ChargeItem.rs',
  'system/Condition.rs',
  'system/Coverage.rs',
  'system/Organization.r',
  'system/Practitioner.r',
  // Audit records of every read (IHE BALP), kept in the EHR unless CHARTBILL_AUDIT_STORE says otherwise.
  'system/AuditEvent.c',
].join(' ');

/** The financial resources and work items the worker creates, reads back and updates. */
export const BILLING_SCOPE = [
  'system/Claim.crus',
  'system/ClaimResponse.crus',
  'system/CoverageEligibilityRequest.crs',
  'system/CoverageEligibilityResponse.crs',
  'system/Task.crus',
  // Who wrote each version (Provenance, next to what it describes) and the audit records.
  'system/Provenance.c',
  'system/AuditEvent.c',
].join(' ');

/** The scopes the worker asks for when one FHIR server is both the clinical and the billing store. */
export const DEFAULT_WORKER_SCOPE = [
  ...new Set(`${CLINICAL_SCOPE} ${BILLING_SCOPE}`.split(' ')),
].join(' ');

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const workerEnvSchema = z.object({
  CHARTBILL_FHIR_BASE_URL: url,
  CHARTBILL_BILLING_FHIR_BASE_URL: url.optional(),
  CHARTBILL_PAYER_BASE_URL: url,
  // The payers the payer connection reaches: `system|value` or `value`, comma-separated.
  CHARTBILL_PAYER_IDS: z
    .string()
    .min(1)
    .optional()
    .transform((text, ctx): PayerId[] | undefined => {
      if (text === undefined) return undefined;
      try {
        return parsePayerIds(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: errorMessage(err) });
        return z.NEVER;
      }
    }),
  CHARTBILL_TOKEN_URL: url.optional(),
  CHARTBILL_CLIENT_ID: z
    .string({ error: 'is required (the backend client id registered with the EHR)' })
    .min(1),
  CHARTBILL_PRIVATE_KEY_FILE: z
    .string({ error: 'is required (a JSON file holding the private JWK)' })
    .min(1),
  CHARTBILL_JWKS_PUBLIC_FILE: z.string().min(1).optional(),
  CHARTBILL_WORKER_SCOPE: z.string().min(1).optional(),
  CHARTBILL_BILLING_TOKEN_URL: url.optional(),
  CHARTBILL_BILLING_CLIENT_ID: z.string().min(1).optional(),
  CHARTBILL_BILLING_SCOPE: z.string().min(1).default(BILLING_SCOPE),
  CHARTBILL_WORKER_SCHEDULE: z
    .string()
    .default('*/5 * * * * *')
    .refine(
      (expr) => cron.validate(expr),
      'must be a cron expression (seconds field allowed), e.g. */5 * * * * *',
    ),
  CHARTBILL_LEDGER_PATH: z.string().min(1).default('.chartbill/ledger.json'),
  CHARTBILL_LEDGER_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .optional(),
  CHARTBILL_LEDGER_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .default('chartbill'),
  CHARTBILL_WORKER_ID: z.string().min(1).max(200).optional(),
  CHARTBILL_WORKER_LEASE_SECONDS: z.coerce.number().positive().max(3600).default(120),
  CHARTBILL_WORKER_RETRY_BASE_SECONDS: z.coerce.number().positive().max(3600).default(30),
  CHARTBILL_HTTP_TIMEOUT_MS: z.coerce.number().int().positive().max(600_000).default(15_000),
  CHARTBILL_HTTP_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  CHARTBILL_HTTP_BACKOFF_MS: z.coerce.number().int().min(0).max(60_000).default(200),
  CHARTBILL_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  CHARTBILL_WORKER_PORT: z.coerce.number().int().min(0).max(65_535).default(4430),
  CHARTBILL_WORKER_RECHECK_MINUTES: z.coerce.number().positive().default(15),
  CHARTBILL_WORKER_POLL_MINUTES: z.coerce.number().positive().default(15),
  CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: z.coerce.number().min(0).default(60),
  CHARTBILL_WORKER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  // Encounters in flight; each has at most one request out at a time (to the EHR or the payer).
  CHARTBILL_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(16),
  CHARTBILL_AUDIT_STORE: auditStoreSetting,
  CHARTBILL_WORKER_HEAP_GROWTH_PERCENT: z.coerce.number().int().min(0).max(400).default(30),
  // Per payer operation, longer than the generic HTTP timeout: a clearinghouse may take 30 s or more.
  CHARTBILL_PAYER_ELIGIBILITY_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(60),
  CHARTBILL_PAYER_SUBMIT_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(120),
  CHARTBILL_PAYER_INQUIRE_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(60),
  CHARTBILL_WORKER_GAVE_UP_RETRY_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  // Kubernetes and systemd wait 30 s (terminationGracePeriodSeconds, TimeoutStopSec 90) before SIGKILL.
  CHARTBILL_WORKER_SHUTDOWN_SECONDS: z.coerce.number().min(0).max(3600).default(25),
});

const workerConfigSchema = workerEnvSchema.transform((env) => ({
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
    scope: env.CHARTBILL_BILLING_SCOPE,
  },
  payerBaseUrl: env.CHARTBILL_PAYER_BASE_URL,
  /** Payer ids the payer connection reaches; a Coverage whose payor has none is held. The sandbox payer by default. */
  payerIds: env.CHARTBILL_PAYER_IDS ?? SANDBOX_PAYER_IDS,
  /** Absent: discovered from the FHIR server's `.well-known/smart-configuration`. */
  tokenUrl: env.CHARTBILL_TOKEN_URL,
  clientId: env.CHARTBILL_CLIENT_ID,
  privateKeyFile: env.CHARTBILL_PRIVATE_KEY_FILE,
  /** The JWKS served at /.well-known/jwks.json; derived from the private key when absent. */
  jwksPublicFile: env.CHARTBILL_JWKS_PUBLIC_FILE,
  /** Least privilege: with a separate billing store, the clinical token only reads. */
  scope:
    env.CHARTBILL_WORKER_SCOPE ?? (separateBilling(env) ? CLINICAL_SCOPE : DEFAULT_WORKER_SCOPE),
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
  },
  logLevel: env.CHARTBILL_LOG_LEVEL,
  port: env.CHARTBILL_WORKER_PORT,
  /** How long a held item (no coverage, scrub errors, not coded) waits before it is checked again. */
  recheckMs: env.CHARTBILL_WORKER_RECHECK_MINUTES * 60_000,
  /** How long before the payer is asked again about a claim it answered `queued`. */
  pollMs: env.CHARTBILL_WORKER_POLL_MINUTES * 60_000,
  /** An eligibility answer for the same coverage (same version) and date of service is reused this long; 0 never. */
  eligibilityReuseMs: env.CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES * 60_000,
  /** Failed attempts after which an item is given up (and needs a person). */
  maxAttempts: env.CHARTBILL_WORKER_MAX_ATTEMPTS,
  /** Encounters in flight at once: a remote FHIR server's latency overlaps instead of adding up. */
  concurrency: env.CHARTBILL_WORKER_CONCURRENCY,
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
}));

function separateBilling(env: {
  CHARTBILL_FHIR_BASE_URL: string;
  CHARTBILL_BILLING_FHIR_BASE_URL?: string | undefined;
}): boolean {
  return (
    env.CHARTBILL_BILLING_FHIR_BASE_URL !== undefined &&
    env.CHARTBILL_BILLING_FHIR_BASE_URL !== env.CHARTBILL_FHIR_BASE_URL
  );
}

export type WorkerConfig = Readonly<z.infer<typeof workerConfigSchema>>;

/** Reads the worker's configuration from the environment, reporting every problem at once. */
export function loadWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  return parseConfig(workerConfigSchema, env, 'Worker');
}
