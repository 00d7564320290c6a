import type { Analytics, Series } from './billing-api.ts';
import {
  days,
  deniedFirst,
  denialsBy,
  denialsByReason,
  medianAndP90,
  monthOf,
  monthsBetween,
  rate,
  round,
} from './analytics-figures.ts';
import { AGING_BUCKETS, agingBucketOf, balanceOf, type AgingBucket } from './ar-aging.ts';
import type { ClaimRow } from './read-model.ts';

/**
 * The revenue-cycle figures (issue 17, item 6) over the read model's claim rows, per request:
 * never over FHIR. Definitions follow HFMA's MAP Keys where one exists (README, "The billing
 * office"); each is in `definitions`. Pure.
 */

export const DEFINITIONS: Record<string, string> = {
  cleanClaimRate:
    'Clean claim rate (HFMA MAP Key): claims that passed the edits and went to the payer with no manual intervention (no scrub, data, coverage or pricing work item) ÷ claims submitted, by month the claim was made.',
  firstPassRate:
    'First-pass acceptance rate: claims whose first payer answer paid them with no denial or rejection ÷ claims answered, by month the claim was made.',
  denialRate:
    'Initial denial rate (HFMA MAP Key, by count): claims whose first answer denied or rejected all or part of them ÷ claims answered in the period (by month of the answer). By reason and group: claims with that reason ÷ all claims answered; by payer, CPT and provider: that slice’s denied ÷ that slice’s answered. Dollars are the billed amounts of the lines denied.',
  daysInAr:
    'Net days in A/R (HFMA MAP Key): net A/R (billed − paid − contractual adjustments of claims not voided or replaced) ÷ average daily net charges (billed − contractual adjustments) of the last 90 days.',
  arAging:
    'Aged A/R (HFMA MAP Key): the outstanding balance by days since the date of service, 0-30, 31-60, 61-90, 91-120 and over 120, by payer.',
  netCollectionRate:
    'Net collection rate (HFMA MAP Key “cash collection as a percentage of net patient service revenue”, by claim): payments ÷ (charges − contractual adjustments) of the claims with a date of service in the period.',
  cashByMonth:
    'Charges (billed, by month the original claim was made), payments (by month paid) and contractual adjustments (by month answered).',
  chargeLagDays:
    'Charge lag: days from the date of service to the claim, median and 90th percentile, claims made in the period.',
  claimToPaymentDays:
    'Claim to payment: days from the claim to its payment, median and 90th percentile, claims paid in the period.',
};

export interface AnalyticsInput {
  from: string;
  to: string;
  payer?: string | undefined;
}

/** The default period: the last 6 months, this one included. */
export function defaultPeriod(now: Date): { from: string; to: string } {
  const to = now.toISOString().slice(0, 7);
  const back = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 5, 1));
  return { from: back.toISOString().slice(0, 7), to };
}

/** Counts per month in one pass over the claims (the analytics run per request over 10,000). */
function perMonth(months: string[]): {
  at: (iso: string | undefined) => number | undefined;
  zeros: () => number[];
} {
  const index = new Map(months.map((m, i) => [m, i]));
  return { at: (iso) => index.get(monthOf(iso)), zeros: () => months.map(() => 0) };
}

function cleanAndFirstPass(claims: readonly ClaimRow[], months: string[]): Series[] {
  const pm = perMonth(months);
  const [made, clean, answered, passed] = [pm.zeros(), pm.zeros(), pm.zeros(), pm.zeros()];
  for (const c of claims) {
    if (!c.submittedAt || c.frequency !== '1') continue;
    const i = pm.at(c.createdAt);
    if (i === undefined) continue;
    made[i] = (made[i] ?? 0) + 1;
    if (c.clean) clean[i] = (clean[i] ?? 0) + 1;
    if (c.firstPass === undefined) continue;
    answered[i] = (answered[i] ?? 0) + 1;
    if (c.firstPass) passed[i] = (passed[i] ?? 0) + 1;
  }
  return [
    {
      name: 'Clean claim rate',
      data: months.map((month, i) => ({
        label: month,
        value: rate(clean[i] ?? 0, made[i] ?? 0),
        drill: `view=claims&month=${month}`,
      })),
    },
    {
      name: 'First-pass acceptance rate',
      data: months.map((month, i) => ({
        label: month,
        value: rate(passed[i] ?? 0, answered[i] ?? 0),
        drill: `view=claims&month=${month}&deniedFirstPass=true`,
      })),
    },
  ];
}

function cash(claims: readonly ClaimRow[], months: string[]): Series[] {
  const pm = perMonth(months);
  const [charges, payments, adjustments] = [pm.zeros(), pm.zeros(), pm.zeros()];
  const add = (sums: number[], i: number | undefined, v: number) => {
    if (i !== undefined) sums[i] = (sums[i] ?? 0) + v;
  };
  for (const c of claims) {
    if (c.frequency === '1') add(charges, pm.at(c.createdAt), c.billed);
    add(payments, pm.at(c.paidAt), c.paid);
    add(adjustments, pm.at(c.answeredAt), c.adjusted);
  }
  const series = (name: string, sums: number[]): Series => ({
    name,
    data: months.map((label, i) => ({ label, value: round(sums[i] ?? 0) })),
  });
  return [
    series('Charges', charges),
    series('Payments', payments),
    series('Adjustments', adjustments),
  ];
}

/** Balances and claims by payer and bucket; each segment drills into exactly its claims. */
function aging(claims: readonly ClaimRow[], now: Date): Analytics['arAging'] {
  const zeros = () =>
    Object.fromEntries(AGING_BUCKETS.map((b) => [b, 0])) as Record<AgingBucket, number>;
  const byPayer = new Map<string, Analytics['arAging'][number]>();
  for (const c of claims) {
    const bucket = agingBucketOf(c, now);
    if (!bucket) continue;
    const row = byPayer.get(c.payer.id) ?? {
      payer: c.payer.name,
      payerId: c.payer.id,
      buckets: zeros(),
      claims: zeros(),
      drills: Object.fromEntries(
        AGING_BUCKETS.map((b) => [
          b,
          `view=claims&payer=${encodeURIComponent(c.payer.id)}&aging=${encodeURIComponent(b)}`,
        ]),
      ) as Record<AgingBucket, string>,
    };
    row.buckets[bucket] = round(row.buckets[bucket] + balanceOf(c));
    row.claims[bucket] += 1;
    byPayer.set(c.payer.id, row);
  }
  return [...byPayer.values()].sort(
    (a, b) => a.payer.localeCompare(b.payer) || a.payerId.localeCompare(b.payerId),
  );
}

function daysInAr(claims: readonly ClaimRow[], now: Date): number {
  const ar = claims.reduce((s, c) => s + balanceOf(c), 0);
  const since = new Date(now.getTime() - 90 * 86_400_000).toISOString();
  const net = claims
    .filter((c) => c.frequency === '1' && c.createdAt >= since && c.createdAt <= now.toISOString())
    .reduce((s, c) => s + c.billed - c.adjusted, 0);
  return net > 0 ? round(ar / (net / 90), 1) : 0;
}

/** Every figure of the analytics page for the period (months `from`..`to`) and payer. */
export function computeAnalytics(
  all: readonly ClaimRow[],
  input: AnalyticsInput,
  now: Date,
): Analytics {
  const claims = input.payer ? all.filter((c) => c.payer.id === input.payer) : all;
  const months = monthsBetween(input.from, input.to);
  const inPeriod = (iso: string | undefined) => {
    const m = monthOf(iso);
    return m >= input.from && m <= input.to;
  };
  const answered = claims.filter((c) => c.firstPass !== undefined && inPeriod(c.answeredAt));
  const ofService = claims.filter(
    (c) => inPeriod(c.serviceDate) && c.state !== 'void' && c.state !== 'replaced',
  );
  const netCharges = ofService.reduce((s, c) => s + c.billed - c.adjusted, 0);
  return {
    from: input.from,
    to: input.to,
    cleanClaimRate: cleanAndFirstPass(claims, months),
    denials: {
      byReason: denialsByReason(answered, false),
      byGroup: denialsByReason(answered, true),
      byPayer: denialsBy(
        answered,
        (c) => [{ key: c.payer.id, label: c.payer.name }],
        (k) => `view=claims&payer=${encodeURIComponent(k)}&deniedFirstPass=true`,
      ),
      byCpt: denialsBy(
        answered,
        (c) => c.cpts.map((cpt) => ({ key: cpt, label: cpt })),
        (k) => `view=claims&cpt=${encodeURIComponent(k)}&deniedFirstPass=true`,
      ),
      byProvider: denialsBy(
        answered,
        (c) => (c.provider ? [{ key: c.provider.reference, label: c.provider.name }] : []),
        (k) => `view=claims&provider=${encodeURIComponent(k)}&deniedFirstPass=true`,
      ),
      rateByMonth: months.map((month) => {
        const of = answered.filter((c) => monthOf(c.answeredAt) === month);
        const denied = of.filter(deniedFirst);
        return {
          label: month,
          value: rate(denied.length, of.length),
          amount: round(denied.reduce((s, c) => s + c.denied, 0)),
          drill: `view=claims&month=${month}&deniedFirstPass=true`,
        };
      }),
    },
    daysInAr: daysInAr(claims, now),
    arAging: aging(claims, now),
    netCollectionRate: rate(
      ofService.reduce((s, c) => s + c.paid, 0),
      netCharges,
    ),
    cashByMonth: cash(claims, months),
    chargeLagDays: medianAndP90(
      claims
        .filter((c) => c.frequency === '1' && inPeriod(c.createdAt))
        .map((c) => Math.max(0, days(c.serviceDate, c.createdAt))),
    ),
    claimToPaymentDays: medianAndP90(
      claims
        .filter((c) => c.paidAt && inPeriod(c.paidAt))
        .map((c) => Math.max(0, days(c.submittedAt ?? c.createdAt, c.paidAt ?? c.createdAt))),
    ),
    definitions: DEFINITIONS,
  };
}
