/**
 * What a payer allows: a percentage of the Medicare PFS amount (common in commercial contracts,
 * e.g. 120 % of Medicare) or a table of amounts per code (optionally per code + modifier), with an
 * optional percentage of Medicare for codes the table lacks. Parsed with zod from config files.
 * Pure and browser-safe.
 */
import { z } from 'zod';
import type { MedicareFeeSchedule, PriceRequest } from './medicare-fee-schedule.ts';

const percent = z.number().positive().max(1000);
const payerFeeScheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('percent-of-medicare'), name: z.string().min(1), percent }).strict(),
  z
    .object({
      kind: z.literal('table'),
      name: z.string().min(1),
      /** Dollars per unit by `CODE` or `CODE-MOD` (`71046-26`). */
      prices: z.record(z.string().regex(/^[A-Z0-9]{5}(-[A-Z0-9]{2})?$/), z.number().nonnegative()),
      otherwisePercentOfMedicare: percent.optional(),
    })
    .strict(),
]);

export type PayerFeeSchedule = z.infer<typeof payerFeeScheduleSchema>;

/** Parses a payer fee schedule (a JSON file's content); throws a zod error naming the field. */
export function parsePayerFeeSchedule(input: unknown): PayerFeeSchedule {
  return payerFeeScheduleSchema.parse(input);
}

export type AllowedResult =
  { ok: true; amount: number; basis: string } | { ok: false; reason: string };

function percentOf(
  medicare: MedicareFeeSchedule,
  request: PriceRequest,
  pct: number,
  name: string,
): AllowedResult {
  const price = medicare.price(request);
  if (!price.ok) return { ok: false, reason: `${name}: ${price.reason}` };
  return {
    ok: true,
    amount: Math.round(price.amount * pct) / 100,
    basis: `${String(pct)}% of Medicare ($${price.amount.toFixed(2)})`,
  };
}

/** The payer's allowed amount per unit for `request`. */
export function payerAllowed(
  schedule: PayerFeeSchedule,
  request: PriceRequest,
  medicare: MedicareFeeSchedule,
): AllowedResult {
  if (schedule.kind === 'percent-of-medicare')
    return percentOf(medicare, request, schedule.percent, schedule.name);
  const code = request.code.trim().toUpperCase();
  const keyed = (request.modifiers ?? [])
    .map((m) => `${code}-${m.trim().toUpperCase()}`)
    .find((k) => Object.hasOwn(schedule.prices, k));
  const key = keyed ?? (Object.hasOwn(schedule.prices, code) ? code : undefined);
  if (key !== undefined)
    return {
      ok: true,
      amount: schedule.prices[key] ?? 0,
      basis: `${schedule.name} table (${key})`,
    };
  if (schedule.otherwisePercentOfMedicare !== undefined)
    return percentOf(medicare, request, schedule.otherwisePercentOfMedicare, schedule.name);
  return { ok: false, reason: `${schedule.name} has no price for ${code}` };
}
