/**
 * Loads the code sets ChartBill runs with: the public CMS sets it ships, compiled
 * (`src/codes/compiled/`, see compile/), plus the releases imported by `chartbill codes import`
 * (stored under `<dataDir>/codes/`; an import replaces the shipped release of the same system,
 * layer and version, and a newer one is added beside it). The built-in starter set fills in what
 * neither has: CPT numbers and CPT modifiers come from it unless a licensed CPT file was imported.
 */
import { performance } from 'node:perf_hooks';
import { annotateEntries, synonymsOf } from './annotate-entries.ts';
import type {
  CodeEntry,
  CodeSet,
  CodeSetRelease,
  CodeSetVersion,
  CodeSystemKey,
} from './code-set.ts';
import { createCodeSet, entryKey } from './memory-code-set.ts';
import { mergeCodeReleases, versionsOf } from './merge-releases.ts';
import { starterEntries } from './starter-code-set.ts';
import { readBundledReleases, readBundleManifest } from './compile/read-bundle.ts';
import { readSnapshot } from './compile/snapshot.ts';
import { readStoredReleases } from './store/code-store.ts';
import { storedFileName, type StoredCodes, type StoredRelease } from './store/stored-release.ts';
import { versionInForce } from './version-in-force.ts';

export interface LoadedCodeSets {
  codes: CodeSet;
  /**
   * `shipped` for the compiled public sets alone, `imported` when an import is in use too,
   * `starter` when neither is (the compiled sets were removed, or `shipped: false`).
   */
  source: 'shipped' | 'imported' | 'starter';
  /** Every release in use (shipped and imported), for `codes status` and the coverage notes. */
  releases: readonly CodeSetRelease[];
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

export interface LoadOptions {
  /** Use the compiled public sets ChartBill ships (default true; false: imports and starter only). */
  shipped?: boolean;
}

/** Shipped releases, replaced by an import of the same system, layer and version. */
export function withImports(
  shipped: readonly StoredRelease[],
  imported: readonly StoredRelease[],
): StoredRelease[] {
  const names = new Set(imported.map((r) => storedFileName(r)));
  return [...shipped.filter((r) => !names.has(storedFileName(r))), ...imported];
}

/** A release's description without its data. */
export function releaseInfo(r: StoredRelease, shipped: boolean): CodeSetRelease {
  return {
    system: r.system,
    layer: r.layer,
    version: r.version,
    effectiveFrom: r.effectiveFrom,
    ...(r.effectiveTo ? { effectiveTo: r.effectiveTo } : {}),
    file: r.source.file,
    shipped,
  };
}

/** The label of what is loaded (`icd10cm 2026 + hcpcs 2025-10`, or `starter`). */
export function codeSetLabel(versions: readonly CodeSetVersion[]): string {
  return versions.length ? versions.map((v) => `${v.system} ${v.version}`).join(' + ') : 'starter';
}

/** The `entryKey`s of the starter set's codes: common codes, ranked first among equals. */
export function commonKeys(): Set<string> {
  return new Set(starterEntries().map((e) => entryKey(e.system, e.code)));
}

/** The shipped snapshot when nothing is imported and it belongs to the shipped parts. */
async function fromSnapshot(now: () => Date, started: number): Promise<LoadedCodeSets | undefined> {
  const [manifest, snapshot] = await Promise.all([readBundleManifest(), readSnapshot()]);
  if (!manifest || !snapshot || snapshot.compiledAt !== manifest.compiledAt) return undefined;
  const codes = createCodeSet(snapshot.entries, {
    index: snapshot.index,
    commonIds: snapshot.commonIds,
    version: snapshot.label,
    versions: snapshot.versions,
    releases: snapshot.releases,
  });
  return {
    codes,
    source: 'shipped',
    releases: snapshot.releases,
    versions: snapshot.versions,
    warnings: staleWarnings(codes, now().toISOString().slice(0, 10)),
    ms: performance.now() - started,
    stats: codes.stats,
  };
}

/**
 * Reads the shipped sets and `<dataDir>/codes/` and builds the code set. `now` dates the
 * staleness warnings. Falls back to the starter set when neither is present, so `npm start`
 * always works.
 */
export async function loadCodeSets(
  dataDir: string,
  now: () => Date = () => new Date(),
  options: LoadOptions = {},
): Promise<LoadedCodeSets> {
  const started = performance.now();
  const imported = await readStoredReleases(dataDir);
  if (options.shipped !== false && imported.length === 0) {
    const fast = await fromSnapshot(now, started);
    if (fast) return fast;
  }
  const shipped = options.shipped === false ? [] : await readBundledReleases();
  const releases = withImports(shipped, imported);
  const versions = versionsOf(releases);
  const importedNames = new Set(imported.map((r) => storedFileName(r)));
  const infos = releases.map((r) => releaseInfo(r, !importedNames.has(storedFileName(r))));
  const codes = createCodeSet(entriesFrom(releases), {
    synonyms: synonymsOf(releases),
    common: commonKeys(),
    version: codeSetLabel(versions),
    versions,
    ...(infos.length ? { releases: infos } : {}),
  });
  return {
    codes,
    source: imported.length ? 'imported' : shipped.length ? 'shipped' : 'starter',
    releases: infos,
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
