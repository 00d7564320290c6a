/**
 * Loads the code sets ChartBill runs with: the releases imported by `chartbill codes import`
 * (stored under `<dataDir>/codes/`, so nothing is re-parsed at start-up), with the built-in
 * starter set filling in any system not imported (CPT numbers and CPT modifiers always come from
 * it unless a licensed CPT file was imported). With nothing imported, it is the starter set.
 */
import { performance } from 'node:perf_hooks';
import { annotateEntries, synonymsOf } from './annotate-entries.ts';
import type { CodeEntry, CodeSet, CodeSetVersion, CodeSystemKey } from './code-set.ts';
import { createCodeSet, entryKey } from './memory-code-set.ts';
import { mergeCodeReleases, versionsOf } from './merge-releases.ts';
import { starterEntries } from './starter-code-set.ts';
import { readStoredReleases } from './store/code-store.ts';
import type { StoredCodes, StoredRelease } from './store/stored-release.ts';
import { versionInForce } from './version-in-force.ts';

export interface LoadedCodeSets {
  codes: CodeSet;
  /** `starter` when nothing is imported. */
  source: 'imported' | 'starter';
  versions: readonly CodeSetVersion[];
  /** Problems to show the admin, e.g. the newest ICD-10-CM release has ended. */
  warnings: string[];
  /** Milliseconds spent reading and indexing. */
  ms: number;
  /** Entries and approximate index bytes. */
  stats: { entries: number; indexBytes: number };
}

const SYSTEM_NAMES: Readonly<Record<CodeSystemKey, string>> = {
  icd10cm: 'ICD-10-CM',
  hcpcs: 'HCPCS Level II',
  cpt: 'CPT',
  modifier: 'modifiers',
};

/** Imported entries per system, oldest release first. */
function importedEntries(
  releases: readonly StoredRelease[],
  system: StoredCodes['system'],
): CodeEntry[] | undefined {
  const mine = releases
    .filter((r): r is StoredCodes => r.layer === 'codes' && r.system === system)
    .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  return mine.length ? mergeCodeReleases(mine) : undefined;
}

/** The entries: imported systems, the starter set for the others, modifiers from both. */
export function entriesFrom(releases: readonly StoredRelease[]): CodeEntry[] {
  const starter = starterEntries();
  const starterOf = (system: CodeSystemKey): CodeEntry[] =>
    starter.filter((e) => e.system === system);
  const icd = importedEntries(releases, 'icd10cm') ?? starterOf('icd10cm');
  const cpt = importedEntries(releases, 'cpt') ?? starterOf('cpt');
  const hcpcsAll = importedEntries(releases, 'hcpcs');
  const hcpcs = hcpcsAll?.filter((e) => e.system === 'hcpcs') ?? starterOf('hcpcs');
  const imported = hcpcsAll?.filter((e) => e.system === 'modifier') ?? [];
  const known = new Set(imported.map((e) => e.code));
  // CPT modifiers (25, 59, 76…) are not in the HCPCS file: they always come from the starter set.
  const modifiers = [...starterOf('modifier').filter((e) => !known.has(e.code)), ...imported];
  const entries = [...icd, ...cpt, ...hcpcs, ...modifiers];
  annotateEntries(entries, releases);
  return entries;
}

/** Warnings for releases whose end date has passed: the newest stays in force (code-set.ts). */
function staleWarnings(codes: CodeSet, today: string): string[] {
  const systems = [...new Set((codes.versions ?? []).map((v) => v.system))];
  return systems.flatMap((system) => {
    const v = versionInForce(codes, system, today);
    if (!v?.stale) return [];
    return [
      `${SYSTEM_NAMES[system]} ${v.version.version} ended on ${v.version.effectiveTo ?? ''}; it stays in force until a newer release is imported (chartbill codes import).`,
    ];
  });
}

/**
 * Reads `<dataDir>/codes/` and builds the code set. `now` dates the staleness warnings.
 * Falls back to the starter set when nothing was imported, so `npm start` always works.
 */
export async function loadCodeSets(
  dataDir: string,
  now: () => Date = () => new Date(),
): Promise<LoadedCodeSets> {
  const started = performance.now();
  const releases = await readStoredReleases(dataDir);
  const versions = versionsOf(releases);
  const common = new Set(starterEntries().map((e) => entryKey(e.system, e.code)));
  const label = versions.length
    ? versions.map((v) => `${v.system} ${v.version}`).join(' + ')
    : 'starter';
  const codes = createCodeSet(entriesFrom(releases), {
    synonyms: synonymsOf(releases),
    common,
    version: label,
    versions,
  });
  return {
    codes,
    source: releases.length ? 'imported' : 'starter',
    versions,
    warnings: staleWarnings(codes, now().toISOString().slice(0, 10)),
    ms: performance.now() - started,
    stats: codes.stats,
  };
}

/** The few logger methods `startupCodeSets` uses (pino's Logger has them). */
export interface StartupLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * `chartbill start`'s code sets: `loadCodeSets` plus a log line with what was loaded and how long
 * it took (the cold start), and one warning per stale release.
 */
export async function startupCodeSets(
  dataDir: string,
  log: StartupLog,
  now: () => Date = () => new Date(),
): Promise<CodeSet> {
  const loaded = await loadCodeSets(dataDir, now);
  log.info(
    {
      codes: loaded.codes.version,
      source: loaded.source,
      entries: loaded.stats.entries,
      ms: Math.round(loaded.ms),
    },
    'code sets loaded',
  );
  for (const warning of loaded.warnings) log.warn({ codes: loaded.codes.version }, warning);
  return loaded.codes;
}
