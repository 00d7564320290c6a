import type { AuditStoreSetting } from '../src/audit/audit-store.ts';
import { readSettings, type SettingsSource } from '../src/config/read-settings.ts';
import type { RegisteredEhr } from '../src/config/registered-ehr.ts';
import { AppError } from '../src/errors/app-error.ts';
import type { CodingStoreSetting } from '../src/fhir/coding-store-choice.ts';
import { parseRoleMap, type RoleMap } from '../src/billing-office/roles.ts';
import type { ReadModelLocation } from '../src/billing-office/open-read-model-store.ts';
import type { SessionStoreSettings } from './session/open-session-store.ts';

export type { RegisteredEhr } from '../src/config/registered-ehr.ts';

/** Settings the app cannot run without (`chartbill start` and `chartbill app` list those missing). */
export const APP_REQUIRED = ['CHARTBILL_EHRS'] as const;

/**
 * The billing FHIR server (`CHARTBILL_BILLING_FHIR_BASE_URL`) and the app's own backend client
 * there: where the worker keeps the claims (which the app reads back), the coding an EHR cannot
 * hold, and the app's AuditEvents when the EHR takes none (`CHARTBILL_AUDIT_STORE`).
 */
export interface BillingStoreSettings {
  fhirBaseUrl: string;
  tokenUrl: string;
  clientId: string;
  privateKeyFile: string;
  /** Credentials unset: reported, by name, when a request needs the billing store. */
  missing?: string[];
}

/** The billing FHIR server the app writes the coding to, for EHRs that cannot store it. */
export interface CodingStoreSettings extends BillingStoreSettings {
  /** `billing`: always there; `auto`: there when the EHR's CapabilityStatement says it cannot hold it. */
  setting: Exclude<CodingStoreSetting, 'ehr'>;
}

export interface AppConfig {
  host: string;
  port: number;
  publicUrl: string;
  ehrs: RegisteredEhr[];
  sessionMinutes: number;
  sessionIdleMinutes: number;
  launchRatePerMinute: number;
  apiRatePerMinute: number;
  maxPendingLaunches: number;
  discoveryCacheSeconds: number;
  logLevel: string;
  /** Imported code sets and NCCI tables (`chartbill codes import`, `chartbill ncci import`). */
  dataDir: string;
  /**
   * Where the app's AuditEvents go (`CHARTBILL_AUDIT_STORE`, as for the worker): `auto` the billing
   * store when the EHR does not declare AuditEvent create and the app has a client there
   * (`billingStore` without `missing`), `billing` there whenever it has one; else the EHR, with
   * the user's token; `log` the log only.
   */
  auditStore?: AuditStoreSetting;
  /**
   * Where the clinician's coding may be written (`CHARTBILL_CODING_STORE`): the billing FHIR
   * server with the app's own backend client (issue 13, item 4); unset: the EHR, with the user's token.
   */
  codingStore?: CodingStoreSettings;
  /** The billing FHIR server, whenever one is set: the app reads the worker's claims there. */
  billingStore?: BillingStoreSettings;
  /** Where sessions and pending launches live (README, "Running several app instances"). */
  sessionStore?: SessionStoreSettings;
  /** The billing workspace (issue 17): roles (`CHARTBILL_BILLING_ROLES`) and the write-off limit. */
  billing?: { roles: RoleMap; writeOffLimit: number; readModel?: ReadModelLocation };
}

/** The app's configuration from its environment; every problem is reported at once. */
export function loadAppConfig(env: SettingsSource): Readonly<AppConfig> {
  const parsed = readSettings(env, { what: 'ChartBill app', required: APP_REQUIRED });
  // A shared store keeps tokens at rest: it needs a key every instance has.
  if (
    parsed.CHARTBILL_SESSION_STORE !== 'memory' &&
    !parsed.CHARTBILL_SESSION_KEY &&
    !parsed.CHARTBILL_SESSION_KEY_FILE
  )
    throw new AppError(
      'CONFIG_INVALID',
      'ChartBill app configuration is invalid:\n  - CHARTBILL_SESSION_KEY: is required when CHARTBILL_SESSION_STORE is not memory (or set CHARTBILL_SESSION_KEY_FILE): the same key on every instance, e.g. from `openssl rand -base64 32`',
      { hint: 'Settings: `chartbill start --help` or the README, "Settings".' },
    );
  const codingStore = codingStoreOf(parsed);
  const billingStore = billingStoreOf(parsed);
  return Object.freeze({
    ...(codingStore ? { codingStore } : {}),
    ...(billingStore ? { billingStore } : {}),
    host: parsed.CHARTBILL_APP_HOST,
    port: parsed.CHARTBILL_APP_PORT,
    publicUrl: (
      parsed.CHARTBILL_APP_URL ?? `http://127.0.0.1:${parsed.CHARTBILL_APP_PORT}`
    ).replace(/\/+$/, ''),
    ehrs: parsed.CHARTBILL_EHRS,
    sessionMinutes: parsed.CHARTBILL_SESSION_MINUTES,
    sessionIdleMinutes: parsed.CHARTBILL_SESSION_IDLE_MINUTES,
    launchRatePerMinute: parsed.CHARTBILL_LAUNCH_RATE_PER_MINUTE,
    apiRatePerMinute: parsed.CHARTBILL_API_RATE_PER_MINUTE,
    maxPendingLaunches: parsed.CHARTBILL_MAX_PENDING_LAUNCHES,
    discoveryCacheSeconds: parsed.CHARTBILL_DISCOVERY_CACHE_SECONDS,
    logLevel: parsed.CHARTBILL_LOG_LEVEL,
    dataDir: parsed.CHARTBILL_DATA_DIR,
    auditStore: parsed.CHARTBILL_AUDIT_STORE,
    billing: {
      roles: parseRoleMap(parsed.CHARTBILL_BILLING_ROLES),
      writeOffLimit: parsed.CHARTBILL_BILLING_WRITE_OFF_LIMIT,
      // The read model is where the worker keeps it: beside its ledger.
      readModel: {
        url: parsed.CHARTBILL_LEDGER_URL,
        schema: parsed.CHARTBILL_LEDGER_SCHEMA,
        path: parsed.CHARTBILL_LEDGER_PATH,
      },
    },
    sessionStore: {
      store: parsed.CHARTBILL_SESSION_STORE,
      namespace: parsed.CHARTBILL_SESSION_NAMESPACE,
      key: parsed.CHARTBILL_SESSION_KEY,
      keyFile: parsed.CHARTBILL_SESSION_KEY_FILE,
    },
  });
}

/**
 * The billing FHIR server and the app's credentials there, whenever the server is set (the claims
 * are read there); those missing are listed, and refused now when `CHARTBILL_AUDIT_STORE=billing`
 * asks for the app's AuditEvents there.
 */
function billingStoreOf(parsed: {
  CHARTBILL_AUDIT_STORE: AuditStoreSetting;
  CHARTBILL_BILLING_FHIR_BASE_URL?: string | undefined;
  CHARTBILL_BILLING_TOKEN_URL?: string | undefined;
  CHARTBILL_APP_BILLING_CLIENT_ID?: string | undefined;
  CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE?: string | undefined;
}): BillingStoreSettings | undefined {
  const {
    CHARTBILL_BILLING_FHIR_BASE_URL: fhirBaseUrl,
    CHARTBILL_BILLING_TOKEN_URL: tokenUrl = '',
    CHARTBILL_APP_BILLING_CLIENT_ID: clientId = '',
    CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE: privateKeyFile = '',
  } = parsed;
  if (!fhirBaseUrl) return undefined;
  const missing = Object.entries({
    CHARTBILL_BILLING_TOKEN_URL: tokenUrl,
    CHARTBILL_APP_BILLING_CLIENT_ID: clientId,
    CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE: privateKeyFile,
  })
    .filter(([, v]) => !v)
    .map(([k]) => `  - ${k}: is required when the app uses the billing store`);
  if (missing.length === 0) return { fhirBaseUrl, tokenUrl, clientId, privateKeyFile };
  if (parsed.CHARTBILL_AUDIT_STORE === 'billing')
    throw new AppError(
      'CONFIG_INVALID',
      `ChartBill app configuration is invalid (CHARTBILL_AUDIT_STORE=billing: the app's AuditEvents go to the billing store):\n${missing.join('\n')}`,
      {
        hint: 'Register the app as a backend client at the billing store (`chartbill registration`), or set CHARTBILL_AUDIT_STORE to auto, ehr or log.',
      },
    );
  return { fhirBaseUrl, tokenUrl, clientId, privateKeyFile, missing };
}

/**
 * The billing store's URL and the app's credentials there, when the coding may live there:
 * `CHARTBILL_CODING_STORE=billing` (every credential required now), or `auto` with a billing
 * FHIR server set (the EHR's CapabilityStatement decides at the first session; a credential
 * missing then is reported then, by name). `ehr`, or `auto` without a billing server: undefined.
 */
function codingStoreOf(parsed: {
  CHARTBILL_CODING_STORE: CodingStoreSetting;
  CHARTBILL_BILLING_FHIR_BASE_URL?: string | undefined;
  CHARTBILL_BILLING_TOKEN_URL?: string | undefined;
  CHARTBILL_APP_BILLING_CLIENT_ID?: string | undefined;
  CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE?: string | undefined;
}): CodingStoreSettings | undefined {
  const setting = parsed.CHARTBILL_CODING_STORE;
  if (setting === 'ehr') return undefined;
  const {
    CHARTBILL_BILLING_FHIR_BASE_URL: fhirBaseUrl,
    CHARTBILL_BILLING_TOKEN_URL: tokenUrl,
    CHARTBILL_APP_BILLING_CLIENT_ID: clientId,
    CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE: privateKeyFile,
  } = parsed;
  if (setting === 'auto' && !fhirBaseUrl) return undefined;
  const missing = Object.entries({
    CHARTBILL_BILLING_FHIR_BASE_URL: fhirBaseUrl,
    CHARTBILL_BILLING_TOKEN_URL: tokenUrl,
    CHARTBILL_APP_BILLING_CLIENT_ID: clientId,
    CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE: privateKeyFile,
  })
    .filter(([, v]) => !v)
    .map(([k]) => `  - ${k}: is required when the coding is in the billing store`);
  if (fhirBaseUrl && tokenUrl && clientId && privateKeyFile)
    return { setting, fhirBaseUrl, tokenUrl, clientId, privateKeyFile };
  if (setting === 'auto' && fhirBaseUrl)
    return { setting, fhirBaseUrl, tokenUrl: '', clientId: '', privateKeyFile: '', missing };
  throw new AppError(
    'CONFIG_INVALID',
    `ChartBill app configuration is invalid:\n${missing.join('\n')}`,
    {
      hint: 'Register the app as a backend client at the billing store (`chartbill registration`), or set CHARTBILL_CODING_STORE=ehr.',
    },
  );
}
