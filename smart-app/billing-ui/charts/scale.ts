/**
 * The arithmetic behind the charts, kept apart from drawing so it can be unit-tested: nice axis
 * ticks, linear scales, stacking and label shortening.
 */

/** A "nice" step (1, 2, 2.5 or 5 × 10^n) that splits `span` into about `count` parts. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || count < 1) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice =
    fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * Ticks from 0 up to the first nice value at or above `max` (the axis top), about `count` of them.
 * An all-zero chart still gets an axis (0 to 1).
 */
export function niceTicks(max: number, count = 4): number[] {
  const top = max > 0 ? max : 1;
  const step = niceStep(top, count);
  const ticks: number[] = [];
  for (let i = 0; i * step < top + step * 1e-9; i++) ticks.push(round(i * step));
  if ((ticks.at(-1) ?? 0) < top - step * 1e-9) ticks.push(round(ticks.length * step));
  return ticks;
}

/** Rates (0–1) get a percent axis: up to 100% but no higher than the data needs. */
export function rateTicks(max: number): number[] {
  return niceTicks(Math.min(1, Math.max(max, 0.05)), 4).filter((t) => t <= 1 + 1e-9);
}

function round(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}

/** Maps [0, domainMax] onto [0, rangePx]; values below 0 clamp to 0 (no bar grows backwards). */
export function linearScale(domainMax: number, rangePx: number): (v: number) => number {
  const max = domainMax > 0 ? domainMax : 1;
  return (v) => (Math.max(0, Math.min(v, max)) / max) * rangePx;
}

/** The running starts of a stack: [3, 4, 5] → [0, 3, 7] (each segment begins where the last ended). */
export function stackStarts(values: readonly number[]): number[] {
  const starts: number[] = [];
  let sum = 0;
  for (const v of values) {
    starts.push(sum);
    sum += Math.max(0, v);
  }
  return starts;
}

/** The largest of some numbers, 0 for none. */
export function maxOf(values: readonly number[]): number {
  return values.reduce((m, v) => (v > m ? v : m), 0);
}

/** A label cut to fit a chart's margin, ending in "…"; the full text is in the table and the bar's name. */
export function shorten(label: string, max: number): string {
  return label.length <= max ? label : `${label.slice(0, Math.max(1, max - 1)).trimEnd()}…`;
}

/**
 * Months of several series lined up by label: one row per label in first-seen order, with each
 * series' datum or undefined where it has none.
 */
export function alignSeries<T extends { label: string }>(
  series: ReadonlyArray<{ name: string; data: readonly T[] }>,
): Array<{ label: string; values: Array<T | undefined> }> {
  const labels: string[] = [];
  for (const s of series)
    for (const d of s.data) if (!labels.includes(d.label)) labels.push(d.label);
  return labels.map((label) => ({
    label,
    values: series.map((s) => s.data.find((d) => d.label === label)),
  }));
}
