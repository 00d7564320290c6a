import type { AuditStoreSetting } from '../../src/audit/audit-store.ts';
import type { CodingStoreSetting } from '../../src/fhir/coding-store-choice.ts';
import type { RecordHomes } from '../../src/fhir/record-homes.ts';
import { backendCheck } from './backend-check.ts';
import { billingFhirCheck } from './billing-fhir-check.ts';
import { capabilityChecks } from './capability-checks.ts';
import type { DoctorCheck } from './doctor-check.ts';
import { billingStoreCheck, clockCheck, payerCheck, tlsCheck } from './environment-checks.ts';
import { smartChecks } from './smart-checks.ts';
import {
  auditStoreBeforeCapabilities,
  workerEhrScope,
} from '../../worker/runtime/worker-config.ts';

/** What `chartbill doctor` checks, from the environment and `--iss`. */
export interface DoctorInput {
  iss: string;
  clientId: string | undefined;
  privateKeyFile: string | undefined;
  tokenUrl: string | undefined;
  /**
   * `CHARTBILL_WORKER_SCOPE`: asked as it is; unset, the scopes the worker asks (`workerEhrScope`,
   * AuditEvent create only where the CapabilityStatement puts its AuditEvents).
   */
  workerScope?: string | undefined;
  payerBaseUrl: string | undefined;
  billingFhirBaseUrl: string | undefined;
  /** `CHARTBILL_CODING_STORE`: where the app writes and the worker reads the coding. */
  codingStore?: CodingStoreSetting | undefined;
  /** `CHARTBILL_AUDIT_STORE`: where the worker's and the app's AuditEvents go. */
  auditStore?: AuditStoreSetting | undefined;
  /** The app has its client at the billing FHIR server (`CHARTBILL_APP_BILLING_CLIENT_ID` and key). */
  appBillingClient?: boolean | undefined;
  ledgerUrl: string | undefined;
  ledgerPath: string;
  /** `CHARTBILL_WORKER_NOTIFY_URL`: where the EHR's Subscription notifications go. */
  notifyUrl?: string | undefined;
}

export interface DoctorReport {
  iss: string;
  checks: DoctorCheck[];
  /** Which store holds the coding and the claims; undefined when the CapabilityStatement could not be read. */
  homes: RecordHomes | undefined;
}

/**
 * Every check, in the order an admin fixes them: SMART discovery, the CapabilityStatement, the
 * worker's Backend Services token, clock, TLS, the billing store, the payer. Each check runs
 * even when an earlier one failed, so one run lists everything to fix.
 */
export async function runDoctor(
  input: DoctorInput,
  deps: { fetch?: typeof fetch; now?: () => Date } = {},
): Promise<DoctorReport> {
  const fetchFn = deps.fetch ?? fetch;
  const now = deps.now ?? (() => new Date());
  const smart = await smartChecks(input.iss, fetchFn);
  const fhir = await capabilityChecks(
    input.iss,
    {
      billingFhirBaseUrl: input.billingFhirBaseUrl,
      ledgerUrl: input.ledgerUrl,
      codingStore: input.codingStore,
      auditStore: input.auditStore,
      appBillingClient: input.appBillingClient,
      notifyUrl: input.notifyUrl,
    },
    fetchFn,
  );
  const backend = await backendCheck(
    {
      clientId: input.clientId,
      privateKeyFile: input.privateKeyFile,
      tokenUrl: input.tokenUrl,
      scope:
        input.workerScope ??
        workerEhrScope({
          separateBilling:
            input.billingFhirBaseUrl !== undefined && input.billingFhirBaseUrl !== input.iss,
          audit: fhir.homes?.audit ?? auditStoreBeforeCapabilities(input.auditStore ?? 'auto'),
          notify: Boolean(input.notifyUrl),
        }),
    },
    smart.config,
    fetchFn,
  );
  const checks = [
    ...smart.checks,
    ...fhir.checks,
    ...(await billingFhirCheck(input.billingFhirBaseUrl, fhir.homes, fetchFn)),
    ...backend,
    clockCheck(fhir.date, now()),
    tlsCheck(input.iss),
    await billingStoreCheck({ ledgerUrl: input.ledgerUrl, ledgerPath: input.ledgerPath }),
    await payerCheck(input.payerBaseUrl, fetchFn),
  ];
  return { iss: input.iss, checks, homes: fhir.homes };
}

/** The report as a table: one line per check, its remedy under it. */
export function formatDoctorReport(report: DoctorReport): string {
  const mark = { pass: 'pass', warn: 'WARN', fail: 'FAIL' } as const;
  const width = Math.max(...report.checks.map((c) => `${c.area}: ${c.name}`.length));
  const lines = [`chartbill doctor: ${report.iss}`, ''];
  for (const c of report.checks) {
    lines.push(`${mark[c.status]}  ${`${c.area}: ${c.name}`.padEnd(width)}  ${c.detail}`);
    if (c.remedy) lines.push(`${' '.repeat(width + 8)}→ ${c.remedy}`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  lines.push(
    '',
    failed === 0
      ? `ChartBill can run against this EHR (${warned} warning${warned === 1 ? '' : 's'}).`
      : `ChartBill cannot run yet: ${failed} check${failed === 1 ? '' : 's'} failed.`,
  );
  return lines.join('\n');
}
