import { z } from 'zod';
import { auditStoreSetting, type AuditStore } from '../src/audit/audit-store.ts';
import { parseConfig } from '../src/config/parse-config.ts';
import type { SessionStoreSettings } from './session/open-session-store.ts';
import { sessionSettings, superRefineSessionSettings } from './session/session-settings.ts';

/** One EHR the admin registered ChartBill with: only these `iss` values may launch the app. */
const registeredEhr = z
  .object({
    /** The EHR's FHIR base URL, exactly as it sends it in `iss`. */
    iss: z.url().transform((s) => s.replace(/\/+$/, '')),
    name: z.string().min(1).optional(),
    clientId: z.string().min(1),
    clientAuth: z.enum(['public', 'client_secret_basic', 'private_key_jwt']).default('public'),
    /** For client_secret_basic: the name of the environment variable holding the secret. */
    clientSecretEnv: z.string().optional(),
    /** For private_key_jwt: a file holding the private JWK (see `chartbill keys`). */
    privateKeyFile: z.string().optional(),
    /** Origins allowed to frame the app (CSP frame-ancestors); defaults to the origin of `iss`. */
    frameAncestors: z.array(z.url()).optional(),
  })
  .superRefine((ehr, ctx) => {
    if (ehr.clientAuth === 'client_secret_basic' && !ehr.clientSecretEnv)
      ctx.addIssue({
        code: 'custom',
        message: `${ehr.iss}: client_secret_basic needs clientSecretEnv`,
      });
    if (ehr.clientAuth === 'private_key_jwt' && !ehr.privateKeyFile)
      ctx.addIssue({ code: 'custom', message: `${ehr.iss}: private_key_jwt needs privateKeyFile` });
  });

export type RegisteredEhr = z.infer<typeof registeredEhr>;

const appEnv = z
  .object({
    CHARTBILL_APP_HOST: z.string().default('127.0.0.1'),
    CHARTBILL_APP_PORT: z.coerce.number().int().min(0).max(65535).default(4400),
    /** The URL the browser reaches the app at; the redirect URI is `${url}/callback`. */
    CHARTBILL_APP_URL: z.url().optional(),
    /** JSON array of registered EHRs (see README, "Registering ChartBill with your EHR"). */
    CHARTBILL_EHRS: z
      .string({ message: 'is required: a JSON array of the EHRs ChartBill is registered with' })
      .transform((s, ctx) => {
        try {
          return JSON.parse(s) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
          return z.NEVER;
        }
      })
      .pipe(z.array(registeredEhr).min(1, 'must list at least one EHR')),
    CHARTBILL_SESSION_MINUTES: z.coerce
      .number()
      .int()
      .min(5)
      .max(24 * 60)
      .default(480),
    /** A session with no request from the clinician for this long ends (the status tab's refresh does not count). */
    CHARTBILL_SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    /** Launches (/launch, /standalone, /callback) one client address may start per minute. */
    CHARTBILL_LAUNCH_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(30),
    /** API calls one client address may make per minute. */
    CHARTBILL_API_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    /** Sign-ins that may wait for their callback at once; more are refused with 503. */
    CHARTBILL_MAX_PENDING_LAUNCHES: z.coerce.number().int().min(1).default(5000),
    /** How long an EHR's SMART configuration is reused before it is fetched again. */
    CHARTBILL_DISCOVERY_CACHE_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(24 * 3600)
      .default(300),
    CHARTBILL_LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    CHARTBILL_AUDIT_STORE: auditStoreSetting,
    ...sessionSettings,
  })
  .superRefine(superRefineSessionSettings);

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
  /** Where the app's AuditEvents go (`billing` means the EHR here: the app has no billing store). */
  auditStore?: AuditStore;
  /** Where sessions and pending launches live (README, "Running several app instances"). */
  sessionStore?: SessionStoreSettings;
}

/** The app's configuration from its environment; every problem is reported at once. */
export function loadAppConfig(env: Record<string, string | undefined>): Readonly<AppConfig> {
  const parsed = parseConfig(appEnv, env, 'ChartBill app');
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
    auditStore: parsed.CHARTBILL_AUDIT_STORE,
    sessionStore: {
      store: parsed.CHARTBILL_SESSION_STORE,
      namespace: parsed.CHARTBILL_SESSION_NAMESPACE,
      key: parsed.CHARTBILL_SESSION_KEY,
      keyFile: parsed.CHARTBILL_SESSION_KEY_FILE,
    },
  });
}
