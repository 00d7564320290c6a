import { z } from 'zod';
import { parseConfig } from '../config/parse-config.ts';

const id = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9 .\-]+$/, 'letters, digits, spaces, dots and dashes only');
const yesNo = z.enum(['Y', 'N']);

/**
 * Everything an 837P (and 270/276) needs that a FHIR Claim does not say, configured once per
 * clearinghouse, never guessed per claim. One setting each: name, type, default, one line of help
 * (the `describe` text); the README table lists them.
 */
export const x12Settings = z.object({
  CHARTBILL_X12_SENDER_ID: id(15).describe('ISA06/GS02: your submitter id at the clearinghouse'),
  CHARTBILL_X12_SENDER_QUALIFIER: z
    .string()
    .length(2)
    .default('ZZ')
    .describe('ISA05: qualifier of the sender id (ZZ mutually defined, 30 federal tax id)'),
  CHARTBILL_X12_RECEIVER_ID: id(15).describe("ISA08/GS03 and 1000B NM109: the clearinghouse's id"),
  CHARTBILL_X12_RECEIVER_QUALIFIER: z.string().length(2).default('ZZ').describe('ISA07'),
  CHARTBILL_X12_RECEIVER_NAME: id(60).describe('1000B NM103: the receiver (clearinghouse) name'),
  CHARTBILL_X12_SUBMITTER_NAME: id(60).describe(
    '1000A NM103: the submitter (practice or billing service)',
  ),
  CHARTBILL_X12_SUBMITTER_CONTACT: id(60).describe(
    '1000A PER02: the person the clearinghouse calls',
  ),
  CHARTBILL_X12_SUBMITTER_PHONE: z
    .string()
    .regex(/^\d{10}$/, '10 digits')
    .describe('1000A PER04: contact phone, 10 digits'),
  CHARTBILL_X12_BILLING_EIN: z
    .string()
    .regex(/^\d{9}$/, '9 digits, no dash')
    .optional()
    .describe("2010AA REF*EI: the billing provider's EIN, when its Organization has none"),
  CHARTBILL_X12_BILLING_TAXONOMY: z
    .string()
    .regex(/^[0-9A-Z]{9}X$/, 'a 10-character NUCC taxonomy code')
    .optional()
    .describe("2000A PRV*BI: the billing provider's NUCC taxonomy code"),
  CHARTBILL_X12_PAY_TO_ADDRESS: z
    .string()
    .regex(/^[^|]+\|[^|]+\|[A-Z]{2}\|\d{5}(\d{4})?$/, 'street|city|ST|zip')
    .optional()
    .describe('2010AB: pay-to address when payments go elsewhere than the billing address'),
  CHARTBILL_X12_FILING_INDICATOR: z
    .string()
    .regex(/^[0-9A-Z]{2}$/)
    .default('CI')
    .describe('SBR09 claim filing indicator (CI commercial, MB Medicare B, MC Medicaid, BL BCBS…)'),
  CHARTBILL_X12_FILING_INDICATORS: z
    .string()
    .default('')
    .describe('SBR09 per payer id: payerId=CODE,… (overrides the default)'),
  CHARTBILL_X12_PROVIDER_SIGNATURE: yesNo.default('Y').describe('CLM06 provider signature on file'),
  CHARTBILL_X12_ASSIGNMENT: z
    .enum(['A', 'B', 'C'])
    .default('A')
    .describe('CLM07 assignment or plan participation (A assigned, B lab only, C not assigned)'),
  CHARTBILL_X12_BENEFITS_ASSIGNMENT: z
    .enum(['Y', 'N', 'W'])
    .default('Y')
    .describe('CLM08 benefits assignment certification (W not applicable)'),
  CHARTBILL_X12_RELEASE_OF_INFORMATION: z
    .enum(['I', 'Y'])
    .default('Y')
    .describe('CLM09 release of information (Y signed statement, I informed consent)'),
  CHARTBILL_X12_USAGE: z.enum(['T', 'P']).default('T').describe('ISA15: T test, P production'),
  CHARTBILL_X12_ACK_REQUESTED: z
    .enum(['0', '1'])
    .default('0')
    .describe('ISA14: 1 asks for a TA1 on every interchange'),
});

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

/** Reads the CHARTBILL_X12_* settings (every problem reported at once). Pure: pass `process.env`. */
export function loadX12Config(env: Record<string, string | undefined>): X12Config {
  const s = parseConfig(x12Settings, env, 'X12 (CHARTBILL_X12_*)');
  const [line = '', city = '', state = '', postalCode = ''] =
    s.CHARTBILL_X12_PAY_TO_ADDRESS?.split('|') ?? [];
  const filingIndicators: Record<string, string> = {};
  for (const pair of s.CHARTBILL_X12_FILING_INDICATORS.split(',').filter(Boolean)) {
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
