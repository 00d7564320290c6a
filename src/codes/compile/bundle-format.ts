/**
 * The compiled public code sets ChartBill ships in `src/codes/compiled/` (written by
 * `chartbill codes compile`, read at start-up): one Brotli-compressed JSON file per part, named in
 * `manifest.json`. ICD-10-CM and HCPCS parts are `StoredRelease`s (store/stored-release.ts, the
 * same shape `chartbill codes import` writes); the others have their own small shapes below.
 * Node only (paths); the shapes are plain data.
 */
import { fileURLToPath } from 'node:url';
import type { MueEdit } from '../../ncci/ncci-tables.ts';
import type { GpciRow, LocalityCounties, RvuRow } from '../../pricing/pfs-types.ts';

/** Where the compiled parts are committed. */
export const BUNDLED_DIR = fileURLToPath(new URL('../compiled/', import.meta.url));

export const BUNDLE_FORMAT = 'chartbill-bundle/1';

/** One compiled part: the file it lives in and the official file(s) it came from. */
export interface BundlePart {
  /** `codes` (a StoredRelease), `mue`, `pfs` or `pos`. */
  kind: 'codes' | 'mue' | 'pfs' | 'pos';
  file: string;
  /** The official files' names (no paths) and their SHA-256, so a re-compile can be compared. */
  sources: { file: string; sha256: string }[];
  /** Bytes of the compressed file. */
  bytes: number;
  /** A short figure for `codes status` (`74719 codes`, `15162 MUE rows`). */
  summary: string;
}

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  compiledAt: string;
  parts: BundlePart[];
  /** The prebuilt entries and search index (compile/snapshot.ts). */
  snapshot?: { file: string; bytes: number };
}

/** `mue` part: the CMS practitioner MUE table. */
export interface BundledMue {
  /** e.g. `mue_practitioner_2026q3.json`. */
  file: string;
  edits: MueEdit[];
}

/** `pfs` part: PPRRVU (relative values and indicators), GPCI and locality counties. */
export interface BundledPfs {
  name: string;
  rvus: RvuRow[];
  gpcis: GpciRow[];
  localities: LocalityCounties[];
}

/** `pos` part: the CMS place-of-service code set. */
export interface BundledPos {
  version: string;
  codes: { code: string; display: string; definition: string }[];
}
