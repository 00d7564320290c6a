/**
 * `chartbill codes import`: reads one official release, compares it with what is stored for the
 * same system and layer, and stores it. A broken file throws before anything is written.
 */
import { readStoredReleases, writeStoredRelease } from '../store/code-store.ts';
import type { StoredRelease } from '../store/stored-release.ts';
import { checkImportFile } from './check-import-file.ts';
import type { ImportProgress } from './code-file-error.ts';
import { detectKind, type ImportKind } from './detect-kind.ts';
import { readRelease } from './read-release.ts';

export interface ImportOptions {
  file: string;
  kind?: ImportKind | 'auto';
  /** YYYY-MM-DD the release takes effect, when its name or content does not say. */
  effective?: string;
  dataDir: string;
  now: () => Date;
  progress?: ImportProgress;
}

export interface ImportSummary {
  kind: ImportKind;
  system: StoredRelease['system'];
  layer: StoredRelease['layer'];
  version: string;
  effectiveFrom: string;
  effectiveTo: string | undefined;
  /** Codes (or annotated codes, for notes/index/MCE) in the imported release. */
  total: number;
  added: number;
  changed: number;
  retired: number;
  /** The stored release it was compared with (`2025`), if any. */
  comparedWith: string | undefined;
  storedAt: string;
}

/** code → a comparable value for each code of a release. */
function keyedValues(release: StoredRelease): Map<string, string> {
  switch (release.layer) {
    case 'codes':
      return new Map(release.rows.map((r) => [r[0], JSON.stringify(r.slice(1))]));
    case 'notes':
      return new Map(Object.entries(release.notes).map(([k, v]) => [k, JSON.stringify(v)]));
    case 'index':
      return new Map(Object.entries(release.terms).map(([k, v]) => [k, JSON.stringify(v)]));
    case 'mce':
      return new Map(Object.entries(release.mce).map(([k, v]) => [k, JSON.stringify(v)]));
    default:
      return release satisfies never;
  }
}

/** What a version label says beyond its date: `e` (External Cause index), `-sex` (MCE v37 sex lists). */
const trackOf = (version: string): string => version.replace(/^v?\d+(-\d\d)?/, '');

/**
 * The stored release to compare with: the same system, layer and track, the latest one starting
 * on or before the new one; else the earliest stored one.
 */
function previousOf(stored: StoredRelease[], next: StoredRelease): StoredRelease | undefined {
  const sameKind = stored
    .filter(
      (s) =>
        s.system === next.system &&
        s.layer === next.layer &&
        trackOf(s.version) === trackOf(next.version),
    )
    .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  return [...sameKind].reverse().find((s) => s.effectiveFrom <= next.effectiveFrom) ?? sameKind[0];
}

/** Compares two releases code by code. */
export function compareReleases(
  previous: StoredRelease | undefined,
  next: StoredRelease,
): Pick<ImportSummary, 'total' | 'added' | 'changed' | 'retired'> {
  const now = keyedValues(next);
  const before = previous ? keyedValues(previous) : new Map<string, string>();
  let added = 0;
  let changed = 0;
  for (const [code, value] of now) {
    const old = before.get(code);
    if (old === undefined) added++;
    else if (old !== value) changed++;
  }
  const retired = [...before.keys()].filter((code) => !now.has(code)).length;
  return { total: now.size, added, changed, retired };
}

/** Imports one file; returns what changed. Nothing is stored when the file cannot be read. */
export async function importCodeFile(options: ImportOptions): Promise<ImportSummary> {
  await checkImportFile(options.file);
  const kind =
    !options.kind || options.kind === 'auto' ? await detectKind(options.file) : options.kind;
  const release = await readRelease(options.file, kind, {
    now: options.now,
    ...(options.effective ? { effective: options.effective } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
  });
  const previous = previousOf(await readStoredReleases(options.dataDir), release);
  const counts = compareReleases(previous, release);
  const storedAt = await writeStoredRelease(options.dataDir, release);
  return {
    kind,
    system: release.system,
    layer: release.layer,
    version: release.version,
    effectiveFrom: release.effectiveFrom,
    effectiveTo: release.effectiveTo,
    ...counts,
    comparedWith: previous?.version,
    storedAt,
  };
}
