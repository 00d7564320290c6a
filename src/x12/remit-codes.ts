import { CARC_TEXT } from '../claims/carc-codes.ts';

/**
 * Words for the codes an 835 carries, in ChartBill's own plain language (the X12 code
 * descriptions are X12's copyright; these are paraphrases for billing staff).
 */

/** CLP02 claim status (835 TR3 loop 2100). */
export const CLAIM_STATUS_TEXT: Readonly<Record<string, string>> = {
  '1': 'processed as primary',
  '2': 'processed as secondary',
  '3': 'processed as tertiary',
  '4': 'denied',
  '19': 'processed as primary, forwarded to another payer',
  '20': 'processed as secondary, forwarded to another payer',
  '21': 'processed as tertiary, forwarded to another payer',
  '22': 'reversal of a previous payment',
  '23': 'not our claim, forwarded to another payer',
  '25': 'predetermination pricing only, no payment',
};

/** CAS01 group codes: who bears the adjustment. */
export const GROUP_TEXT: Readonly<Record<string, string>> = {
  CO: 'contractual obligation (the provider writes it off)',
  PR: 'patient responsibility (bill the patient)',
  OA: 'other adjustment',
  PI: 'payer initiated reduction',
  CR: 'correction or reversal',
};

/** BPR04 payment method. */
export const PAYMENT_METHOD_TEXT: Readonly<Record<string, string>> = {
  ACH: 'EFT (automated clearing house)',
  CHK: 'check',
  NON: 'no payment (remittance only)',
  FWT: 'wire transfer',
  BOP: "financial institution's option",
};

/** PLB03-1 provider adjustment reasons seen most. */
export const PLB_REASON_TEXT: Readonly<Record<string, string>> = {
  '50': 'late charge',
  '51': 'interest penalty charge',
  '72': 'authorized return',
  '90': 'early payment allowance',
  AH: 'origination fee',
  AM: 'applied to borrower’s account',
  AP: 'acceleration of benefits',
  B2: 'rebate',
  B3: 'recovery allowance',
  BD: 'bad debt adjustment',
  BN: 'bonus',
  C5: 'temporary allowance',
  CR: 'capitation interest',
  CS: 'adjustment',
  CT: 'capitation payment',
  CV: 'capital passthru',
  CW: 'certified registered nurse anesthetist passthru',
  DM: 'direct medical education passthru',
  E3: 'withholding',
  FB: 'forwarding balance (carried to a later remittance)',
  FC: 'fund allocation',
  GO: 'graduate medical education passthru',
  HM: 'hemophilia clotting factor supplement',
  IP: 'incentive premium payment',
  IR: 'internal revenue service withholding',
  IS: 'interim settlement',
  J1: 'nonreimbursable',
  L3: 'penalty',
  L6: 'interest owed',
  LE: 'levy',
  LS: 'lump sum',
  OA: 'organ acquisition passthru',
  OB: 'offset for affiliated providers',
  PI: 'periodic interim payment',
  PL: 'payment final',
  RA: 'retro-activity adjustment',
  RE: 'return on equity',
  SL: 'student loan repayment',
  TL: 'third party liability',
  WO: 'overpayment recovery',
  WU: 'unspecified recovery',
};

/** More CARCs than the payer adapter needs, for reading any payer's ERA. */
const MORE_CARC_TEXT: Readonly<Record<string, string>> = {
  '4': 'The modifier does not fit the procedure code, or one is missing.',
  '5': 'The procedure code or bill type does not fit the place of service.',
  '11': 'The diagnosis does not support the procedure.',
  '22': 'Another payer may be primary (coordination of benefits).',
  '23': 'Reduced by what prior payers paid or allowed.',
  '24': 'Covered by a capitation agreement or managed care plan.',
  '26': 'The service was before the coverage began.',
  '31': 'The payer cannot identify the patient as its member.',
  '59': 'Reduced under the multiple or concurrent procedure rules.',
  '94': 'Processed in excess of charges.',
  '119': 'The benefit maximum for this period has been reached.',
  '131': 'Claim-specific negotiated discount.',
  '151': 'The number of services is more than the payer allows.',
  '197': 'Precertification or authorization was missing.',
  '242': 'Services not provided by a network provider.',
  '253': 'Sequestration: the federal payment reduction.',
  A1: 'Claim or service denied.',
  A2: 'Contractual adjustment (the provider writes it off).',
  B7: 'The provider was not certified for this service on this date.',
};

/** Plain-language text of a CARC. */
export function reasonText(code: string): string {
  return CARC_TEXT[code] ?? MORE_CARC_TEXT[code] ?? `Adjustment reason code ${code}.`;
}
