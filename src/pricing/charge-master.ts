/**
 * The practice's charge master: what the practice bills per unit, by code, optionally by code +
 * modifier (`71046-26`), each price in force over a date range. Imported from the practice's CSV
 * (`chartbill charges import`, charge-master-csv.ts); the sandbox uses its built-in list
 * (`PRACTICE_CHARGE_MASTER`). Browser-safe.
 */
import { feeFor, type FeeSchedule } from '../claims/fee-schedule.ts';

export interface ChargeEntry {
  code: string;
  /** `''` for the code's price without a modifier. */
  modifier: string;
  /** Dollars per unit. */
  price: number;
  /** First day of service the price applies to, YYYY-MM-DD. */
  from: string;
  /** Last day, YYYY-MM-DD; absent while current. */
  to?: string;
}

const inForce = (e: ChargeEntry, date: string): boolean =>
  e.from <= date && (e.to === undefined || date <= e.to);

/**
 * The charge per unit of `code` on `date`: the price for the code with one of the line's
 * modifiers first (`71046-26`), else the code's own price; undefined when the charge master has
 * none (a pricing work item, never a coding error). A schedule without dated entries is the
 * built-in list, priced by code alone.
 */
export function chargeFor(
  master: FeeSchedule,
  code: string,
  modifiers: readonly string[],
  date: string,
): number | undefined {
  if (!master.entries) return feeFor(master, code);
  const mods = modifiers.map((m) => m.trim().toUpperCase());
  const hits = master.entries.filter((e) => e.code === code && inForce(e, date));
  return (
    hits.find((e) => e.modifier && mods.includes(e.modifier)) ?? hits.find((e) => !e.modifier)
  )?.price;
}

/** A charge master from imported entries. */
export function chargeMasterOf(name: string, entries: readonly ChargeEntry[]): FeeSchedule {
  return { name, currency: 'USD', prices: {}, entries };
}
