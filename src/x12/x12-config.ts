import { readSettings, type SettingsSource } from '../config/read-settings.ts';

/**
 * Everything an 837P (and 270/276) needs that a FHIR Claim does not say, configured once per
 * clearinghouse, never guessed per claim: the `CHARTBILL_X12_*` settings of the registry
 * (src/config/settings.ts), which gives each its type, default and help.
 */
export const X12_REQUIRED = [
  'CHARTBILL_X12_SENDER_ID',
  'CHARTBILL_X12_RECEIVER_ID',
  'CHARTBILL_X12_RECEIVER_NAME',
  'CHARTBILL_X12_SUBMITTER_NAME',
  'CHARTBILL_X12_SUBMITTER_CONTACT',
  'CHARTBILL_X12_SUBMITTER_PHONE',
] as const;

/** The parsed settings, renamed for the code that builds X12. */
export interface X12Config {
  senderId: string;
  senderQualifier: string;
  receiverId: string;
  receiverQualifier: string;
  receiverName: string;
  submitterName: string;
  submitterContact: string;
  submitterPhone: string;
  billingEin?: string;
  billingTaxonomy?: string;
  payTo?: { line: string; city: string; state: string; postalCode: string };
  filingIndicator: string;
  filingIndicators: Readonly<Record<string, string>>;
  providerSignature: 'Y' | 'N';
  assignment: 'A' | 'B' | 'C';
  benefitsAssignment: 'Y' | 'N' | 'W';
  releaseOfInformation: 'I' | 'Y';
  usage: 'T' | 'P';
  ackRequested: '0' | '1';
}

/** Reads the CHARTBILL_X12_* settings (every problem reported at once). Pure: pass the settings source. */
export function loadX12Config(env: SettingsSource): X12Config {
  const s = readSettings(env, { what: 'X12 (CHARTBILL_X12_*)', required: X12_REQUIRED });
  const [line = '', city = '', state = '', postalCode = ''] =
    s.CHARTBILL_X12_PAY_TO_ADDRESS?.split('|') ?? [];
  const filingIndicators: Record<string, string> = {};
  for (const pair of (s.CHARTBILL_X12_FILING_INDICATORS ?? '').split(',').filter(Boolean)) {
    const [payer = '', code = ''] = pair.split('=').map((p) => p.trim());
    if (payer && code) filingIndicators[payer] = code;
  }
  return Object.freeze({
    senderId: s.CHARTBILL_X12_SENDER_ID,
    senderQualifier: s.CHARTBILL_X12_SENDER_QUALIFIER,
    receiverId: s.CHARTBILL_X12_RECEIVER_ID,
    receiverQualifier: s.CHARTBILL_X12_RECEIVER_QUALIFIER,
    receiverName: s.CHARTBILL_X12_RECEIVER_NAME,
    submitterName: s.CHARTBILL_X12_SUBMITTER_NAME,
    submitterContact: s.CHARTBILL_X12_SUBMITTER_CONTACT,
    submitterPhone: s.CHARTBILL_X12_SUBMITTER_PHONE,
    ...(s.CHARTBILL_X12_BILLING_EIN ? { billingEin: s.CHARTBILL_X12_BILLING_EIN } : {}),
    ...(s.CHARTBILL_X12_BILLING_TAXONOMY
      ? { billingTaxonomy: s.CHARTBILL_X12_BILLING_TAXONOMY }
      : {}),
    ...(s.CHARTBILL_X12_PAY_TO_ADDRESS ? { payTo: { line, city, state, postalCode } } : {}),
    filingIndicator: s.CHARTBILL_X12_FILING_INDICATOR,
    filingIndicators,
    providerSignature: s.CHARTBILL_X12_PROVIDER_SIGNATURE,
    assignment: s.CHARTBILL_X12_ASSIGNMENT,
    benefitsAssignment: s.CHARTBILL_X12_BENEFITS_ASSIGNMENT,
    releaseOfInformation: s.CHARTBILL_X12_RELEASE_OF_INFORMATION,
    usage: s.CHARTBILL_X12_USAGE,
    ackRequested: s.CHARTBILL_X12_ACK_REQUESTED,
  });
}
