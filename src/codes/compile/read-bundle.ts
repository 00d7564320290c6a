/**
 * Reads the compiled public code sets ChartBill ships (`src/codes/compiled/`, see
 * bundle-format.ts): the manifest, the ICD-10-CM/HCPCS releases, and the MUE, PFS and POS parts.
 * A missing folder reads as nothing shipped (the starter set still runs); a damaged part is an
 * error naming it and saying to re-compile. Node only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { AppError } from '../../errors/app-error.ts';
import { parseStoredRelease } from '../store/code-store.ts';
import type { StoredRelease } from '../store/stored-release.ts';
import {
  BUNDLE_FORMAT,
  BUNDLED_DIR,
  type BundledMue,
  type BundledPfs,
  type BundledPos,
  type BundleManifest,
} from './bundle-format.ts';

const HINT =
  'Run `chartbill codes compile` (npm run codes:compile) to rebuild the shipped code sets.';

/** The manifest, or undefined when no compiled sets are present in `dir`. */
export async function readBundleManifest(
  dir: string = BUNDLED_DIR,
): Promise<BundleManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const manifest = JSON.parse(text) as Partial<BundleManifest> | null;
  if (manifest?.format !== BUNDLE_FORMAT || !Array.isArray(manifest.parts))
    throw new AppError(
      'CONFIG_INVALID',
      `${join(dir, 'manifest.json')} is not a ChartBill bundle`,
      {
        hint: HINT,
      },
    );
  return manifest as BundleManifest;
}

async function readPart(dir: string, file: string): Promise<string> {
  const path = join(dir, file);
  try {
    return brotliDecompressSync(await readFile(path)).toString('utf8');
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `${path} cannot be read (${(err as Error).message})`, {
      hint: HINT,
      cause: err,
    });
  }
}

/** The shipped ICD-10-CM and HCPCS releases (none when nothing is compiled). */
export async function readBundledReleases(dir: string = BUNDLED_DIR): Promise<StoredRelease[]> {
  const manifest = await readBundleManifest(dir);
  if (!manifest) return [];
  return Promise.all(
    manifest.parts
      .filter((p) => p.kind === 'codes')
      .map(async (p) => {
        const release = parseStoredRelease(await readPart(dir, p.file), join(dir, p.file));
        return release;
      }),
  );
}

async function readJsonPart<T>(kind: 'mue' | 'pfs' | 'pos', dir: string): Promise<T | undefined> {
  const manifest = await readBundleManifest(dir);
  const part = manifest?.parts.find((p) => p.kind === kind);
  if (!part) return undefined;
  return JSON.parse(await readPart(dir, part.file)) as T;
}

/** The shipped CMS practitioner MUE table. */
export const readBundledMue = (dir: string = BUNDLED_DIR): Promise<BundledMue | undefined> =>
  readJsonPart<BundledMue>('mue', dir);

/** The shipped PFS RVU, GPCI and locality files. */
export const readBundledPfs = (dir: string = BUNDLED_DIR): Promise<BundledPfs | undefined> =>
  readJsonPart<BundledPfs>('pfs', dir);

/** The shipped place-of-service codes. */
export const readBundledPos = (dir: string = BUNDLED_DIR): Promise<BundledPos | undefined> =>
  readJsonPart<BundledPos>('pos', dir);
