import type { AuditStore } from '../src/audit/audit-store.ts';
import { readSettings, type SettingsSource } from '../src/config/read-settings.ts';
import type { RegisteredEhr } from '../src/config/registered-ehr.ts';

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
}

/** The app's configuration from its environment; every problem is reported at once. */
export function loadAppConfig(env: SettingsSource): Readonly<AppConfig> {
  const parsed = readSettings(env, { what: 'ChartBill app', required: APP_REQUIRED });
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
  });
}
