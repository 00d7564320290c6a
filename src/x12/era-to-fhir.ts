import type {
  ClaimResponse,
  ClaimResponseItemAdjudication as Adjudication,
  ClaimResponseItem,
  CodeableConcept,
  Money,
  Reference,
} from 'fhir/r4';
import { SYSTEM } from '../fhir/systems.ts';
import type { EraAdjustment, EraClaim, EraPayment, EraServiceLine } from './era-types.ts';
import { CLAIM_STATUS_TEXT, GROUP_TEXT, reasonText } from './remit-codes.ts';
import { X12_SYSTEM } from './x12-systems.ts';

/** What the 835 does not say: which of ChartBill's claims a CLP answers. */
export interface EraClaimContext {
  /** The Claim this CLP answers (found by CLP01 = ChartBill's claim identifier); absent: unmatched. */
  claim?: { reference: Reference; patient: Reference; insurer?: Reference };
  /** When the ClaimResponse is written (ISO date-time). */
  created: string;
}

const usd = (value: number): Money => ({ value: Math.round(value * 100) / 100, currency: 'USD' });

/** An adjudication category from HL7's code system, or CARIN BB's where HL7 has none. */
function category(code: string): CodeableConcept {
  const hl7 = ['submitted', 'copay', 'eligible', 'deductible', 'benefit'].includes(code);
  return { coding: [{ system: hl7 ? SYSTEM.adjudication : X12_SYSTEM.carinAdjudication, code }] };
}

/**
 * One 835 CLP as a FHIR R4 ClaimResponse: outcome `complete` for every adjudicated claim (denials,
 * CLP02 4, and reversals, CLP02 22, included: FHIR's `error` is for claims that could not be
 * processed, i.e. a front-end rejection), the payer claim control number, per-line adjudication
 * (submitted, eligible, benefit, deductible, coinsurance, copay), one entry per CAS reason with
 * its amount and its group code as a coded element, RARCs as their own entries, patient
 * responsibility as the sum of every PR adjustment, claim-level adjustments, and the payment with
 * the EFT/check trace. Pure.
 */
export function eraClaimToClaimResponse(
  claim: EraClaim,
  payment: EraPayment,
  context: EraClaimContext,
): ClaimResponse {
  const lines = claim.lines.map((line, i) => lineItem(line, i + 1));
  const claimAdjustments = [
    ...claim.adjustments.map(adjustmentEntry),
    ...claim.remarks.map(remarkEntry),
  ];
  const patientOwes = [...claim.adjustments, ...claim.lines.flatMap((l) => l.adjustments)]
    .filter((a) => a.group === 'PR')
    .reduce((sum, a) => sum + a.amount, 0);
  const response: ClaimResponse = {
    resourceType: 'ClaimResponse',
    identifier: [
      { system: X12_SYSTEM.eraClaim, value: eraClaimKey(claim, payment) },
      { system: X12_SYSTEM.payerClaimNumber, value: claim.payerClaimControlNumber },
    ],
    status: 'active',
    type: { coding: [{ system: SYSTEM.claimType, code: 'professional' }] },
    use: 'claim',
    patient: context.claim?.patient ?? unmatchedPatient(claim),
    created: context.created,
    insurer: context.claim?.insurer ?? payerReference(payment),
    request: context.claim?.reference ?? {
      identifier: { system: SYSTEM.claimId, value: claim.patientControlNumber },
    },
    outcome: 'complete',
    disposition: disposition(claim),
    ...(lines.length > 0 ? { item: lines } : {}),
    ...(claimAdjustments.length > 0 ? { adjudication: claimAdjustments } : {}),
    total: [
      { category: category('submitted'), amount: usd(claim.charge) },
      { category: category('benefit'), amount: usd(claim.paid) },
      { category: category('memberliability'), amount: usd(patientOwes) },
    ],
    payment: {
      type: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/ex-paymenttype',
            code: claim.status === '22' ? 'partial' : 'complete',
          },
        ],
      },
      ...(payment.date ? { date: payment.date } : {}),
      amount: usd(claim.paid),
      identifier: { system: X12_SYSTEM.eftTrace, value: payment.trace },
    },
  };
  return response;
}

/**
 * Whether an answer is the payer's reversal of its earlier payment on the claim (835 CLP02 22, as
 * `eraClaimKey` records it): the claim was replaced (or voided), and its amounts are negated.
 */
export function isReversal(response: ClaimResponse): boolean {
  return (
    response.identifier?.some(
      (i) => i.system === X12_SYSTEM.eraClaim && i.value?.split('/')[2] === '22',
    ) ?? false
  );
}

/** trace/payer claim control number/CLP02/CLP01: one CLP of one payment; a reversal is its own. */
export function eraClaimKey(claim: EraClaim, payment: EraPayment): string {
  return [
    payment.trace,
    claim.payerClaimControlNumber,
    claim.status,
    claim.patientControlNumber,
  ].join('/');
}

function disposition(claim: EraClaim): string {
  const status = CLAIM_STATUS_TEXT[claim.status] ?? `claim status ${claim.status}`;
  const words = `Claim ${claim.patientControlNumber} ${status}: billed ${claim.charge.toFixed(2)}, paid ${claim.paid.toFixed(2)}.`;
  return claim.balanced
    ? words
    : `${words} The payer's amounts do not balance (CLP03 − adjustments ≠ CLP04).`;
}

function lineItem(line: EraServiceLine, position: number): ClaimResponseItem {
  const sequence = Number(line.lineControlNumber);
  const adjudication: Adjudication[] = [
    { category: category('submitted'), amount: usd(line.charge) },
  ];
  const contractual = line.adjustments
    .filter((a) => a.group === 'CO' || a.group === 'PI' || a.group === 'OA')
    .reduce((sum, a) => sum + a.amount, 0);
  // AMT*B6 is the allowed amount; without it, the charge less what the provider writes off.
  adjudication.push({
    category: category('eligible'),
    amount: usd(line.allowed ?? line.charge - contractual),
  });
  adjudication.push({ category: category('benefit'), amount: usd(line.paid) });
  const byReason = (reason: string) =>
    line.adjustments.filter((a) => a.group === 'PR' && a.reason === reason);
  for (const [reason, code] of [
    ['1', 'deductible'],
    ['2', 'coinsurance'],
    ['3', 'copay'],
  ] as const) {
    const found = byReason(reason);
    if (found.length > 0)
      adjudication.push({
        category: category(code),
        amount: usd(found.reduce((sum, a) => sum + a.amount, 0)),
      });
  }
  adjudication.push(...line.adjustments.map(adjustmentEntry), ...line.remarks.map(remarkEntry));
  return {
    // REF*6R carries the 837P line number ChartBill sent; else the order in the 835.
    itemSequence: Number.isInteger(sequence) && sequence > 0 ? sequence : position,
    adjudication,
  };
}

/** One CAS reason: category = its group code (coded), reason = the CARC, with its own amount. */
export function adjustmentEntry(a: EraAdjustment): Adjudication {
  return {
    category: {
      coding: [{ system: X12_SYSTEM.groupCode, code: a.group, display: GROUP_TEXT[a.group] }],
    },
    reason: {
      coding: [{ system: SYSTEM.carc, code: a.reason, display: reasonText(a.reason) }],
      text: `${a.group}-${a.reason}: ${reasonText(a.reason)}`,
    },
    amount: usd(a.amount),
    ...(a.quantity !== undefined ? { value: a.quantity } : {}),
  };
}

function remarkEntry(code: string): Adjudication {
  return {
    category: { coding: [{ system: X12_SYSTEM.chartbillAdjudication, code: 'remark' }] },
    reason: { coding: [{ system: SYSTEM.rarc, code }] },
  };
}

function unmatchedPatient(claim: EraClaim): Reference {
  const p = claim.patient;
  const name = [p.firstName, p.lastName].filter(Boolean).join(' ');
  return {
    ...(p.memberId ? { identifier: { system: SYSTEM.memberId, value: p.memberId } } : {}),
    display: name || 'patient not matched',
  };
}

/** The payer as the 835 names it (N1*PR), by payer id. */
export function payerReference(payment: EraPayment): Reference {
  return {
    ...(payment.payerId ? { identifier: { system: SYSTEM.payerId, value: payment.payerId } } : {}),
    display: payment.payerName ?? 'payer',
  };
}
