/**
 * Whether a code is valid on the date of service (CodeEntry.validFrom/validTo, YYYY-MM-DD).
 * Browser-safe.
 */
import type { CodeEntry } from '../codes/code-set.ts';

/** Why `entry` is not valid on `date`, in words, or undefined when it is valid. */
export function invalidOnDate(entry: CodeEntry, date: string): string | undefined {
  if (entry.validFrom && date < entry.validFrom) return `it takes effect on ${entry.validFrom}`;
  if (entry.validTo && date > entry.validTo) return `it was ended on ${entry.validTo}`;
  return undefined;
}
