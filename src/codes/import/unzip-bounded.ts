/**
 * Reads the wanted members of a zip with bounded memory: the file is streamed in small chunks
 * through fflate's streaming `Unzip`, every inflated byte is counted, and the read stops as soon
 * as the total passes the size or ratio limit. A zip bomb is therefore refused after inflating at
 * most the limit (plus one chunk), never expanded whole in memory. Node only.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import { CodeFileError } from './code-file-error.ts';
import { IMPORT_LIMITS, type ImportLimits } from './import-limits.ts';
import { errorMessage } from '../../errors/error-message.ts';

/**
 * 16 KiB of deflate expands to at most ~16 MiB (deflate's ratio tops out near 1032:1), which
 * bounds what one push can add beyond the limit.
 */
const CHUNK_BYTES = 16 * 1024;

const mib = (bytes: number): string => `${String(Math.round(bytes / (1024 * 1024)))} MB`;

/** The members whose names `want` accepts, by name; throws CodeFileError when the zip is too big, too compressed or unreadable. */
export async function unzipBounded(
  path: string,
  want: (name: string) => boolean,
  limits: ImportLimits = IMPORT_LIMITS,
): Promise<Record<string, Uint8Array>> {
  const zipBytes = (await stat(path)).size;
  const byRatio = Math.max(limits.ratioFloorBytes, zipBytes * limits.maxRatio);
  const budget = Math.min(limits.maxUnzippedBytes, byRatio);
  const refusal = (): CodeFileError =>
    budget === limits.maxUnzippedBytes
      ? new CodeFileError(
          path,
          0,
          `refused: it expands to more than ${mib(limits.maxUnzippedBytes)}, the most ChartBill reads from one zip`,
        )
      : new CodeFileError(
          path,
          0,
          `refused: it expands more than ${String(limits.maxRatio)} times its size (${mib(zipBytes)} to over ${mib(budget)}), as a zip bomb does`,
        );

  const files: Record<string, Uint8Array> = {};
  let inflated = 0;
  let failure: CodeFileError | undefined;
  const unzip = new Unzip((file: UnzipFile) => {
    // The size a member declares is checked first (cheap), but it can lie: the bytes are counted too.
    if (file.originalSize !== undefined && inflated + file.originalSize > budget)
      failure ??= refusal();
    if (failure) return;
    const keep = want(file.name);
    const chunks: Uint8Array[] = [];
    // Members not wanted are not started; fflate may still inflate one whose size it cannot
    // know (a streamed zip), so their bytes are counted as well.
    file.ondata = (err, chunk, final) => {
      if (failure) return;
      if (err) {
        failure = new CodeFileError(path, 0, `not a readable zip (${err.message})`);
        return;
      }
      inflated += chunk.length;
      if (inflated > budget) {
        failure = refusal();
        file.terminate();
        return;
      }
      if (!keep) return;
      chunks.push(chunk);
      if (final) files[file.name] = concat(chunks);
    };
    if (keep) file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
      unzip.push(chunk as Uint8Array);
      if (failure) break;
    }
    if (!failure) unzip.push(new Uint8Array(0), true);
  } catch (err) {
    failure ??= new CodeFileError(path, 0, `not a readable zip (${errorMessage(err)})`);
  }
  if (failure) throw failure;
  return files;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
