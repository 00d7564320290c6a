import { parseArgs } from 'node:util';
import type { SettingValues } from '../src/config/read-settings.ts';
import { readRecordHomes, type RecordHomes } from '../src/fhir/record-homes.ts';
import { cliSettings } from './cli-settings.ts';
import { formatRegistrationSheet, registrationSheet } from './registration-sheet.ts';

const HELP = `Usage: chartbill registration [--json] [--config FILE]

Prints what to paste into the EHR's app registrations, from ChartBill's settings (the
environment over chartbill.config.json): the app's launch and redirect URIs and scopes, the
worker's client, scopes and JWKS URL, the SMART version and each audience. Settings it could not
fill in are listed at the end. --json prints the same as one JSON object.`;

/** `chartbill registration [--json]`. */
export async function registrationCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return (console.log(HELP), 0);
  const settings = await cliSettings(values.config);
  const sheet = registrationSheet(settings, await homesOf(settings));
  console.log(values.json ? JSON.stringify(sheet, null, 2) : formatRegistrationSheet(sheet));
  return 0;
}

/** Where records live, from the EHR's CapabilityStatement; undefined when it cannot be read. */
async function homesOf(settings: SettingValues): Promise<RecordHomes | undefined> {
  if (!settings.CHARTBILL_FHIR_BASE_URL) return undefined;
  return readRecordHomes(settings.CHARTBILL_FHIR_BASE_URL, {
    billingFhirBaseUrl: settings.CHARTBILL_BILLING_FHIR_BASE_URL,
    ledgerUrl: settings.CHARTBILL_LEDGER_URL,
    codingStore: settings.CHARTBILL_CODING_STORE,
    auditStore: settings.CHARTBILL_AUDIT_STORE,
    appBillingClient: Boolean(
      settings.CHARTBILL_BILLING_TOKEN_URL &&
      settings.CHARTBILL_APP_BILLING_CLIENT_ID &&
      settings.CHARTBILL_APP_BILLING_PRIVATE_KEY_FILE,
    ),
  }).catch(() => undefined);
}
