import { carcText } from '../claims/carc-codes.ts';
import type { Datum } from './billing-api.ts';
import type { ClaimRow } from './read-model.ts';

/** Small shared pieces of the analytics (analytics.ts): months, rates, medians. Pure. */

const DAY_MS = 86_400_000;

export const monthOf = (iso: string | undefined): string => (iso ?? '').slice(0, 7);

/** Every `YYYY-MM` from `from` to `to`, inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  for (let guard = 0; guard < 240; guard++) {
    const month = `${String(y)}-${String(m).padStart(2, '0')}`;
    if (month > to) break;
    out.push(month);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

export const round = (n: number, places = 2): number => {
  const f = 10 ** places;
  return Math.round(n * f) / f;
};

/** A rate 0–1 to 4 places; no denominator gives 0 (nothing to measure), never NaN. */
export const rate = (part: number, whole: number): number =>
  whole > 0 ? round(part / whole, 4) : 0;

export function days(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / DAY_MS;
}

/** Median and 90th percentile (nearest rank), in days to one place; zeros with no values. */
export function medianAndP90(values: number[]): { median: number; p90: number } {
  if (values.length === 0) return { median: 0, p90: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2 === 1
      ? (sorted[Math.floor(mid)] ?? 0)
      : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { median: round(median, 1), p90: round(at(0.9), 1) };
}

/** A claim counts toward the denial rate when its first answer denied or rejected any of it. */
export const deniedFirst = (c: ClaimRow): boolean => c.firstPass === false;

/**
 * Denial rate and denied dollars grouped by a key (payer, CPT, provider): the claims of the group
 * first denied ÷ the claims of the group answered; dollars are the billed amounts denied.
 */
export function denialsBy(
  answered: readonly ClaimRow[],
  keysOf: (c: ClaimRow) => Array<{ key: string; label: string }>,
  drill: (key: string) => string,
): Datum[] {
  const groups = new Map<
    string,
    { label: string; answered: number; denied: number; amount: number }
  >();
  for (const c of answered)
    for (const { key, label } of keysOf(c)) {
      const g = groups.get(key) ?? { label, answered: 0, denied: 0, amount: 0 };
      g.answered += 1;
      if (deniedFirst(c)) {
        g.denied += 1;
        g.amount += c.denied;
      }
      groups.set(key, g);
    }
  return [...groups.entries()]
    .map(([key, g]) => ({
      label: g.label,
      value: rate(g.denied, g.answered),
      amount: round(g.amount),
      drill: drill(key),
    }))
    .sort((a, b) => b.amount - a.amount || b.value - a.value || a.label.localeCompare(b.label));
}

/** Denials by reason (`CO-97`) or group (`CO`): claims with it ÷ claims answered, and its dollars. */
export function denialsByReason(answered: readonly ClaimRow[], byGroup: boolean): Datum[] {
  const groups = new Map<string, { claims: number; amount: number }>();
  for (const c of answered) {
    const seen = new Set<string>();
    for (const d of c.denials) {
      const key = byGroup ? d.group : `${d.group}-${d.carc}`;
      const g = groups.get(key) ?? { claims: 0, amount: 0 };
      if (!seen.has(key)) g.claims += 1;
      seen.add(key);
      g.amount += d.amount;
      groups.set(key, g);
    }
  }
  return [...groups.entries()]
    .map(([key, g]) => ({
      label: byGroup ? key : `${key}: ${carcText(key.split('-')[1] ?? '')}`,
      value: rate(g.claims, answered.length),
      amount: round(g.amount),
      drill: byGroup ? `view=claims&carc=${key}-` : `view=claims&carc=${key}`,
    }))
    .sort((a, b) => b.amount - a.amount || a.label.localeCompare(b.label));
}
