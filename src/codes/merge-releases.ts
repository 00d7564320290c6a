/**
 * Turns the stored releases into one code list with validity dates (the versioning model of
 * `CodeSet`, see code-set.ts): per system, the releases in date order; a code is valid from the
 * start of the first release holding it (for the oldest release: only the codes its addenda add)
 * and until the day before the first later release that dropped it. The newest release's
 * descriptions and flags win. Browser-safe: pure data in, data out.
 */
import type { CodeEntry, CodeSetVersion } from './code-set.ts';
import type { CodeRow, StoredCodes, StoredRelease } from './store/stored-release.ts';

interface Tracked {
  entry: CodeEntry;
  first: number;
  last: number;
}

/** The day before `date` (YYYY-MM-DD). */
export function dayBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

function entryOf(system: StoredCodes['system'], row: CodeRow): CodeEntry {
  const [code, billable, display, extra] = row;
  const entry: CodeEntry = {
    system: extra?.modifier ? 'modifier' : system,
    code,
    display,
    billable: billable === 1,
  };
  if (extra?.addDate) entry.addDate = extra.addDate;
  if (extra?.termDate) entry.termDate = extra.termDate;
  return entry;
}

/** HCPCS rows carry their own dates (ANWEB ADD DT / TERM DT): they are the validity dates. */
function datesFromRow(entry: CodeEntry): void {
  if (entry.addDate) entry.validFrom = entry.addDate;
  if (entry.termDate) entry.validTo = entry.termDate;
}

/** Merges one system's code releases (sorted oldest first) into entries with validity dates. */
export function mergeCodeReleases(releases: readonly StoredCodes[]): CodeEntry[] {
  const tracked = new Map<string, Tracked>();
  const order: string[] = [];
  releases.forEach((release, i) => {
    for (const row of release.rows) {
      const key = `${row[3]?.modifier ? 'm' : ''}${row[0]}`;
      const seen = tracked.get(key);
      if (seen) {
        seen.entry = entryOf(release.system, row);
        seen.last = i;
      } else {
        tracked.set(key, { entry: entryOf(release.system, row), first: i, last: i });
        order.push(key);
      }
    }
  });
  const newest = releases.length - 1;
  const addedByOldest = new Set(releases[0]?.added ?? []);
  const out: CodeEntry[] = [];
  for (const key of order) {
    const t = tracked.get(key);
    if (!t) continue;
    const { entry } = t;
    if (release(releases, t.first).system === 'hcpcs') datesFromRow(entry);
    if (t.first > 0 || addedByOldest.has(entry.code))
      entry.validFrom = release(releases, t.first).effectiveFrom;
    if (t.last < newest) entry.validTo = dayBefore(release(releases, t.last + 1).effectiveFrom);
    out.push(entry);
  }
  billableUntilReflagged(releases, tracked);
  return [...out, ...retiredByAddenda(releases, tracked)];
}

/**
 * A billable code a later release turned into a header (G35, subdivided in FY2026) stays billable
 * for dates of service before that release: `billableTo` is the day before it.
 */
function billableUntilReflagged(
  releases: readonly StoredCodes[],
  tracked: ReadonlyMap<string, Tracked>,
): void {
  for (const r of releases) {
    for (const row of r.reflagged ?? []) {
      const entry = tracked.get(row[0])?.entry;
      if (entry && !entry.billable && row[1] === 1) entry.billableTo = dayBefore(r.effectiveFrom);
    }
  }
}

function release(releases: readonly StoredCodes[], i: number): StoredCodes {
  const r = releases[i];
  if (!r) throw new Error(`no release ${String(i)}`);
  return r;
}

/** Codes a release's addenda delete and no imported release holds: valid until the day before. */
function retiredByAddenda(
  releases: readonly StoredCodes[],
  tracked: ReadonlyMap<string, Tracked>,
): CodeEntry[] {
  const out = new Map<string, CodeEntry>();
  for (const r of releases) {
    for (const row of r.retired ?? []) {
      if (tracked.has(row[0]) || out.has(row[0])) continue;
      out.set(row[0], { ...entryOf(r.system, row), validTo: dayBefore(r.effectiveFrom) });
    }
  }
  return [...out.values()];
}

/** Each stored release's dates, oldest first (ICD-10-CM codes, HCPCS, CPT). */
export function versionsOf(releases: readonly StoredRelease[]): CodeSetVersion[] {
  return releases
    .filter((r): r is StoredCodes => r.layer === 'codes')
    .map((r) => ({
      system: r.system,
      version: r.version,
      effectiveFrom: r.effectiveFrom,
      ...(r.effectiveTo ? { effectiveTo: r.effectiveTo } : {}),
    }))
    .sort(
      (a, b) => a.system.localeCompare(b.system) || a.effectiveFrom.localeCompare(b.effectiveFrom),
    );
}
