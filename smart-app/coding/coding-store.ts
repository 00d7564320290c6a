import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import { createBackendAuth } from '../../src/auth/backend-auth.ts';
import { capabilityAwareGateway } from '../../src/fhir/capability-aware-gateway.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { chooseCodingStore } from '../../src/fhir/coding-store-choice.ts';
import {
  createCapabilitiesSource,
  readServerCapabilities,
  UNKNOWN_CAPABILITIES,
  type ServerCapabilities,
} from '../../src/fhir/server-capabilities.ts';
import type { Logger } from '../../src/log/create-logger.ts';
import { AppError } from '../../src/errors/app-error.ts';
import {
  chooseAppAuditStore,
  type AuditStore,
  type AuditStoreSetting,
} from '../../src/audit/audit-store.ts';
import { BILLING_STORE_TYPES, CODING_TYPES } from '../../src/fhir/routed-gateway.ts';
import type { AppConfig, BillingStoreSettings } from '../app-config.ts';

/**
 * What the app may do on the billing store (SMART v2 scopes), no more: the coding; reading what
 * the worker wrote there (claims, answers, eligibility, payments); and the work Tasks, which live
 * beside the claims because neither Epic nor Oracle Health lets apps write Task (the billing
 * workspace assigns them and writes its void, appeal, write-off and statement Tasks; a clinician's
 * correction request is one too). Never a delete; who wrote each version (Provenance, AuditEvent),
 * and read back who wrote the claims and Tasks there (Provenance read and search: the claim page's
 * timeline names who submitted and who acted).
 */
export const APP_BILLING_SCOPE = [
  'system/Condition.crus',
  'system/ChargeItem.crus',
  'system/Claim.rs',
  'system/ClaimResponse.rs',
  'system/CoverageEligibilityResponse.rs',
  'system/PaymentReconciliation.rs',
  'system/Task.crus',
  'system/Provenance.crs',
  'system/AuditEvent.c',
].join(' ');

/**
 * The scopes the app asks the billing store for, and its registration there lists: APP_BILLING_SCOPE,
 * without AuditEvent create when `CHARTBILL_AUDIT_STORE` keeps the app's AuditEvents elsewhere
 * (`ehr`, `log`); `auto` may send them there (an EHR that declares no AuditEvent create).
 */
export function appBillingScope(auditStore: AuditStoreSetting): string {
  return auditStore === 'ehr' || auditStore === 'log'
    ? APP_BILLING_SCOPE.split(' ')
        .filter((s) => s !== 'system/AuditEvent.c')
        .join(' ')
    : APP_BILLING_SCOPE;
}

/**
 * The billing FHIR server's gateway for the coding, when the EHR cannot store it (Epic has no
 * ChargeItem endpoint for apps; Oracle Health does not update ChargeItem or Condition): the app
 * authorizes there as its own backend client (SMART Backend Services, `private_key_jwt`), while
 * the clinician's session stays the author of every write (Provenance, AuditEvent).
 */
export async function openCodingStore(
  settings: BillingStoreSettings,
  fetchFn: typeof fetch = fetch,
  auditStore: AuditStoreSetting = 'auto',
): Promise<FhirGateway> {
  let privateKey: JWK;
  try {
    privateKey = JSON.parse(await readFile(settings.privateKeyFile, 'utf8')) as JWK;
  } catch (err) {
    throw new AppError(
      'CONFIG_INVALID',
      `CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE: cannot read a private JWK from ${settings.privateKeyFile}`,
      { hint: 'Create one with `chartbill keys`.', cause: err },
    );
  }
  const auth = createBackendAuth({
    tokenUrl: settings.tokenUrl,
    clientId: settings.clientId,
    privateKey,
    scope: appBillingScope(auditStore),
    fetch: fetchFn,
  });
  return capabilityAwareGateway(
    createFhirGateway({
      baseUrl: settings.fhirBaseUrl,
      getToken: () => auth.getToken(),
      retry: { attempts: 3 },
    }),
    createCapabilitiesSource({ baseUrl: settings.fhirBaseUrl, fetch: fetchFn }),
  );
}

/** Where one EHR's sessions keep what the EHR cannot, or does not, hold. */
export interface SessionStores {
  /** The billing FHIR server's gateway (the app's backend client), when any of `types` live there. */
  billing?: FhirGateway;
  /** The types read and written on `billing`: the coding when the EHR cannot hold it, the claims. */
  types: readonly string[];
  /** Where the app's AuditEvents go (`chooseAppAuditStore`: the worker's choice, where the app has a client). */
  audit: AuditStore;
}

/** The stores of a session's EHR, by its `iss`. */
export type SessionStoresFor = (iss: string) => Promise<SessionStores>;

/**
 * Where the app keeps each EHR's records (issue 13, item 4), the same choices the worker makes:
 * - the coding as `CHARTBILL_CODING_STORE` says (`auto`: `chooseCodingStore` reads that EHR's
 *   CapabilityStatement, so the coding the app saves is where the worker reads it);
 * - the claims, payer answers, payments and work Tasks on the billing FHIR server whenever one is
 *   set apart from the EHR: the worker writes them there (BILLING_STORE_TYPES);
 * - the app's AuditEvents as `CHARTBILL_AUDIT_STORE` says (`auto`: `chooseAuditStore`), the
 *   billing store only when the app has a client there (the EHR, with the user's token, else).
 * Read at the first session of each EHR and kept; a statement that cannot be read fails a request
 * that needs it for the coding and is read again on the next.
 */
export function sessionStoresResolver(
  config: Pick<AppConfig, 'billingStore' | 'codingStore' | 'auditStore'>,
  fetchFn: typeof fetch,
  logger: Logger,
): SessionStoresFor {
  const settings = config.billingStore ?? config.codingStore;
  const auditSetting = config.auditStore ?? 'auto';
  if (!settings) {
    const audit = auditSetting === 'log' ? 'log' : 'ehr';
    return () => Promise.resolve({ types: [], audit });
  }
  let store: Promise<FhirGateway> | undefined;
  const open = () =>
    (store ??= openCodingStore(settings, fetchFn, auditSetting).catch((err: unknown) => {
      store = undefined;
      throw err;
    }));
  const missing = settings.missing ?? [];
  // The app reaches the billing store only when it holds a client there.
  const reachable = missing.length === 0;
  const capabilities = new Map<string, Promise<ServerCapabilities>>();
  const capabilitiesOf = (iss: string) => {
    let caps = capabilities.get(iss);
    if (!caps) {
      caps = readServerCapabilities(iss, { fetch: fetchFn });
      caps.catch(() => capabilities.delete(iss));
      capabilities.set(iss, caps);
    }
    return caps;
  };
  const codingIn = async (iss: string): Promise<'ehr' | 'billing'> => {
    const setting = config.codingStore?.setting ?? 'ehr';
    if (setting !== 'auto') return setting;
    const caps = await capabilitiesOf(iss).catch((err: unknown) => {
      throw new AppError(
        'FHIR_UNAVAILABLE',
        "The EHR's CapabilityStatement could not be read, so ChartBill cannot tell where the coding lives.",
        { hint: 'Try again; `chartbill doctor` checks the EHR.', cause: err },
      );
    });
    const made = chooseCodingStore(caps, {
      setting: 'auto',
      billingFhirBaseUrl: settings.fhirBaseUrl,
    });
    logger.info({ iss, codingStore: made.store, why: made.reasons }, 'where the coding lives');
    return made.store;
  };
  /** Choices made on a statement that could not be read: made again at the next session. */
  const provisional = new Set<string>();
  const auditIn = async (iss: string): Promise<AuditStore> => {
    if (auditSetting !== 'auto') return auditSetting;
    // A statement that cannot be read declares nothing, as the worker's choice reads it.
    const caps = await capabilitiesOf(iss).catch(() => {
      provisional.add(iss);
      return UNKNOWN_CAPABILITIES;
    });
    const made = chooseAppAuditStore(caps, {
      setting: 'auto',
      billingFhirBaseUrl: settings.fhirBaseUrl,
      appClient: reachable,
    });
    logger.info(
      { iss, auditStore: made.store, why: made.reason },
      "where the app's AuditEvents go",
    );
    return made.store;
  };
  const decided = new Map<string, Promise<{ coding: 'ehr' | 'billing'; audit: AuditStore }>>();
  const decide = (iss: string) => {
    let made = decided.get(iss);
    if (!made) {
      made = Promise.all([codingIn(iss), auditIn(iss)]).then(([coding, audit]) => ({
        coding,
        audit,
      }));
      decided.set(iss, made);
      made.then(
        () => {
          if (provisional.delete(iss)) decided.delete(iss);
        },
        () => decided.delete(iss),
      );
    }
    return made;
  };
  return async (iss) => {
    // The billing FHIR server is the EHR itself: everything stays there.
    if (sameBase(iss, settings.fhirBaseUrl))
      return { types: [], audit: auditSetting === 'log' ? 'log' : 'ehr' };
    const { coding, audit } = await decide(iss);
    const types = [...(coding === 'billing' ? CODING_TYPES : []), ...BILLING_STORE_TYPES];
    return { billing: reachable ? await open() : unreachable(settings, missing), types, audit };
  };
}

function sameBase(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}

/**
 * The billing store without the app's credentials: each request there fails naming what to set
 * (a chart session that never touches the claims or the coding there still works).
 */
function unreachable(settings: BillingStoreSettings, missing: string[]): FhirGateway {
  const refuse = (): never => {
    throw new AppError(
      'CONFIG_INVALID',
      `ChartBill app configuration is invalid: these records are in the billing store (${settings.fhirBaseUrl}), where the app has no client:\n${missing.join('\n')}`,
      {
        hint: 'Register the app as a backend client at the billing store (`chartbill registration`).',
      },
    );
  };
  return {
    baseUrl: settings.fhirBaseUrl,
    read: () => Promise.resolve().then(refuse),
    // eslint-disable-next-line @typescript-eslint/require-await -- refuses before the first page
    async *searchPages() {
      refuse();
    },
    searchAll: () => Promise.resolve().then(refuse),
    create: () => Promise.resolve().then(refuse),
    update: () => Promise.resolve().then(refuse),
    batch: () => Promise.resolve().then(refuse),
    operation: () => Promise.resolve().then(refuse),
  };
}
