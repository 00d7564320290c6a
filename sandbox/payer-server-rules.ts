import type { Claim, Coverage } from 'fhir/r4';
import type { CarcGroup } from '../src/claims/carc-codes.ts';
import { feeFor, roundCents, type FeeSchedule } from '../src/claims/fee-schedule.ts';
import { SYSTEM } from '../src/fhir/systems.ts';
import { X12_PAYER } from './seed-people.ts';

/**
 * The sandbox payer's adjudication rules, each a small pure function. They are deliberately few
 * and explicit: enough to show the denials billing staff meet most (eligibility, timely filing,
 * non-covered services) and how patient responsibility is split (copay, coinsurance).
 */

/** A reason the payer denies a claim or a line, as X12 CARC (+ optional RARC) with a note. */
export interface Denial {
  carc: string;
  group: CarcGroup;
  rarc?: string;
  note: string;
}

/** Whether a coverage is in force, and if not, why (in words for billing staff). */
export type InForce = { inforce: true } | { inforce: false; reason: string };

/**
 * Days the sandbox plan allows between the date of service and the claim's receipt: 90, as many
 * commercial contracts do, shorter than ChartBill's default window (365, Medicare's), so a claim
 * the practice did not configure the plan's window for is still sent, and denied CO-29.
 */
export const TIMELY_FILING_DAYS = 90;

/**
 * Is the coverage in force on the date of service? Status `active` and a period that includes
 * the date (FHIR Period: an absent end means ongoing). Dates compare as YYYY-MM-DD strings.
 */
export function coverageInForce(coverage: Coverage | undefined, dateOfService: string): InForce {
  if (!coverage) return { inforce: false, reason: 'The payer has no record of this coverage.' };
  if (coverage.status !== 'active')
    return { inforce: false, reason: `The coverage is ${coverage.status}, not active.` };
  const start = coverage.period?.start?.slice(0, 10);
  const end = coverage.period?.end?.slice(0, 10);
  if (start && dateOfService < start)
    return {
      inforce: false,
      reason: `The coverage starts ${start}, after the date of service ${dateOfService}.`,
    };
  if (end && dateOfService > end)
    return {
      inforce: false,
      reason: `The coverage ended ${end}, before the date of service ${dateOfService}.`,
    };
  return { inforce: true };
}

/** CARC 27 (CO): expenses incurred after coverage terminated, or before it began. */
export function coverageDenial(
  coverage: Coverage | undefined,
  dateOfService: string,
): Denial | undefined {
  const result = coverageInForce(coverage, dateOfService);
  return result.inforce ? undefined : { carc: '27', group: 'CO', rarc: 'N30', note: result.reason };
}

/** CARC 29 (CO): the claim arrived more than `TIMELY_FILING_DAYS` after the date of service. */
export function timelyFilingDenial(
  dateOfService: string,
  received: Date,
  limitDays = TIMELY_FILING_DAYS,
): Denial | undefined {
  const days = Math.floor(
    (Date.parse(`${received.toISOString().slice(0, 10)}T00:00:00Z`) -
      Date.parse(`${dateOfService}T00:00:00Z`)) /
      86_400_000,
  );
  if (days <= limitDays) return undefined;
  return {
    carc: '29',
    group: 'CO',
    note: `Received ${days} days after the date of service ${dateOfService}; the plan allows ${limitDays}.`,
  };
}

/** CARC 16 + RARC M76 (CO): a professional claim must carry at least one diagnosis. */
export function missingDiagnosisDenial(claim: Claim): Denial | undefined {
  if ((claim.diagnosis ?? []).length > 0) return undefined;
  return { carc: '16', group: 'CO', rarc: 'M76', note: 'The claim has no diagnosis code.' };
}

/**
 * The services each sandbox payer authorizes before they are given (payer id → CPT/HCPCS codes),
 * as real plans list them: Sandbox Mutual wants a prior authorization for a major-joint
 * injection (20610), the service of the seeded prior authorization (seed-real-claims.ts).
 */
export const PRIOR_AUTH_REQUIRED: Readonly<Record<string, readonly string[]>> = {
  [X12_PAYER.payerId]: ['20610'],
};

/**
 * CARC 197 (CO): a line whose service the payer authorizes first, on a claim that names no
 * authorization (Claim.insurance.preAuthRef, 837P REF*G1). The payer is the Coverage's payor.
 */
export function priorAuthDenial(
  code: string,
  coverage: Coverage | undefined,
  preAuthRefs: readonly string[],
): Denial | undefined {
  const payor = coverage?.payor[0]?.identifier;
  const payerId = payor?.system === SYSTEM.payerId ? payor.value : undefined;
  if (!payerId || !PRIOR_AUTH_REQUIRED[payerId]?.includes(code)) return undefined;
  if (preAuthRefs.some((ref) => ref.trim().length > 0)) return undefined;
  return {
    carc: '197',
    group: 'CO',
    note: `${code} needs the plan's prior authorization, and the claim names none.`,
  };
}

/** A line's allowed amount, or why it is denied. */
export type LinePrice = { allowed: number } | { denial: Denial };

/**
 * The allowed amount of a line: fee schedule × units, never more than what was billed. A code
 * that is not on the fee schedule is a non-covered charge: CARC 96 with RARC N130.
 */
export function priceLine(
  code: string,
  units: number,
  billed: number,
  schedule: FeeSchedule,
): LinePrice {
  const fee = feeFor(schedule, code);
  if (fee === undefined)
    return {
      denial: {
        carc: '96',
        group: 'CO',
        rarc: 'N130',
        note: `${code} is not a covered service under this plan.`,
      },
    };
  return { allowed: roundCents(Math.min(fee * units, billed)) };
}

/** The plan's cost sharing, read from Coverage.costToBeneficiary (coverage-copay-type codes). */
export interface CostSharing {
  /** Office visit copay in dollars (types `gpvisit`, `spvisit` or `copay`). */
  officeCopay: number;
  /** Coinsurance percentage, 0-100 (type `copaypct`). */
  coinsurancePercent: number;
  /** Annual deductible in dollars, reported by eligibility (type `deductible`). */
  deductible?: number;
}

/** Reads cost sharing from the coverage; absent values mean none. */
export function costSharingOf(coverage: Coverage | undefined): CostSharing {
  const sharing: CostSharing = { officeCopay: 0, coinsurancePercent: 0 };
  for (const cost of coverage?.costToBeneficiary ?? []) {
    const code =
      cost.type?.coding?.find((c) => c.system === SYSTEM.copayType)?.code ??
      cost.type?.coding?.[0]?.code;
    const money = cost.valueMoney?.value;
    const quantity = cost.valueQuantity?.value;
    if (
      (code === 'gpvisit' || code === 'spvisit' || code === 'copay') &&
      money !== undefined &&
      sharing.officeCopay === 0
    )
      sharing.officeCopay = money;
    else if (code === 'copaypct' && quantity !== undefined)
      sharing.coinsurancePercent = Math.min(100, Math.max(0, quantity));
    else if (code === 'deductible' && money !== undefined) sharing.deductible = money;
  }
  return sharing;
}

/** Office/outpatient E/M visits 99202-99215: the services an office visit copay applies to. */
export function isOfficeVisit(code: string): boolean {
  return /^992(0[2-5]|1[1-5])$/.test(code);
}

/**
 * Preventive visits (99381-99397, Medicare AWV G0438/G0439) carry no cost sharing, as the ACA
 * (PHS Act §2713) requires of in-network preventive care.
 */
export function isPreventive(code: string): boolean {
  return /^993(8[1-7]|9[1-7])$/.test(code) || code === 'G0438' || code === 'G0439';
}

/** The patient's part of a line's allowed amount. */
export interface PatientShare {
  copay: number;
  coinsurance: number;
}

/**
 * The patient's share of one covered line: the office copay on the first office visit line
 * (never more than allowed), coinsurance on the other lines, nothing on preventive care.
 */
export function patientShare(
  code: string,
  allowed: number,
  copayApplies: boolean,
  sharing: CostSharing,
): PatientShare {
  if (isPreventive(code)) return { copay: 0, coinsurance: 0 };
  if (copayApplies)
    return { copay: roundCents(Math.min(sharing.officeCopay, allowed)), coinsurance: 0 };
  return { copay: 0, coinsurance: roundCents((allowed * sharing.coinsurancePercent) / 100) };
}
