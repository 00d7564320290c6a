import { round } from './analytics-figures.ts';
import type { ClaimRow } from './read-model.ts';

const DAY_MS = 86_400_000;

/** The A/R aging buckets (HFMA MAP Key "aged A/R"), days since the date of service. */
export const AGING_BUCKETS = ['0-30', '31-60', '61-90', '91-120', '120+'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/** What a claim still owes: billed less paid and contractual adjustments (voided or replaced: nothing). */
export function balanceOf(c: ClaimRow): number {
  if (c.state === 'void' || c.state === 'replaced') return 0;
  return Math.max(0, round(c.billed - c.paid - c.adjusted));
}

function bucketOfAge(age: number): AgingBucket {
  if (age <= 30) return '0-30';
  if (age <= 60) return '31-60';
  if (age <= 90) return '61-90';
  if (age <= 120) return '91-120';
  return '120+';
}

/**
 * The aging bucket a claim's balance is in on `now`, or none when it owes nothing. The chart's
 * bars (analytics.ts) and the claim list behind a bar (`aging=` on `GET /api/billing/claims`)
 * both ask here, so a bar's claims are exactly the ones it counts.
 */
export function agingBucketOf(c: ClaimRow, now: Date): AgingBucket | undefined {
  if (balanceOf(c) <= 0) return undefined;
  // As analytics-figures' days(), without making `now` a string for each of 10,000 claims.
  return bucketOfAge(Math.floor((now.getTime() - Date.parse(c.serviceDate)) / DAY_MS));
}
