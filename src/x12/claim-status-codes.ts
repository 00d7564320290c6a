/**
 * Claim status category codes (STC01-1) and the claim status codes (STC01-2) seen most in 277CA
 * and 277 answers, in ChartBill's own words (X12 maintains the code lists; these paraphrase
 * them for billing staff). Other codes are shown by number.
 */

/** What a category means for the claim: where it stands. */
export type StatusStage =
  'acknowledged' | 'rejected' | 'pending' | 'finalized' | 'error' | 'request';

export const CATEGORY: Readonly<Record<string, { text: string; stage: StatusStage }>> = {
  A0: { text: 'acknowledged and forwarded to another entity', stage: 'acknowledged' },
  A1: { text: 'acknowledged: received', stage: 'acknowledged' },
  A2: { text: 'acknowledged: accepted into the adjudication system', stage: 'acknowledged' },
  A3: { text: 'returned as unprocessable', stage: 'rejected' },
  A4: { text: 'not found', stage: 'rejected' },
  A5: { text: 'acknowledged: split claim', stage: 'acknowledged' },
  A6: { text: 'rejected for missing information', stage: 'rejected' },
  A7: { text: 'rejected for invalid information', stage: 'rejected' },
  A8: { text: 'rejected for relational field in error', stage: 'rejected' },
  E0: { text: 'response not possible: error in the request', stage: 'error' },
  E1: { text: 'response not possible: system unavailable', stage: 'error' },
  E2: { text: 'information holder is not responding; resubmit later', stage: 'error' },
  E3: { text: 'correction required: relational fields in error', stage: 'error' },
  E4: { text: 'trading partner agreement requirement not met', stage: 'error' },
  F0: { text: 'finalized', stage: 'finalized' },
  F1: { text: 'finalized: paid', stage: 'finalized' },
  F2: { text: 'finalized: denied', stage: 'finalized' },
  F3: { text: 'finalized: revised', stage: 'finalized' },
  F3F: { text: 'finalized: forwarded to another payer', stage: 'finalized' },
  F3N: { text: 'finalized: not forwarded', stage: 'finalized' },
  F4: { text: 'finalized: adjudication complete, no payment forthcoming', stage: 'finalized' },
  F5: { text: 'finalized: cannot process', stage: 'finalized' },
  P0: { text: 'pending: adjudication or details', stage: 'pending' },
  P1: { text: 'pending: in process', stage: 'pending' },
  P2: { text: 'pending: payer review', stage: 'pending' },
  P3: { text: 'pending: information requested from the provider', stage: 'pending' },
  P4: { text: 'pending: information requested from the patient', stage: 'pending' },
  P5: { text: 'pending: payer administrative or system hold', stage: 'pending' },
  R0: { text: 'request for additional information: general', stage: 'request' },
  RQ: { text: 'general questions (the payer will say what it needs)', stage: 'request' },
};

export const STATUS: Readonly<Record<string, string>> = {
  '0': 'cannot provide further status electronically',
  '1': 'see the remittance advice (835) for details',
  '2': 'details will follow in a letter',
  '3': 'adjudicated, awaiting the payment cycle',
  '6': 'balance due from the subscriber',
  '15': 'one or more procedure codes were modified',
  '16': 'forwarded to another entity',
  '17': 'forwarded by a third party entity',
  '19': 'the entity acknowledges receipt of the claim',
  '20': 'accepted for processing',
  '21': 'missing or invalid information',
  '29': 'subscriber and policy number or contract number not found',
  '33': 'subscriber and subscriber id not found',
  '35': 'claim not found',
  '65': 'the claim or line has been paid',
  '97': 'patient eligibility not found with the entity',
  '107': 'processed according to contract provisions',
  '164': "the entity's contract or member number",
  '187': 'date(s) of service',
  '255': 'diagnosis code',
  '454': 'procedure code for the services rendered',
  '562': "the entity's National Provider Identifier (NPI)",
};

/** STC01-3 / STC entity identifier codes (who the status is about). */
export const ENTITY: Readonly<Record<string, string>> = {
  '40': 'receiver',
  '41': 'submitter',
  '77': 'service location',
  '82': 'rendering provider',
  '85': 'billing provider',
  '87': 'pay-to provider',
  AY: 'clearinghouse',
  IL: 'subscriber',
  PR: 'payer',
  QC: 'patient',
};

/** `A7:562:85` in words: "rejected for invalid information — the entity's NPI (billing provider)". */
export function statusWords(category: string, status: string, entity?: string): string {
  const c = CATEGORY[category]?.text ?? `category ${category}`;
  const s = STATUS[status] ?? `status code ${status}`;
  const e = entity ? ` (${ENTITY[entity] ?? `entity ${entity}`})` : '';
  return `${c}: ${s}${e}`;
}
