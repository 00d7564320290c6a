import { readFile, rename, writeFile } from 'node:fs/promises';

/**
 * Writes `data` as JSON to `path` so a reader sees the old file or the new one, never half of
 * either: a temporary file beside it, then a rename (atomic within one file system, POSIX).
 */
export async function writeJsonAtomically(path: string, data: unknown): Promise<void> {
  const temporary = `${path}.${String(process.pid)}.tmp`;
  await writeFile(temporary, JSON.stringify(data));
  await rename(temporary, path);
}

/** The parsed JSON at `path`, or undefined when there is no such file (nothing imported yet). */
export async function readJsonIfPresent(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as unknown;
}
