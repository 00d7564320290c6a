import { supports, type ServerCapabilities } from '../fhir/server-capabilities.ts';

/**
 * `CHARTBILL_AUDIT_STORE`: where AuditEvents are kept, the worker's and the app's alike. `auto`
 * (default): the billing FHIR server when one is set and the EHR's CapabilityStatement does not
 * declare AuditEvent create (Epic and Oracle Health take no AuditEvent writes from apps), the EHR
 * otherwise; `ehr`: the clinical FHIR server; `billing`: the billing FHIR server. The app sends to
 * the billing server with its own backend client there (`CHARTBILL_APP_BILLING_CLIENT_ID`; without
 * one, `auto` keeps them in the EHR with the user's token); to the EHR with the user's token.
 * `log`: the process log only. Whichever is chosen, events a server refuses go to the log.
 */
export type AuditStoreSetting = 'auto' | 'ehr' | 'billing' | 'log';

/** Where the AuditEvents go once `auto` is decided. */
export type AuditStore = Exclude<AuditStoreSetting, 'auto'>;

/** Where the AuditEvents go, and one line saying why (for the log, `doctor`, the registration sheet). */
export interface AuditStoreChoice {
  store: AuditStore;
  reason: string;
}

/**
 * Where the worker's AuditEvents go: an explicit setting wins; `auto` reads the EHR's declared
 * capabilities (the reader `chooseCodingStore` uses) and picks the billing FHIR server when one
 * is set and the EHR does not declare AuditEvent create, so they go in batches to a server that
 * keeps them instead of one refused (or unbatched) request per event.
 */
export function chooseAuditStore(
  caps: ServerCapabilities,
  config: { setting: AuditStoreSetting; billingFhirBaseUrl?: string | undefined },
): AuditStoreChoice {
  const { declared, why } = declaredAuditCreate(caps);
  if (config.setting !== 'auto')
    return {
      store: config.setting,
      reason: `AuditEvents: ${placeOf(config.setting)} — CHARTBILL_AUDIT_STORE=${config.setting} (${why})`,
    };
  if (declared) return { store: 'ehr', reason: `AuditEvents: the EHR — ${why}` };
  if (!config.billingFhirBaseUrl)
    return {
      store: 'ehr',
      reason: `AuditEvents: the EHR — ${why}, but no billing FHIR server is set (CHARTBILL_BILLING_FHIR_BASE_URL); those it refuses go to the log`,
    };
  return {
    store: 'billing',
    reason: `AuditEvents: billing FHIR server ${config.billingFhirBaseUrl} — ${why}`,
  };
}

function placeOf(store: AuditStore): string {
  return store === 'ehr' ? 'the EHR' : store === 'billing' ? 'billing FHIR server' : 'the log';
}

/** Whether the EHR declares AuditEvent create, and that said in words. */
function declaredAuditCreate(caps: ServerCapabilities): { declared: boolean; why: string } {
  const declared = supports(caps, 'AuditEvent', 'create');
  return {
    declared,
    why: caps.unknown
      ? "the EHR's CapabilityStatement could not be read"
      : `the EHR's CapabilityStatement ${declared ? 'declares' : 'does not declare'} AuditEvent create`,
  };
}

/**
 * Where the app's AuditEvents go: `chooseAuditStore`'s choice, the billing FHIR server only when
 * the app has its own backend client there (`CHARTBILL_APP_BILLING_CLIENT_ID`: the user's token
 * reaches only the EHR). The app (coding-store.ts), `doctor` and the registration sheet call it.
 */
export function chooseAppAuditStore(
  caps: ServerCapabilities,
  config: {
    setting: AuditStoreSetting;
    billingFhirBaseUrl?: string | undefined;
    /** The app has its credentials at the billing FHIR server. */
    appClient: boolean;
  },
): AuditStoreChoice {
  const { declared, why } = declaredAuditCreate(caps);
  const app = (choice: AuditStoreChoice): AuditStoreChoice => ({
    ...choice,
    reason: choice.reason.replace(/^AuditEvents: /, "The app's AuditEvents: "),
  });
  if (config.setting !== 'auto' || declared || !config.billingFhirBaseUrl)
    return app(chooseAuditStore(caps, config));
  if (!config.appClient)
    return {
      store: 'ehr',
      reason: `The app's AuditEvents: the EHR — ${why}, but the app has no client at the billing FHIR server (CHARTBILL_APP_BILLING_CLIENT_ID, CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE); those the EHR refuses go to the log`,
    };
  return app(chooseAuditStore(caps, config));
}
