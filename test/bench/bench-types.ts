/** Prints one figure as `name: value unit`, the format `npm run bench` promises. */
export type Report = (name: string, value: number, unit: string) => void;

/** One benchmark module: measures and reports its figures. */
export interface Bench {
  name: string;
  run(report: Report): Promise<void>;
}

/** The p-th percentile (0-100) of a list of samples. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
