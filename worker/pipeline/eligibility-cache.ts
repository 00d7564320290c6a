import type { Coverage } from 'fhir/r4';

/** A cached eligibility answer: in force or not, and the stored response it came from. */
export type CachedEligibility =
  { inforce: true; response: string } | { inforce: false; response: string; reason: string };

export interface EligibilityCache {
  /** How long an answer is reused (0: never): also how old a stored answer may be to stand. */
  readonly windowMs: number;
  /**
   * The recent answer, else the answer of a question already in flight for the same key (two
   * visits processed at once ask the payer once), else `ask`'s answer, kept for reuse.
   */
  reuse(
    coverage: Coverage,
    dateOfService: string,
    ask: () => Promise<CachedEligibility>,
  ): Promise<CachedEligibility>;
  /**
   * True the first time a visit (`Encounter/1|<version>`, `Appointment/2|<version>`) is looked
   * at ahead of its end, false after: the cursor's overlap and later ticks find the same version
   * again, and it is checked once, not on every tick (issue 15).
   */
  firstLook(visit: string): boolean;
}

/**
 * Recent eligibility answers, reused for `windowMs` (0 turns reuse off): a patient seen twice
 * in a day is not checked twice. Keyed by the Coverage's id and version and the date of service,
 * so a coverage corrected by billing staff is checked afresh. Bounded (oldest evicted first), so
 * a long-running worker's memory stays flat.
 */
export function createEligibilityCache(
  windowMs: number,
  now: () => Date,
  maxEntries = 10_000,
): EligibilityCache {
  const entries = new Map<string, { at: number; answer: CachedEligibility }>();
  const inFlight = new Map<string, Promise<CachedEligibility>>();
  const looked = new Set<string>();

  function recent(key: string): CachedEligibility | undefined {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (now().getTime() - entry.at > windowMs) {
      entries.delete(key);
      return undefined;
    }
    return entry.answer;
  }

  function keep(key: string, answer: CachedEligibility): void {
    entries.delete(key);
    entries.set(key, { at: now().getTime(), answer });
    // Maps iterate in insertion order: the first key is the oldest.
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
  }

  return {
    windowMs,
    firstLook(visit) {
      if (looked.has(visit)) return false;
      looked.add(visit);
      // Sets iterate in insertion order: the first is the oldest.
      if (looked.size > maxEntries) {
        const oldest = looked.values().next().value;
        if (oldest !== undefined) looked.delete(oldest);
      }
      return true;
    },
    async reuse(coverage, dateOfService, ask) {
      if (windowMs <= 0) return ask();
      const key = `${coverage.id ?? ''}|${coverage.meta?.versionId ?? coverage.meta?.lastUpdated ?? ''}|${dateOfService}`;
      const known = recent(key) ?? inFlight.get(key);
      if (known) return known;
      const asking = ask()
        .then((answer) => {
          keep(key, answer);
          return answer;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, asking);
      return asking;
    },
  };
}
