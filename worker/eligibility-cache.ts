import type { Coverage } from 'fhir/r4';

/** A cached eligibility answer: in force or not, and the stored response it came from. */
export type CachedEligibility = { inforce: true; response: string } | { inforce: false; response: string; reason: string };

export interface EligibilityCache {
  get(coverage: Coverage, dateOfService: string): CachedEligibility | undefined;
  set(coverage: Coverage, dateOfService: string, answer: CachedEligibility): void;
  /**
   * The recent answer, else the answer of a question already in flight for the same key (two
   * visits processed at once ask the payer once), else `ask`'s answer, kept for reuse.
   */
  reuse(coverage: Coverage, dateOfService: string, ask: () => Promise<CachedEligibility>): Promise<CachedEligibility>;
}

/**
 * Recent eligibility answers, reused for `windowMs` (0 turns reuse off): a patient seen twice
 * in a day is not checked twice. Keyed by the Coverage's id and version and the date of service,
 * so a coverage corrected by billing staff is checked afresh. Bounded (oldest evicted first), so
 * a long-running worker's memory stays flat.
 */
export function createEligibilityCache(windowMs: number, now: () => Date, maxEntries = 10_000): EligibilityCache {
  const entries = new Map<string, { at: number; answer: CachedEligibility }>();
  const inFlight = new Map<string, Promise<CachedEligibility>>();
  const keyOf = (coverage: Coverage, dateOfService: string) => `${coverage.id ?? ''}|${coverage.meta?.versionId ?? coverage.meta?.lastUpdated ?? ''}|${dateOfService}`;
  const cache: EligibilityCache = {
    async reuse(coverage, dateOfService, ask) {
      const known = cache.get(coverage, dateOfService);
      if (known || windowMs <= 0) return known ?? ask();
      const key = keyOf(coverage, dateOfService);
      const pending = inFlight.get(key);
      if (pending) return pending;
      const asking = ask().then((answer) => {
        cache.set(coverage, dateOfService, answer);
        return answer;
      }).finally(() => inFlight.delete(key));
      inFlight.set(key, asking);
      return asking;
    },
    get(coverage, dateOfService) {
      if (windowMs <= 0) return undefined;
      const key = keyOf(coverage, dateOfService);
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (now().getTime() - entry.at > windowMs) {
        entries.delete(key);
        return undefined;
      }
      return entry.answer;
    },
    set(coverage, dateOfService, answer) {
      if (windowMs <= 0) return;
      const key = keyOf(coverage, dateOfService);
      entries.delete(key);
      entries.set(key, { at: now().getTime(), answer });
      // Maps iterate in insertion order: the first key is the oldest.
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
  };
  return cache;
}
