/** Re-read this much before the cursor: clocks differ and writes land out of order. */
export const CURSOR_OVERLAP_MS = 60_000;

/**
 * The `_lastUpdated` lower bound of a search from `cursor`: the overlap only while the cursor is
 * recent. Once it is older than the overlap, every write up to it has long been visible, and
 * re-reading the minute before it on every tick (after a burst, thousands of finished records)
 * would only cost requests and memory.
 */
export function searchFrom(cursor: string, now: Date, overlapMs = CURSOR_OVERLAP_MS): string {
  const at = Date.parse(cursor);
  return new Date(now.getTime() - at > overlapMs ? at : at - overlapMs).toISOString();
}
