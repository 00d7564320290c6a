/** How the workspace writes numbers and dates: US dollars, whole percents, days. */
const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const wholeDollars = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0,
});

export function money(n: number): string {
  return dollars.format(n);
}

/** Dollars for axis ticks and tight labels: $1.2k, $3.4M. */
export function shortMoney(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `$${trim(n / 1e6)}M`;
  if (abs >= 1e4) return `$${trim(n / 1e3)}k`;
  return wholeDollars.format(n);
}

function trim(n: number): string {
  return n.toFixed(1).replace(/\.0$/, '');
}

/** A fraction 0–1 as a percent with one decimal where it matters (12.5%). */
export function percent(fraction: number): string {
  return `${trim(fraction * 100)}%`;
}

export function days(n: number): string {
  return `${trim(n)} ${n === 1 ? 'day' : 'days'}`;
}

/** `2026-03-04` → `Mar 4, 2026` (dates are calendar days: no time zone shift). */
export function dateWords(iso: string | undefined): string {
  if (!iso) return '—';
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  if (!y || !m || !d) return iso;
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-US', {
    timeZone: 'UTC',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
  });
}

/** `2026-03` → `Mar 2026`. */
export function monthWords(month: string): string {
  const [y, m] = month.split('-').map(Number);
  if (!y || !m) return month;
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString('en-US', {
    timeZone: 'UTC',
    month: 'short',
    year: 'numeric',
  });
}

/** Whole days from `today` to `iso` (negative when past). */
export function daysUntil(iso: string, today: Date): number {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  const target = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  const now = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Math.round((target - now) / 86_400_000);
}
