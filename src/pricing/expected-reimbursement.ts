/**
 * The expected allowed amount of each claim line under the payer's contract: the payer's fee
 * schedule (a table, or a percentage of the Medicare PFS in the practice's locality, see
 * payer-fee-schedule.ts) × units. The worker compares it with what the payer allowed and raises
 * an underpayment work item when the payer allowed less; the app shows it beside the amounts.
 * Pure and browser-safe.
 */
import type { Claim } from 'fhir/r4';
import { roundCents, SANDBOX_PAYER_FEE_SCHEDULE } from '../claims/fee-schedule.ts';
import { SYSTEM } from '../fhir/systems.ts';
import type { MedicareFeeSchedule } from './medicare-fee-schedule.ts';
import { payerAllowed, type PayerFeeSchedule } from './payer-fee-schedule.ts';

export interface ExpectedPricing {
  /** Payer id → its fee schedule; `default` for payers without their own. */
  schedules: Readonly<Record<string, PayerFeeSchedule>>;
  medicare?: MedicareFeeSchedule;
  /** The practice's Medicare locality (GPCI file: MAC and locality), for percent-of-Medicare. */
  mac?: string;
  locality?: string;
}

export interface ExpectedLine {
  sequence: number;
  /** Expected allowed amount for the line (all units); absent when it cannot be priced. */
  amount?: number;
  /** How it was priced (`120% of Medicare ($81.86)`), or why it could not be. */
  basis: string;
}

export interface ExpectedClaim {
  payerId: string;
  schedule: string;
  lines: ExpectedLine[];
  /** Sum of the priced lines. */
  total: number;
}

/** Stands in when no PFS is loaded: every percent-of-Medicare price says why it is missing. */
const NO_MEDICARE: MedicareFeeSchedule = {
  name: 'none',
  conversionFactor: 0,
  price: () => ({ ok: false, reason: 'no Medicare PFS loaded (CHARTBILL_PFS_DIR)' }),
  indicators: () => undefined,
  localities: () => [],
};

/** The sandbox plan's contract: its own table (fee-schedule.ts). */
export function sandboxExpectedPricing(): ExpectedPricing {
  const { name, prices } = SANDBOX_PAYER_FEE_SCHEDULE;
  return { schedules: { SBXHP: { kind: 'table', name, prices: { ...prices } } } };
}

/** The payer id a claim is sent to (its insurer's identifier). */
function payerIdOf(claim: Claim): string | undefined {
  return claim.insurer?.identifier?.value;
}

/** Expected allowed amounts for a claim, or undefined when no schedule applies to its payer. */
export function expectedForClaim(
  claim: Claim,
  pricing: ExpectedPricing,
): ExpectedClaim | undefined {
  const payerId = payerIdOf(claim) ?? 'default';
  const schedule = pricing.schedules[payerId] ?? pricing.schedules.default;
  if (!schedule) return undefined;
  const lines = (claim.item ?? []).map((item): ExpectedLine => {
    const coding = item.productOrService.coding?.find(
      (c) => c.system === SYSTEM.cpt || c.system === SYSTEM.hcpcs,
    );
    const units = item.quantity?.value ?? 1;
    const pos = item.locationCodeableConcept?.coding?.[0]?.code ?? '11';
    if (!coding?.code)
      return { sequence: item.sequence, basis: 'no CPT or HCPCS code on the line' };
    if (
      schedule.kind === 'percent-of-medicare' &&
      (!pricing.medicare || !pricing.mac || !pricing.locality)
    )
      return {
        sequence: item.sequence,
        basis: `${schedule.name} is a percentage of Medicare: set CHARTBILL_PFS_DIR and CHARTBILL_PFS_LOCALITY`,
      };
    const result = payerAllowed(
      schedule,
      {
        code: coding.code,
        modifiers: (item.modifier ?? []).flatMap((m) => m.coding?.[0]?.code ?? []),
        mac: pricing.mac ?? '',
        locality: pricing.locality ?? '',
        placeOfService: pos,
      },
      pricing.medicare ?? NO_MEDICARE,
    );
    return result.ok
      ? { sequence: item.sequence, amount: roundCents(result.amount * units), basis: result.basis }
      : { sequence: item.sequence, basis: result.reason };
  });
  const total = roundCents(lines.reduce((sum, l) => sum + (l.amount ?? 0), 0));
  return { payerId, schedule: schedule.name, lines, total };
}

export interface Underpayment {
  sequence: number;
  expected: number;
  allowed: number;
}

/**
 * Lines the payer allowed less than expected (by more than a cent). Lines the payer denied are
 * denials, not underpayments, and lines without an expected amount are skipped.
 */
export function underpaidLines(
  expected: ExpectedClaim,
  allowedBySequence: ReadonlyMap<number, number>,
  deniedSequences: ReadonlySet<number>,
): Underpayment[] {
  return expected.lines.flatMap((line): Underpayment[] => {
    const allowed = allowedBySequence.get(line.sequence);
    if (line.amount === undefined || allowed === undefined || deniedSequences.has(line.sequence))
      return [];
    return allowed + 0.01 < line.amount
      ? [{ sequence: line.sequence, expected: line.amount, allowed }]
      : [];
  });
}
