import type { Claim, ClaimItem, ClaimResponse } from 'fhir/r4';
import { roundCents, type FeeSchedule } from '../src/claims/fee-schedule.ts';
import type { EraAdjustment, EraClaim, EraPayment, EraServiceLine } from '../src/x12/era-types.ts';
import {
  isOfficeVisit,
  isPreventive,
  patientShare,
  priceLine,
  type CostSharing,
  type Denial,
} from './payer-server-rules.ts';

/** Where the 835 positions would be: the sandbox payer's remittance is made, not read. */
const MADE: EraClaim['at'] = { segment: 0, offset: 0 };

/**
 * The sandbox payer's adjudication of a claim in remittance terms (835 CLP/SVC/CAS), so the FHIR
 * `$submit` answer and an 835 come from the same facts through one mapping
 * (`eraClaimToClaimResponse`). Each line: CO-45 for the charge above the fee schedule, then the
 * patient's share as PR-1 deductible (what remains of the plan year's deductible), PR-3 copay on
 * the first office visit, PR-2 coinsurance on the rest; a denied line carries its CARC for the
 * whole charge. CLP02 is 4 when nothing is allowed (an adjudicated denial), else 1.
 */
export function remitOf(input: {
  claim: Claim;
  claimDenial: Denial | undefined;
  feeSchedule: FeeSchedule;
  sharing: CostSharing;
  /** Deductible the member already met this plan year, before this claim. */
  deductibleMet: number;
  patientControlNumber: string;
  payerClaimNumber: string;
  /** An appeal overturned the line denials: a service the rules deny is allowed at its charge. */
  overturned?: boolean;
  /** Why the payer refuses a line's service before pricing it (no prior authorization), if it does. */
  lineDenial?: (code: string) => Denial | undefined;
}): EraClaim {
  const state = {
    copayUsed: false,
    deductibleLeft: Math.max(0, (input.sharing.deductible ?? 0) - input.deductibleMet),
  };
  const lines = (input.claim.item ?? []).map((item) =>
    input.claimDenial
      ? deniedLine(item, input.claimDenial)
      : pricedLine(
          item,
          input.feeSchedule,
          input.sharing,
          state,
          input.overturned === true,
          input.lineDenial,
        ),
  );
  const all = lines.flatMap((l) => l.adjustments);
  const charge = roundCents(lines.reduce((s, l) => s + l.charge, 0));
  const paid = roundCents(lines.reduce((s, l) => s + l.paid, 0));
  const allowedAny = lines.some((l) => (l.allowed ?? 0) > 0);
  return {
    patientControlNumber: input.patientControlNumber,
    status: allowedAny ? '1' : '4',
    charge,
    paid,
    patientResponsibility: roundCents(
      all.filter((a) => a.group === 'PR').reduce((s, a) => s + a.amount, 0),
    ),
    filingIndicator: 'CI',
    payerClaimControlNumber: input.payerClaimNumber,
    patient: {},
    adjustments: [],
    remarks: input.claimDenial?.rarc ? [input.claimDenial.rarc] : [],
    lines,
    balanced: true,
    warnings: [],
    at: MADE,
  };
}

/** The payment of a sandbox remittance: an EFT whose trace is the payer's claim number. */
export function sandboxPayment(remit: EraClaim, date: string): EraPayment {
  return {
    transactionControl: '0001',
    handling: remit.paid > 0 ? 'I' : 'H',
    amount: remit.paid,
    creditDebit: 'C',
    method: remit.paid > 0 ? 'ACH' : 'NON',
    date,
    trace: `EFT${remit.payerClaimControlNumber}`,
    payerName: 'Sandbox Health Plan',
    payerId: 'SBXHP',
    warnings: [],
    at: MADE,
  };
}

function billedOf(item: ClaimItem): number {
  return item.net?.value ?? roundCents((item.unitPrice?.value ?? 0) * (item.quantity?.value ?? 1));
}

function base(item: ClaimItem): Omit<EraServiceLine, 'paid' | 'adjustments'> {
  const code = item.productOrService.coding?.[0]?.code ?? '';
  return {
    qualifier: 'HC',
    code,
    modifiers: (item.modifier ?? []).map((m) => m.coding?.[0]?.code ?? ''),
    charge: billedOf(item),
    units: item.quantity?.value ?? 1,
    lineControlNumber: String(item.sequence),
    remarks: [],
  };
}

function deniedLine(item: ClaimItem, denial: Denial): EraServiceLine {
  const line = base(item);
  return {
    ...line,
    paid: 0,
    allowed: 0,
    adjustments: [{ group: denial.group, reason: denial.carc, amount: line.charge }],
    remarks: denial.rarc ? [denial.rarc] : [],
  };
}

function pricedLine(
  item: ClaimItem,
  schedule: FeeSchedule,
  sharing: CostSharing,
  state: { copayUsed: boolean; deductibleLeft: number },
  overturned: boolean,
  lineDenial?: (code: string) => Denial | undefined,
): EraServiceLine {
  const line = base(item);
  const refused = overturned ? undefined : lineDenial?.(line.code);
  if (refused) return deniedLine(item, refused);
  const priced = priceLine(line.code, line.units ?? 1, line.charge, schedule);
  if ('denial' in priced && !overturned) return deniedLine(item, priced.denial);
  const price = 'denial' in priced ? { allowed: line.charge } : priced;
  const adjustments: EraAdjustment[] = [];
  const writeOff = roundCents(line.charge - price.allowed);
  if (writeOff > 0) adjustments.push({ group: 'CO', reason: '45', amount: writeOff });
  const copayApplies = !state.copayUsed && isOfficeVisit(line.code) && sharing.officeCopay > 0;
  state.copayUsed ||= copayApplies;
  const share = patientShare(line.code, price.allowed, copayApplies, sharing);
  // The deductible comes first on a line without a copay; coinsurance applies to what is left.
  const deductible =
    !copayApplies && !isPreventive(line.code)
      ? roundCents(Math.min(state.deductibleLeft, price.allowed))
      : 0;
  state.deductibleLeft = roundCents(state.deductibleLeft - deductible);
  const coinsurance =
    deductible > 0
      ? roundCents(((price.allowed - deductible) * sharing.coinsurancePercent) / 100)
      : share.coinsurance;
  if (deductible > 0) adjustments.push({ group: 'PR', reason: '1', amount: deductible });
  if (share.copay > 0) adjustments.push({ group: 'PR', reason: '3', amount: share.copay });
  if (coinsurance > 0) adjustments.push({ group: 'PR', reason: '2', amount: coinsurance });
  const patient = roundCents(deductible + share.copay + coinsurance);
  return {
    ...line,
    allowed: price.allowed,
    paid: roundCents(price.allowed - patient),
    adjustments,
  };
}

/**
 * The payer's deductible accumulator: PR-1 already taken from the member's earlier claims in
 * the plan year (the calendar year of the date received), read off its own answers.
 */
export function deductibleMetOf(
  answers: Iterable<ClaimResponse>,
  patient: string | undefined,
  year: string,
): number {
  let met = 0;
  for (const answer of answers) {
    if (answer.patient.reference !== patient || !answer.created.startsWith(year)) continue;
    for (const adj of (answer.item ?? []).flatMap((i) => i.adjudication))
      if (
        adj.category.coding?.some((c) => c.code === 'PR') &&
        adj.reason?.coding?.some((c) => c.code === '1')
      )
        met += adj.amount?.value ?? 0;
  }
  return roundCents(met);
}
