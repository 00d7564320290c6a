/**
 * Reads and writes imported releases under `<dataDir>/codes/`. Files are written to a temporary
 * name and renamed, so a crash mid-write never leaves a half file that start-up would load.
 * Files are checked with zod when read: they are a boundary (an admin may edit or copy them).
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../errors/app-error.ts';
import { storedFileName, storedRelease, type StoredRelease } from './stored-release.ts';

/** The folder imported releases live in. */
export function codesDir(dataDir: string): string {
  return join(dataDir, 'codes');
}

const STORED_NAME = /^(icd10cm|hcpcs|cpt)-(codes|notes|index|mce)-[0-9A-Za-z.-]+\.json$/;

/** Parses one stored file; a damaged file is an error naming it (re-import to fix). */
export function parseStoredRelease(text: string, file: string): StoredRelease {
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `${file} is not valid JSON`, {
      hint: 'Delete it and import the release again.',
      cause: err,
    });
  }
  const parsed = storedRelease.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      'CONFIG_INVALID',
      `${file} is not a ChartBill code file (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''})`,
      { hint: 'Delete it and import the release again.' },
    );
  }
  return parsed.data;
}

/** Every stored release (any order); none when the folder does not exist. */
export async function readStoredReleases(dataDir: string): Promise<StoredRelease[]> {
  const dir = codesDir(dataDir);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => STORED_NAME.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return Promise.all(
    names.map(async (name) =>
      parseStoredRelease(await readFile(join(dir, name), 'utf8'), join(dir, name)),
    ),
  );
}

/** Writes `release` (replacing the same system, layer and version); returns its path. */
export async function writeStoredRelease(dataDir: string, release: StoredRelease): Promise<string> {
  const dir = codesDir(dataDir);
  await mkdir(dir, { recursive: true });
  const path = join(dir, storedFileName(release));
  const temporary = `${path}.${String(process.pid)}.tmp`;
  await writeFile(temporary, JSON.stringify(release));
  await rename(temporary, path);
  return path;
}
