import { errorMessage } from '../../src/errors/error-message.ts';
import {
  CLAIM_WRITES,
  CODING_WRITES,
  missingInteractions,
  type RecordHomes,
} from '../../src/fhir/record-homes.ts';
import { readServerCapabilities } from '../../src/fhir/server-capabilities.ts';
import { fail, pass, type DoctorCheck } from './doctor-check.ts';

const AREA = 'Billing FHIR';

/**
 * The billing FHIR server (`CHARTBILL_BILLING_FHIR_BASE_URL`), when the coding, the claims or the
 * AuditEvents live there: its CapabilityStatement declares every interaction ChartBill needs on
 * what it holds.
 */
export async function billingFhirCheck(
  billingFhirBaseUrl: string | undefined,
  homes: RecordHomes | undefined,
  fetchFn: typeof fetch,
): Promise<DoctorCheck[]> {
  if (!billingFhirBaseUrl || !homes) return [];
  const needs = {
    ...(homes.coding === 'billing-fhir' ? CODING_WRITES : {}),
    ...(homes.claims === 'billing-fhir' ? CLAIM_WRITES : {}),
    ...(homes.audit === 'billing' || homes.appAudit === 'billing'
      ? { AuditEvent: ['create'] as const }
      : {}),
  };
  if (Object.keys(needs).length === 0) return [];
  try {
    const caps = await readServerCapabilities(billingFhirBaseUrl, { fetch: fetchFn });
    const missing = missingInteractions(caps, needs);
    return [
      missing.length === 0
        ? pass(
            AREA,
            'interactions',
            `${billingFhirBaseUrl} declares every interaction needed on ${Object.keys(needs).join(', ')}`,
          )
        : fail(
            AREA,
            'interactions',
            `${billingFhirBaseUrl} does not declare ${missing.join(', ')}`,
            'Point CHARTBILL_BILLING_FHIR_BASE_URL at a FHIR server that takes these writes.',
          ),
    ];
  } catch (err) {
    return [
      fail(
        AREA,
        'CapabilityStatement',
        `${billingFhirBaseUrl}: ${errorMessage(err)}`,
        'Check CHARTBILL_BILLING_FHIR_BASE_URL: the billing FHIR server must serve [base]/metadata.',
      ),
    ];
  }
}
