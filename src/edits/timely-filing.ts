/**
 * Timely filing windows: how many days after the date of service a payer accepts a claim
 * (Medicare: 12 months, 42 CFR 424.44; commercial plans often 90–180 days, per contract).
 * Browser-safe.
 */
import { z } from 'zod';

export interface TimelyFilingConfig {
  /** Days allowed when the payer has no entry; 365 (Medicare's one calendar year) by default. */
  defaultDays: number;
  /** Payer id → days. */
  byPayer: Readonly<Record<string, number>>;
}

export const DEFAULT_TIMELY_FILING: TimelyFilingConfig = { defaultDays: 365, byPayer: {} };

/** How close to the limit (in days) the scrubber starts warning. */
export const TIMELY_FILING_WARNING_DAYS = 30;

const days = z.number().int().positive().max(3650);
const configSchema = z
  .object({
    defaultDays: days.default(365),
    byPayer: z.record(z.string().min(1), days).default({}),
  })
  .strict();

/** Parses a timely filing config (from a JSON file or object); throws a zod error naming the field. */
export function parseTimelyFilingConfig(input: unknown): TimelyFilingConfig {
  return configSchema.parse(input);
}

/**
 * Parses the env form `payerA=90,payerB=180,default=365` (spaces allowed). Throws an Error naming
 * the bad entry.
 */
export function timelyFilingFromEnv(value: string | undefined): TimelyFilingConfig {
  const byPayer: Record<string, number> = {};
  let defaultDays = DEFAULT_TIMELY_FILING.defaultDays;
  for (const part of (value ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([^=\s]+)\s*=\s*(\d+)$/.exec(part);
    const n = Number(match?.[2]);
    if (!match?.[1] || !days.safeParse(n).success)
      throw new Error(`timely filing entry '${part}' must be payerId=days (days 1–3650)`);
    if (match[1] === 'default') defaultDays = n;
    else byPayer[match[1]] = n;
  }
  return { defaultDays, byPayer };
}

/** The window for `payerId`. */
export function timelyFilingDays(config: TimelyFilingConfig, payerId: string | undefined): number {
  return payerId !== undefined && Object.hasOwn(config.byPayer, payerId)
    ? (config.byPayer[payerId] ?? config.defaultDays)
    : config.defaultDays;
}

/** `date` (YYYY-MM-DD) plus `n` days, in UTC so time zones never shift the day. */
export function addDays(date: string, n: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + n * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
