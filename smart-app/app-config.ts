import type { AuditStore } from '../src/audit/audit-store.ts';
import { readSettings, type SettingsSource } from '../src/config/read-settings.ts';
import type { RegisteredEhr } from '../src/config/registered-ehr.ts';
import { AppError } from '../src/errors/app-error.ts';
import type { SessionStoreSettings } from './session/open-session-store.ts';

export type { RegisteredEhr } from '../src/config/registered-ehr.ts';

/** Settings the app cannot run without (`chartbill start` and `chartbill app` list those missing). */
export const APP_REQUIRED = ['CHARTBILL_EHRS'] as const;

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
  /** Where the app's AuditEvents go (`billing` means the EHR here: the app has no billing store). */
  auditStore?: AuditStore;
  /** Where sessions and pending launches live (README, "Running several app instances"). */
  sessionStore?: SessionStoreSettings;
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
  return Object.freeze({
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
    sessionStore: {
      store: parsed.CHARTBILL_SESSION_STORE,
      namespace: parsed.CHARTBILL_SESSION_NAMESPACE,
      key: parsed.CHARTBILL_SESSION_KEY,
      keyFile: parsed.CHARTBILL_SESSION_KEY_FILE,
    },
  });
}
