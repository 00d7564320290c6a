import {
  chooseAppAuditStore,
  chooseAuditStore,
  type AuditStore,
  type AuditStoreSetting,
} from '../audit/audit-store.ts';
import { chooseCodingStore, type CodingStoreSetting } from './coding-store-choice.ts';
import {
  readServerCapabilities,
  supports,
  type ServerCapabilities,
  type TypeInteraction,
} from './server-capabilities.ts';

/**
 * Where a kind of record lives: the EHR's FHIR server, a separate billing FHIR server
 * (`CHARTBILL_BILLING_FHIR_BASE_URL`), or ChartBill's own billing store (the worker ledger's
 * store: its file, or PostgreSQL when `CHARTBILL_LEDGER_URL` is set).
 */
export type RecordHome = 'ehr' | 'billing-fhir' | 'billing-store';

export interface RecordHomes {
  /** The clinician's coding: Condition (encounter-diagnosis) and ChargeItem. */
  coding: RecordHome;
  /** Claim, ClaimResponse, CoverageEligibilityRequest/Response and Task. */
  claims: RecordHome;
  /** Which billing store is configured, for the records it holds. */
  billingStore: 'file' | 'postgresql';
  /** Why each record is where it is, one line each, for `doctor` and the registration sheet. */
  reasons: string[];
  /** Why the coding is where it is, per type (`chooseCodingStore`). */
  codingReasons: string[];
  /** Where the worker's AuditEvents go (`chooseAuditStore`), and why: also the last of `reasons`. */
  audit: AuditStore;
  auditReason: string;
  /** They go to an EHR that does not declare AuditEvent create: it will likely refuse them (to the log). */
  auditRefused: boolean;
  /** Where the app's AuditEvents go (`chooseAppAuditStore`), and why: in `reasons` after the worker's. */
  appAudit: AuditStore;
  appAuditReason: string;
  /** The app's go to an EHR that does not declare AuditEvent create. */
  appAuditRefused: boolean;
}

/** The interactions ChartBill needs on each type it writes, by the part of the loop. */
export const CODING_WRITES: Readonly<Record<string, readonly TypeInteraction[]>> = {
  Condition: ['search-type', 'create', 'update'],
  ChargeItem: ['search-type', 'create', 'update'],
};

export const CLAIM_WRITES: Readonly<Record<string, readonly TypeInteraction[]>> = {
  Claim: ['read', 'search-type', 'create', 'update'],
  ClaimResponse: ['search-type', 'create', 'update'],
  CoverageEligibilityRequest: ['search-type', 'create'],
  CoverageEligibilityResponse: ['search-type', 'create'],
  Task: ['search-type', 'create', 'update'],
};

/** What the server lacks of `needs`, as `Type interaction` strings. */
export function missingInteractions(
  caps: ServerCapabilities,
  needs: Readonly<Record<string, readonly TypeInteraction[]>>,
): string[] {
  return Object.entries(needs).flatMap(([type, interactions]) =>
    interactions.filter((i) => !supports(caps, type, i)).map((i) => `${type} ${i}`),
  );
}

/**
 * What goes where the claims go: the worker's claims and payer answers, and the billing office's
 * work Tasks (the worker's denials and holds, the workspace's assignments and actions), so an
 * admin sees that a billing FHIR server also holds the work queue.
 */
const CLAIM_RECORDS =
  'claims, payer answers, payments and the work Tasks (Claim, ClaimResponse, CoverageEligibilityRequest/Response, PaymentReconciliation, Task)';

/** What `recordHomes` reads of the configuration (the worker's and the app's settings). */
export interface RecordHomesConfig {
  billingFhirBaseUrl?: string | undefined;
  ledgerUrl?: string | undefined;
  /** `CHARTBILL_CODING_STORE`: `auto` (the default) chooses from the CapabilityStatement. */
  codingStore?: CodingStoreSetting | undefined;
  /** `CHARTBILL_AUDIT_STORE`: `auto` (the default) chooses from the CapabilityStatement. */
  auditStore?: AuditStoreSetting | undefined;
  /** The app has its client at the billing FHIR server (`CHARTBILL_APP_BILLING_CLIENT_ID` and key). */
  appBillingClient?: boolean | undefined;
}

/**
 * Which store holds what, from the EHR's declared capabilities and the configuration: the coding
 * where `chooseCodingStore` puts it (the app and the worker call the same function), which is
 * 'billing-store' (nowhere fit) when that is the EHR and it lacks a Condition or ChargeItem
 * interaction ChartBill needs. The claims go to the billing FHIR server when one is configured,
 * else to the EHR when it declares the financial writes (neither Epic nor Oracle Health does),
 * else to the billing store. The worker's AuditEvents go where `chooseAuditStore` puts them, the
 * app's where `chooseAppAuditStore` does.
 * The registration sheet and `chartbill doctor` print this, one
 * reason a line.
 */
export function recordHomes(caps: ServerCapabilities, config: RecordHomesConfig): RecordHomes {
  const billingStore = config.ledgerUrl ? 'postgresql' : 'file';
  const reasons: string[] = [];
  const codingMissing = missingInteractions(caps, CODING_WRITES);
  const choice = chooseCodingStore(caps, {
    setting: config.codingStore ?? 'auto',
    billingFhirBaseUrl: config.billingFhirBaseUrl,
  });
  let coding: RecordHome;
  if (choice.store === 'billing' && config.billingFhirBaseUrl) {
    coding = 'billing-fhir';
    reasons.push(
      `coding (Condition, ChargeItem): on the billing FHIR server ${config.billingFhirBaseUrl}`,
    );
  } else if (codingMissing.length === 0) {
    coding = 'ehr';
    reasons.push(
      'coding (Condition, ChargeItem): in the EHR, which declares every interaction needed',
    );
  } else {
    coding = 'billing-store';
    reasons.push(
      `coding (Condition, ChargeItem): nowhere; the EHR does not declare ${codingMissing.join(', ')}, and no billing FHIR server (CHARTBILL_BILLING_FHIR_BASE_URL) is set`,
    );
  }
  const claimsMissing = missingInteractions(caps, CLAIM_WRITES);
  let claims: RecordHome;
  if (config.billingFhirBaseUrl) {
    claims = 'billing-fhir';
    reasons.push(`${CLAIM_RECORDS}: on the billing FHIR server ${config.billingFhirBaseUrl}`);
  } else if (claimsMissing.length === 0) {
    claims = 'ehr';
    reasons.push(`${CLAIM_RECORDS}: in the EHR, which declares the financial and Task writes`);
  } else {
    claims = 'billing-store';
    reasons.push(
      `${CLAIM_RECORDS}: in the billing store (${billingStore}); the EHR does not declare ${claimsMissing.join(', ')}`,
    );
  }
  const audit = chooseAuditStore(caps, {
    setting: config.auditStore ?? 'auto',
    billingFhirBaseUrl: config.billingFhirBaseUrl,
  });
  reasons.push(audit.reason);
  const appAudit = chooseAppAuditStore(caps, {
    setting: config.auditStore ?? 'auto',
    billingFhirBaseUrl: config.billingFhirBaseUrl,
    appClient: config.appBillingClient ?? false,
  });
  reasons.push(appAudit.reason);
  const refused = (store: AuditStore) => store === 'ehr' && !supports(caps, 'AuditEvent', 'create');
  return {
    coding,
    claims,
    billingStore,
    reasons,
    codingReasons: choice.reasons,
    audit: audit.store,
    auditReason: audit.reason,
    auditRefused: refused(audit.store),
    appAudit: appAudit.store,
    appAuditReason: appAudit.reason,
    appAuditRefused: refused(appAudit.store),
  };
}

/**
 * `recordHomes` for the EHR at `iss`, reading its CapabilityStatement: what the registration
 * sheet calls. Throws when the statement cannot be read (the sheet then says to run `doctor`).
 */
export async function readRecordHomes(
  iss: string,
  config: RecordHomesConfig,
  fetchFn?: typeof fetch,
): Promise<RecordHomes> {
  return recordHomes(await readServerCapabilities(iss, fetchFn ? { fetch: fetchFn } : {}), config);
}
