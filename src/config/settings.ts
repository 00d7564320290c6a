import { z } from 'zod';
import { registeredEhrsSchema } from './registered-ehr.ts';
import {
  cronSetting,
  jsonSetting,
  logLevelSetting,
  numberSetting,
  payerIdsSetting,
  portSetting,
  sandboxEhrSetting,
  x12IdSetting,
  sessionStoreSetting,
  postgresUrlSetting,
  sqlNameSetting,
  textSetting,
  urlSetting,
} from './setting-types.ts';

/** Where a setting is listed in `chartbill start --help` and the README's settings table. */
export type SettingGroup = 'ehr' | 'app' | 'worker' | 'x12' | 'sandbox' | 'general';

export const SETTING_GROUPS: Record<SettingGroup, string> = {
  ehr: 'Connection to the EHR and the payer',
  app: 'The app',
  worker: 'The billing worker',
  sandbox: 'The sandbox',
  x12: 'Clearinghouses (X12): what an 837P needs that a FHIR Claim does not say',
  general: 'Everywhere',
};

/** One `CHARTBILL_*` variable: how its text is parsed, its default (as text) and one line of help. */
export interface Setting<T = unknown> {
  type: z.ZodType<T>;
  group: SettingGroup;
  help: string;
  /** The text used when the variable is unset; none: unset means "not configured". */
  default?: string;
  /** Read from the environment only, never from a config file (tokens, URLs with passwords). */
  secret?: boolean;
}

/** A setting with a default: its value is always there. */
function has<T>(
  type: z.ZodType<T>,
  group: SettingGroup,
  fallback: string,
  help: string,
): Setting<T> & { default: string } {
  return { type, group, help, default: fallback };
}

/** A setting without a default: absent unless set (required only where a mode needs it). */
function opt<T>(
  type: z.ZodType<T>,
  group: SettingGroup,
  help: string,
  secret?: 'secret',
): Setting<T> {
  return { type, group, help, ...(secret ? { secret: true } : {}) };
}

const minutes = numberSetting(z.number().positive());
/** A wait in hours, at most thirty days. */
const hoursUpToAMonth = numberSetting(
  z
    .number()
    .positive()
    .max(24 * 30),
);
const seconds = (max: number) => numberSetting(z.number().positive().max(max));
const count = (min: number, max?: number) =>
  numberSetting(max === undefined ? z.number().int().min(min) : z.number().int().min(min).max(max));

/**
 * Every `CHARTBILL_*` setting ChartBill reads, declared once (STYLE.md, "One source for each
 * fact"). Adding a setting is one entry here; `npm run docs:settings` rewrites the README table.
 * Names under `CHARTBILL_TEST_`, `CHARTBILL_BENCH_` and `CHARTBILL_CHAOS_` belong to the test
 * harness and are not settings.
 */
export const SETTINGS = {
  // The EHR and the payer (`chartbill start`, `chartbill app`, `chartbill worker`).
  CHARTBILL_EHRS: opt(
    jsonSetting(registeredEhrsSchema),
    'ehr',
    'the EHRs the app is registered with: a JSON array of {iss, clientId, clientAuth, clientSecretEnv, privateKeyFile, frameAncestors, name}',
  ),
  CHARTBILL_FHIR_BASE_URL: opt(
    urlSetting,
    'ehr',
    "the EHR's FHIR base URL the worker reads encounters from and writes claims to",
  ),
  CHARTBILL_TOKEN_URL: opt(
    urlSetting,
    'ehr',
    "the EHR's token endpoint for the worker; unset: read from the FHIR base's .well-known/smart-configuration",
  ),
  CHARTBILL_CLIENT_ID: opt(
    textSetting,
    'ehr',
    "the worker's backend client id, as registered with the EHR",
  ),
  CHARTBILL_PRIVATE_KEY_FILE: opt(
    textSetting,
    'ehr',
    "a JSON file holding the worker's private JWK (`chartbill keys --out FILE`)",
  ),
  CHARTBILL_WORKER_SCOPE: opt(
    textSetting,
    'ehr',
    'the scopes the worker asks the EHR for; unset: the clinical reads, the billing writes when the EHR keeps the claims, and AuditEvent create only when it keeps the AuditEvents, as `chartbill registration` lists',
  ),
  CHARTBILL_JWKS_PUBLIC_FILE: opt(
    textSetting,
    'ehr',
    "a JSON file holding the JWKS the worker serves; unset: the public half of the worker's key",
  ),
  CHARTBILL_JWKS_URL: opt(
    urlSetting,
    'ehr',
    "the public URL the EHR fetches the worker's JWKS from (its jwksUri); unset: the worker's own /.well-known/jwks.json",
  ),
  CHARTBILL_PAYER_BASE_URL: opt(
    urlSetting,
    'ehr',
    "the payer's (or clearinghouse's) FHIR endpoint for eligibility and claims",
  ),
  CHARTBILL_PAYER_IDS: opt(
    payerIdsSetting,
    'ehr',
    'the payers the payer endpoint reaches: `system|value` or `value`, comma-separated; unset: the sandbox payer',
  ),
  CHARTBILL_BILLING_FHIR_BASE_URL: opt(
    urlSetting,
    'ehr',
    'a separate FHIR server for Claims, ClaimResponses, eligibility and Tasks; unset: the EHR',
  ),
  CHARTBILL_BILLING_TOKEN_URL: opt(
    urlSetting,
    'ehr',
    "the billing store's token endpoint; unset: read from its .well-known/smart-configuration",
  ),
  CHARTBILL_BILLING_CLIENT_ID: opt(
    textSetting,
    'ehr',
    "the worker's client id at the billing store; unset: CHARTBILL_CLIENT_ID",
  ),
  CHARTBILL_BILLING_SCOPE: opt(
    textSetting,
    'ehr',
    'the scopes asked of the billing store; unset: the financial scopes `chartbill registration` lists',
  ),
  CHARTBILL_CODING_STORE: has(
    z.enum(['auto', 'ehr', 'billing']),
    'ehr',
    'auto',
    "where the clinician's coding (encounter-diagnosis Condition, ChargeItem) is written and read: auto (billing when CHARTBILL_BILLING_FHIR_BASE_URL is set and the EHR's CapabilityStatement lacks ChargeItem or Condition create/update, as Epic's and Oracle Health's do; else the EHR), ehr, or billing",
  ),
  CHARTBILL_APP_BILLING_CLIENT_ID: opt(
    textSetting,
    'app',
    "the app's backend client id at the billing FHIR server: it reads the worker's claims there, and keeps there the coding and its AuditEvents when the EHR cannot",
  ),
  CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE: opt(
    textSetting,
    'app',
    "the app's private JWK for the billing FHIR server (SMART Backend Services), with CHARTBILL_APP_BILLING_CLIENT_ID",
  ),

  CHARTBILL_BILLING_ROLES: opt(
    textSetting,
    'app',
    'billing workspace roles: `Practitioner/1=biller;Group/coders=coder;PractitionerRole/7=manager` (fhirUser, PractitionerRole or Group to coder, biller, manager); unset: nobody may open the workspace',
  ),
  CHARTBILL_BILLING_WRITE_OFF_LIMIT: has(
    numberSetting(z.number().min(0)),
    'app',
    '100',
    'dollars a biller may write off on one claim; above it only a manager',
  ),
  // The app.
  CHARTBILL_APP_HOST: has(textSetting, 'app', '127.0.0.1', 'the address the app listens on'),
  CHARTBILL_APP_PORT: has(
    portSetting,
    'app',
    '4400',
    'the port the app listens on (0: any free port)',
  ),
  CHARTBILL_APP_URL: opt(
    urlSetting,
    'app',
    'the URL browsers reach the app at (launch URI `<url>/launch`, redirect URI `<url>/callback`); unset: http://127.0.0.1:<port>',
  ),
  CHARTBILL_SESSION_MINUTES: has(
    count(5, 24 * 60),
    'app',
    '480',
    'a clinician session ends this long after sign-in',
  ),
  CHARTBILL_SESSION_IDLE_MINUTES: has(
    count(1, 24 * 60),
    'app',
    '30',
    'a session ends after this long without a request from the clinician',
  ),
  CHARTBILL_SESSION_STORE: has(
    sessionStoreSetting,
    'app',
    'memory',
    'where sessions and pending launches live: memory (one process), postgres://… or redis://… (several instances, restarts; README, Running several app instances)',
  ),
  CHARTBILL_SESSION_NAMESPACE: has(
    sqlNameSetting,
    'app',
    'chartbill',
    "the PostgreSQL schema or Redis key prefix of the app's sessions",
  ),
  CHARTBILL_SESSION_KEY: opt(
    textSetting,
    'app',
    'AES-256-GCM keys sealing tokens at rest: base64 of 32 bytes each, comma-separated, newest first (required unless the store is memory)',
    'secret',
  ),
  CHARTBILL_SESSION_KEY_FILE: opt(
    textSetting,
    'app',
    'a file holding the session keys instead, one per line, newest first',
  ),
  CHARTBILL_LAUNCH_RATE_PER_MINUTE: has(
    count(1),
    'app',
    '30',
    'launches (/launch, /standalone, /callback) one client address may start per minute',
  ),
  CHARTBILL_API_RATE_PER_MINUTE: has(
    count(1),
    'app',
    '600',
    'API calls one client address may make per minute',
  ),
  CHARTBILL_MAX_PENDING_LAUNCHES: has(
    count(1),
    'app',
    '5000',
    'sign-ins that may wait for their callback at once; more are refused with 503',
  ),
  CHARTBILL_DISCOVERY_CACHE_SECONDS: has(
    count(0, 24 * 3600),
    'app',
    '300',
    "how long an EHR's SMART configuration is reused before it is fetched again",
  ),

  // The billing worker.
  CHARTBILL_WORKER_SCHEDULE: has(
    cronSetting,
    'worker',
    '*/5 * * * * *',
    'when the worker ticks: a cron expression with seconds',
  ),
  CHARTBILL_WORKER_HOST: has(
    textSetting,
    'worker',
    '127.0.0.1',
    'the address the worker serves /healthz, /metrics and /.well-known/jwks.json on',
  ),
  CHARTBILL_WORKER_PORT: has(portSetting, 'worker', '4430', "the worker's health and JWKS port"),
  CHARTBILL_WORKER_NOTIFY_URL: opt(
    urlSetting,
    'worker',
    "the public URL of the worker's /fhir-notify, for FHIR Subscriptions where the EHR offers them; unset: polling only",
  ),
  CHARTBILL_WORKER_SUBSCRIPTION_CHECK_MINUTES: has(
    minutes,
    'worker',
    '60',
    'how often the worker checks its FHIR Subscriptions are still active (sooner when polling finds changes no notification announced), making them active again if the EHR turned them off or errored',
  ),
  CHARTBILL_LEDGER_PATH: has(
    textSetting,
    'worker',
    '.chartbill/ledger.json',
    "the worker's ledger file (one worker)",
  ),
  CHARTBILL_LEDGER_URL: opt(
    postgresUrlSetting,
    'worker',
    'a postgres:// URL: the ledger in PostgreSQL, shared by several workers (environment only: it may hold a password)',
    'secret',
  ),
  CHARTBILL_LEDGER_SCHEMA: has(
    sqlNameSetting,
    'worker',
    'chartbill',
    "the PostgreSQL schema of the ledger's tables",
  ),
  CHARTBILL_WORKER_ID: opt(
    z.string().max(200),
    'worker',
    "this worker's name on its leases; unset: host, pid and a random suffix",
  ),
  CHARTBILL_WORKER_LEASE_SECONDS: has(
    seconds(3600),
    'worker',
    '120',
    'how long an encounter stays claimed by a worker without renewal',
  ),
  CHARTBILL_WORKER_RETRY_BASE_SECONDS: has(
    seconds(3600),
    'worker',
    '30',
    'first wait before a failed encounter is tried again (doubling, at most an hour)',
  ),
  CHARTBILL_WORKER_MAX_ATTEMPTS: has(
    count(1, 100),
    'worker',
    '8',
    'failures in a row after which an encounter is given up (a Task says so)',
  ),
  CHARTBILL_WORKER_GAVE_UP_RETRY_HOURS: has(
    hoursUpToAMonth,
    'worker',
    '24',
    'a given-up encounter is tried again on its own after this long',
  ),
  CHARTBILL_WORKER_RECHECK_MINUTES: has(
    minutes,
    'worker',
    '15',
    'first wait before a held encounter (no coverage, scrub errors, not coded) is checked again; each further wait is four times longer',
  ),
  CHARTBILL_WORKER_RECHECK_MAX_HOURS: has(
    hoursUpToAMonth,
    'worker',
    '24',
    'the longest wait between two checks of a held encounter (each can cost an eligibility request)',
  ),
  CHARTBILL_ELIGIBILITY_AHEAD_DAYS: has(
    numberSetting(z.number().min(0).max(30)),
    'worker',
    '3',
    'eligibility is checked for booked appointments starting within this many days, and for arrived or in-progress visits (0: only after the visit)',
  ),
  CHARTBILL_WORKER_POLL_MINUTES: has(
    minutes,
    'worker',
    '15',
    'how long before the payer is asked again about a claim it answered `queued`',
  ),
  CHARTBILL_WORKER_APPEAL_POLL_HOURS: has(
    count(1, 720),
    'worker',
    '24',
    'how often the payer is asked about an appealed claim (status inquiry) until it decides or the appeal deadline passes',
  ),
  CHARTBILL_BILLING_NO_ANSWER_DAYS: has(
    count(1, 365),
    'worker',
    '30',
    'days after submission with no answer from the payer (an acknowledgment is not one) before the claim becomes a "no answer" work item',
  ),
  CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: has(
    numberSetting(z.number().min(0)),
    'worker',
    '60',
    "how long an eligibility answer is reused (0: never); a visit's own in-force answer from its booking or arrival stands for it while the Coverage is unchanged",
  ),
  CHARTBILL_PRACTICE_TIME_ZONE: has(
    z.string().refine(ianaTimeZone, 'an IANA time zone name, e.g. America/Chicago'),
    'general',
    'America/New_York',
    "the practice's IANA time zone: a date of service is the visit's date on the clinic's calendar",
  ),
  CHARTBILL_WORKER_CONCURRENCY: has(
    count(1, 64),
    'worker',
    '16',
    'the most encounters in flight at once: adaptive concurrency climbs from 1 up to it while the server keeps up',
  ),
  CHARTBILL_WORKER_LATENCY_TOLERANCE: has(
    numberSetting(z.number().min(1.5).max(100)),
    'worker',
    '4',
    "adaptive concurrency stops climbing once the server's latency is this many times its unloaded latency",
  ),
  CHARTBILL_WORKER_IDLE_MAX_SECONDS: has(
    numberSetting(z.number().min(0).max(3600)),
    'worker',
    '60',
    'while polls find nothing, the wait between them doubles up to this; 0 polls on every beat',
  ),
  CHARTBILL_WORKER_HEAP_GROWTH_PERCENT: has(
    count(0, 400),
    'worker',
    '30',
    "how far V8's heap may grow past the live set, in percent (0: V8's own choice)",
  ),
  CHARTBILL_WORKER_SHUTDOWN_SECONDS: has(
    numberSetting(z.number().min(0).max(3600)),
    'worker',
    '25',
    'after SIGTERM, how long the encounters in hand may take to finish',
  ),
  CHARTBILL_HTTP_TIMEOUT_MS: has(
    count(1, 600_000),
    'worker',
    '15000',
    'timeout of one request to a FHIR server',
  ),
  CHARTBILL_HTTP_ATTEMPTS: has(
    count(1, 20),
    'worker',
    '5',
    'tries of one request (timeouts, resets, 429 and 5xx are retried)',
  ),
  CHARTBILL_HTTP_BACKOFF_MS: has(
    count(0, 60_000),
    'worker',
    '200',
    'first backoff between tries (exponential, full jitter)',
  ),
  CHARTBILL_HTTP_CONFLICT_RETRIES: has(
    count(0, 20),
    'worker',
    '6',
    'immediate repeats of a conditional create the server refused with a serialization conflict (409/412)',
  ),
  CHARTBILL_HTTP_QUOTA_RETRIES: has(
    count(0, 20),
    'worker',
    '3',
    "waits for a quota (429) to reset before a request gives up; the wait is the server's or a minute",
  ),
  CHARTBILL_PAYER_ELIGIBILITY_TIMEOUT_SECONDS: has(
    seconds(600),
    'worker',
    '60',
    "how long the worker waits for the payer's eligibility answer",
  ),
  CHARTBILL_PAYER_SUBMIT_TIMEOUT_SECONDS: has(
    seconds(600),
    'worker',
    '120',
    "how long the worker waits for the payer's answer to a claim",
  ),
  CHARTBILL_PAYER_INQUIRE_TIMEOUT_SECONDS: has(
    seconds(600),
    'worker',
    '60',
    "how long the worker waits for the payer's answer to Claim/$inquire",
  ),

  // The sandbox (`chartbill sandbox`).
  CHARTBILL_HOST: has(
    textSetting,
    'sandbox',
    '127.0.0.1',
    'the address every sandbox part listens on',
  ),
  CHARTBILL_EHR_PORT: has(portSetting, 'sandbox', '4410', "the sandbox EHR's port"),
  CHARTBILL_PAYER_PORT: has(portSetting, 'sandbox', '4420', "the sandbox payer's port"),
  CHARTBILL_CLEARINGHOUSE_SFTP_PORT: has(
    portSetting,
    'sandbox',
    '4422',
    "the sandbox clearinghouse's SFTP port",
  ),
  CHARTBILL_CLEARINGHOUSE_CORE_PORT: has(
    portSetting,
    'sandbox',
    '4423',
    "the sandbox clearinghouse's CAQH CORE (real-time) port",
  ),
  CHARTBILL_SANDBOX_EHR: has(
    sandboxEhrSetting,
    'sandbox',
    'strict',
    'the kind of EHR the sandbox plays: strict, epic-like, oracle-like or medplum-like (README, Sandbox EHR profiles)',
  ),

  // Everywhere.
  CHARTBILL_LOG_LEVEL: has(
    logLevelSetting,
    'general',
    'info',
    'fatal, error, warn, info, debug, trace or silent (the sandbox: warn unless set)',
  ),
  CHARTBILL_DATA_DIR: has(
    textSetting,
    'general',
    '.chartbill',
    'where imported code sets, NCCI tables and the sandbox state are kept',
  ),
  CHARTBILL_AUDIT_STORE: has(
    z.enum(['auto', 'ehr', 'billing', 'log']),
    'general',
    'auto',
    "where AuditEvents go: auto (the billing FHIR server when the EHR's CapabilityStatement does not declare AuditEvent create), ehr, billing or log",
  ),
  CHARTBILL_AUDIT_TOKEN: opt(
    textSetting,
    'general',
    'a bearer token for `chartbill audit --fhir URL` (environment only)',
    'secret',
  ),
  CHARTBILL_AUDIT_BILLING_TOKEN: opt(
    textSetting,
    'general',
    'a bearer token for the billing store in `chartbill audit --billing-fhir URL` (environment only)',
    'secret',
  ),
  CHARTBILL_TIMELY_FILING: opt(
    textSetting,
    'general',
    'timely filing windows in days per payer, e.g. `payerA=90,default=365`; unset: 365',
  ),
  CHARTBILL_PAYER_EDIT_SETS: opt(
    textSetting,
    'general',
    'which edit set each payer gets, e.g. `payerA=medicare,payerB=medicaid,default=commercial`; unset: from the Coverage type (README, Payer edit sets)',
  ),
  CHARTBILL_PFS_DIR: opt(
    textSetting,
    'general',
    'a folder with CMS PFS RVU files (PPRRVU*.csv, GPCI*.csv) to use instead of the PFS ChartBill ships',
  ),
  CHARTBILL_PFS_LOCALITY: opt(
    textSetting,
    'general',
    "the practice's Medicare locality as MAC-locality (e.g. `10112-00`), for expected reimbursement",
  ),
  CHARTBILL_PAYER_FEE_SCHEDULES: opt(
    textSetting,
    'general',
    'a JSON file: payer id (or `default`) → fee schedule (a percentage of Medicare or a table), for expected reimbursement and underpayments',
  ),
  // Clearinghouses (X12 5010): configured once, never guessed per claim (src/x12/x12-config.ts).
  CHARTBILL_X12_SENDER_ID: opt(
    x12IdSetting(15),
    'x12',
    'ISA06/GS02: your submitter id at the clearinghouse',
  ),
  CHARTBILL_X12_SENDER_QUALIFIER: has(
    z.string().length(2),
    'x12',
    'ZZ',
    'ISA05: qualifier of the sender id (ZZ mutually defined, 30 federal tax id)',
  ),
  CHARTBILL_X12_RECEIVER_ID: opt(
    x12IdSetting(15),
    'x12',
    "ISA08/GS03 and 1000B NM109: the clearinghouse's id",
  ),
  CHARTBILL_X12_RECEIVER_QUALIFIER: has(
    z.string().length(2),
    'x12',
    'ZZ',
    'ISA07: qualifier of the receiver id',
  ),
  CHARTBILL_X12_RECEIVER_NAME: opt(
    x12IdSetting(60),
    'x12',
    '1000B NM103: the receiver (clearinghouse) name',
  ),
  CHARTBILL_X12_SUBMITTER_NAME: opt(
    x12IdSetting(60),
    'x12',
    '1000A NM103: the submitter (practice or billing service)',
  ),
  CHARTBILL_X12_SUBMITTER_CONTACT: opt(
    x12IdSetting(60),
    'x12',
    '1000A PER02: the person the clearinghouse calls',
  ),
  CHARTBILL_X12_SUBMITTER_PHONE: opt(
    z.string().regex(/^\d{10}$/, '10 digits'),
    'x12',
    '1000A PER04: contact phone, 10 digits',
  ),
  CHARTBILL_X12_BILLING_EIN: opt(
    z.string().regex(/^\d{9}$/, '9 digits, no dash'),
    'x12',
    "2010AA REF*EI: the billing provider's EIN, when its Organization has none",
  ),
  CHARTBILL_X12_BILLING_TAXONOMY: opt(
    z.string().regex(/^[0-9A-Z]{9}X$/, 'a 10-character NUCC taxonomy code'),
    'x12',
    "2000A PRV*BI: the billing provider's NUCC taxonomy code",
  ),
  CHARTBILL_X12_PAY_TO_ADDRESS: opt(
    z.string().regex(/^[^|]+\|[^|]+\|[A-Z]{2}\|\d{5}(\d{4})?$/, 'street|city|ST|zip'),
    'x12',
    '2010AB: pay-to address (street|city|ST|zip) when payments go elsewhere than the billing address',
  ),
  CHARTBILL_X12_FILING_INDICATOR: has(
    z.string().regex(/^[0-9A-Z]{2}$/, 'two letters or digits'),
    'x12',
    'CI',
    'SBR09 claim filing indicator (CI commercial, MB Medicare B, MC Medicaid, BL BCBS…)',
  ),
  CHARTBILL_X12_FILING_INDICATORS: opt(
    textSetting,
    'x12',
    'SBR09 per payer id: payerId=CODE,… (overrides the default)',
  ),
  CHARTBILL_X12_PROVIDER_SIGNATURE: has(
    z.enum(['Y', 'N']),
    'x12',
    'Y',
    'CLM06 provider signature on file',
  ),
  CHARTBILL_X12_ASSIGNMENT: has(
    z.enum(['A', 'B', 'C']),
    'x12',
    'A',
    'CLM07 assignment or plan participation (A assigned, B lab only, C not assigned)',
  ),
  CHARTBILL_X12_BENEFITS_ASSIGNMENT: has(
    z.enum(['Y', 'N', 'W']),
    'x12',
    'Y',
    'CLM08 benefits assignment certification (W not applicable)',
  ),
  CHARTBILL_X12_RELEASE_OF_INFORMATION: has(
    z.enum(['I', 'Y']),
    'x12',
    'Y',
    'CLM09 release of information (Y signed statement, I informed consent)',
  ),
  CHARTBILL_X12_USAGE: has(z.enum(['T', 'P']), 'x12', 'T', 'ISA15: T test, P production'),
  CHARTBILL_X12_ACK_REQUESTED: has(
    z.enum(['0', '1']),
    'x12',
    '0',
    'ISA14: 1 asks for a TA1 on every interchange',
  ),
  CHARTBILL_X12_PAYER_IDS: opt(
    payerIdsSetting,
    'x12',
    'Payer ids (Organization identifier) reached through the X12 clearinghouse; others use FHIR $submit',
  ),
  CHARTBILL_X12_DIRECTORY: opt(
    textSetting,
    'x12',
    'a local folder (outbound/, inbound/, archive/) exchanged with the clearinghouse, when files travel by other means than SFTP',
  ),
  CHARTBILL_X12_INBOUND_MINUTES: has(
    numberSetting(z.number().min(0)),
    'x12',
    '5',
    "how often the worker reads the clearinghouse's files (999, TA1, 277CA, 835); 0 on every tick",
  ),
  CHARTBILL_X12_STATUS_AFTER_HOURS: has(
    numberSetting(z.number().positive()),
    'x12',
    '72',
    'a claim sent as an 837P with no answer this long is asked about with a 276 (at most once per this wait)',
  ),
  CHARTBILL_X12_TA1_RETRY_MINUTES: has(
    numberSetting(z.number().min(0)),
    'x12',
    '60',
    'a claim whose file the clearinghouse rejects with a TA1 is sent again once after this wait; a second TA1 in a row holds the claims for an admin',
  ),
  // A clearinghouse connection (src/x12/clearinghouse-config.ts): SFTP for batch files, CAQH
  // CORE (HTTP MIME multipart) for real-time 270/276. Secrets come from files or the environment.
  CHARTBILL_X12_SFTP_HOST: opt(textSetting, 'x12', "the clearinghouse's SFTP host name"),
  CHARTBILL_X12_SFTP_PORT: has(portSetting, 'x12', '22', "the clearinghouse's SFTP port"),
  CHARTBILL_X12_SFTP_USER: opt(textSetting, 'x12', 'your SFTP user name at the clearinghouse'),
  CHARTBILL_X12_SFTP_PASSWORD: opt(
    textSetting,
    'x12',
    'the SFTP password (environment only; prefer CHARTBILL_X12_SFTP_PASSWORD_FILE or a key)',
    'secret',
  ),
  CHARTBILL_X12_SFTP_PASSWORD_FILE: opt(textSetting, 'x12', 'a file holding the SFTP password'),
  CHARTBILL_X12_SFTP_KEY_FILE: opt(
    textSetting,
    'x12',
    'a file holding the SFTP private key (OpenSSH or PEM), instead of a password',
  ),
  CHARTBILL_X12_SFTP_HOST_KEY: opt(
    z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'SHA256:<43 base64 characters>'),
    'x12',
    "the clearinghouse's SSH host key fingerprint, SHA256:… as `ssh-keygen -lf` prints it; any other host key is refused",
  ),
  CHARTBILL_X12_SFTP_OUTBOUND_DIR: has(
    textSetting,
    'x12',
    '/send',
    'the remote folder ChartBill puts 837P files in',
  ),
  CHARTBILL_X12_SFTP_PROCESSED_DIR: has(
    textSetting,
    'x12',
    '/send/processed',
    'the remote folder the clearinghouse moves taken-in files to (looked at before a file is sent again)',
  ),
  CHARTBILL_X12_SFTP_INBOUND_DIR: has(
    textSetting,
    'x12',
    '/receive',
    'the remote folder the clearinghouse leaves 999, TA1, 277CA and 835 files in',
  ),
  CHARTBILL_X12_SFTP_ARCHIVE_DIR: has(
    textSetting,
    'x12',
    '/receive/archive',
    'the remote folder ChartBill moves files it has read to',
  ),
  CHARTBILL_X12_TIMEOUT_SECONDS: has(
    seconds(600),
    'x12',
    '30',
    'a clearinghouse connection or request taking longer fails (retried later)',
  ),
  CHARTBILL_X12_CORE_URL: opt(
    urlSetting,
    'x12',
    "the clearinghouse's CAQH CORE real-time endpoint (HTTP MIME multipart) for 270/271 and 276/277",
  ),
  CHARTBILL_X12_CORE_USER: opt(textSetting, 'x12', 'the CORE endpoint user (HTTP Basic auth)'),
  CHARTBILL_X12_CORE_PASSWORD: opt(
    textSetting,
    'x12',
    'the CORE endpoint password (environment only; prefer CHARTBILL_X12_CORE_PASSWORD_FILE)',
    'secret',
  ),
  CHARTBILL_X12_CORE_PASSWORD_FILE: opt(
    textSetting,
    'x12',
    'a file holding the CORE endpoint password',
  ),
  CHARTBILL_X12_CORE_CERT_FILE: opt(
    textSetting,
    'x12',
    'a PEM client certificate for the CORE endpoint (X.509 auth instead of Basic)',
  ),
  CHARTBILL_X12_CORE_KEY_FILE: opt(
    textSetting,
    'x12',
    'the PEM private key of CHARTBILL_X12_CORE_CERT_FILE',
  ),
  CHARTBILL_X12_FHIR_TOKEN: opt(
    textSetting,
    'x12',
    'a bearer token for `chartbill x12 … --fhir URL` (environment only)',
    'secret',
  ),
} satisfies Record<`CHARTBILL_${string}`, Setting>;

export type SettingName = keyof typeof SETTINGS;

/** Prefixes the test harness owns (`npm run bench`, test helpers): not settings, never reported. */
export const HARNESS_PREFIXES = ['CHARTBILL_TEST_', 'CHARTBILL_BENCH_', 'CHARTBILL_CHAOS_'];

/** Whether this runtime knows `zone` as an IANA time zone (Intl throws a RangeError otherwise). */
function ianaTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
