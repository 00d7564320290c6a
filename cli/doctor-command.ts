import type { AuditStoreSetting } from '../src/audit/audit-store.ts';
import { parseArgs } from 'node:util';
import type { CodingStoreSetting } from '../src/fhir/coding-store-choice.ts';
import { settingsSource } from '../src/config/settings-source.ts';
import { canRun } from './doctor/doctor-check.ts';
import { formatDoctorReport, runDoctor, type DoctorInput } from './doctor/run-doctor.ts';

const HELP = `Usage: chartbill doctor [--iss URL] [--json]

Checks that ChartBill can run against an EHR and prints pass / warn / fail with the remedy for
each: SMART discovery, the CapabilityStatement (FHIR version, the interactions ChartBill needs,
_include/_revinclude, conditional create and update, batch, and which store holds the coding and
the claims), a SMART Backend Services token with the worker's key (granted against asked-for
scopes), the billing FHIR server's CapabilityStatement when the coding or the claims live there,
clock skew, TLS, the billing store and the payer endpoint.

  --iss URL   the EHR's FHIR base (default CHARTBILL_FHIR_BASE_URL)
  --json      the report as JSON

Uses CHARTBILL_CLIENT_ID, CHARTBILL_PRIVATE_KEY_FILE, CHARTBILL_TOKEN_URL, CHARTBILL_WORKER_SCOPE,
CHARTBILL_PAYER_BASE_URL, CHARTBILL_BILLING_FHIR_BASE_URL, CHARTBILL_CODING_STORE, CHARTBILL_LEDGER_URL and
CHARTBILL_LEDGER_PATH as the worker does. Exit 0 only when ChartBill can run (warnings allowed),
1 when a check failed, 2 on bad usage.`;

/** The doctor's input from the environment, the way the worker reads the same settings. */
export function doctorInputFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  iss: string,
): DoctorInput {
  const value = (name: string) => (env[name]?.trim() ? env[name].trim() : undefined);
  const billingFhirBaseUrl = value('CHARTBILL_BILLING_FHIR_BASE_URL');
  return {
    iss,
    clientId: value('CHARTBILL_CLIENT_ID'),
    privateKeyFile: value('CHARTBILL_PRIVATE_KEY_FILE'),
    tokenUrl: value('CHARTBILL_TOKEN_URL'),
    // Unset: as the worker asks (run-doctor.ts, once the CapabilityStatement says where the AuditEvents go).
    workerScope: value('CHARTBILL_WORKER_SCOPE'),
    notifyUrl: value('CHARTBILL_WORKER_NOTIFY_URL'),
    payerBaseUrl: value('CHARTBILL_PAYER_BASE_URL'),
    billingFhirBaseUrl,
    codingStore: codingStoreSetting(value('CHARTBILL_CODING_STORE')),
    auditStore: auditStoreSetting(value('CHARTBILL_AUDIT_STORE')),
    appBillingClient: Boolean(
      value('CHARTBILL_BILLING_TOKEN_URL') &&
      value('CHARTBILL_APP_BILLING_CLIENT_ID') &&
      value('CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE'),
    ),
    ledgerUrl: value('CHARTBILL_LEDGER_URL'),
    ledgerPath: value('CHARTBILL_LEDGER_PATH') ?? '.chartbill/ledger.json',
  };
}

/** `CHARTBILL_CODING_STORE` as the app and the worker read it: `auto` unless set to ehr or billing. */
function codingStoreSetting(value: string | undefined): CodingStoreSetting {
  return value === 'ehr' || value === 'billing' ? value : 'auto';
}

/** `CHARTBILL_AUDIT_STORE` as the worker reads it: `auto` unless set to ehr, billing or log. */
function auditStoreSetting(value: string | undefined): AuditStoreSetting {
  return value === 'ehr' || value === 'billing' || value === 'log' ? value : 'auto';
}

/** `chartbill doctor`: exit 0 only when ChartBill can run against the EHR. */
export async function doctorCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      iss: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const source = await settingsSource({ configFile: values.config });
  const iss = values.iss ?? source.CHARTBILL_FHIR_BASE_URL;
  if (!iss || !/^https?:\/\//.test(iss)) {
    console.error(
      "chartbill doctor: give the EHR's FHIR base as --iss https://… or CHARTBILL_FHIR_BASE_URL.",
    );
    return 2;
  }
  const report = await runDoctor(doctorInputFromEnv(source, iss));
  console.log(values.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report));
  return canRun(report.checks) ? 0 : 1;
}
