import { positionOf, type Segment } from './segment-reader.ts';
import { X12InputError } from './x12-error.ts';

const AMOUNT = /^-?\d*(\.\d+)?$/;

/** An X12 monetary amount (R data type, e.g. `1922.86`, `-1.27`); refuses anything else. */
export function money(value: string, s: Segment, element: number): number {
  if (value === '' || !AMOUNT.test(value))
    throw new X12InputError(
      `${s.tag}${String(element).padStart(2, '0')} '${value}' is not an amount`,
      positionOf(s),
    );
  return Number(value);
}

/** A CCYYMMDD date (DT data type, D8 qualifier) as YYYY-MM-DD. */
export function d8(value: string, s: Segment, element: number): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (!m)
    throw new X12InputError(
      `${s.tag}${String(element).padStart(2, '0')} '${value}' is not a date (CCYYMMDD)`,
      positionOf(s),
    );
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** A D8 or RD8 value (`20240105` or `20240105-20240107`) as its first date, YYYY-MM-DD. */
export function d8Start(value: string, s: Segment, element: number): string {
  return d8(value.split('-')[0] ?? '', s, element);
}

/** Cents-exact formatting for X12 amounts: `40`, `40.5`, `1922.86` (no trailing zeros needed). */
export function amount(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return String(rounded);
}

/** True when YYYY-MM-DD is a real calendar date (2000-23-16 is not). */
export function isCalendarDate(date: string): boolean {
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}
