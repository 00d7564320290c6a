/**
 * The first check of every file an admin imports (`chartbill codes import`, `chartbill ncci
 * import`): it exists, is a regular file, can be read, and is not larger than an importer can
 * hold. A mistyped path or a folder then gets one line naming it, not a Node stack trace.
 */
import { access, constants, stat } from 'node:fs/promises';
import { CodeFileError } from './code-file-error.ts';
import { IMPORT_LIMITS } from './import-limits.ts';

const mib = (bytes: number): string => `${String(Math.round(bytes / (1024 * 1024)))} MB`;

/** Throws CodeFileError (one line, naming the file) unless `path` is a readable file of a size ChartBill imports. */
export async function checkImportFile(
  path: string,
  maxFileBytes = IMPORT_LIMITS.maxFileBytes,
): Promise<void> {
  const info = await stat(path).catch((err: unknown) => {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new CodeFileError(path, 0, 'no such file');
    if (code === 'EACCES' || code === 'EPERM')
      throw new CodeFileError(path, 0, 'cannot be read (permission denied)');
    throw new CodeFileError(path, 0, `cannot be read (${code ?? 'unknown error'})`);
  });
  if (info.isDirectory())
    throw new CodeFileError(path, 0, 'is a folder, not a file: name the file inside it');
  if (!info.isFile()) throw new CodeFileError(path, 0, 'is not a regular file');
  await access(path, constants.R_OK).catch(() => {
    throw new CodeFileError(path, 0, 'cannot be read (permission denied)');
  });
  if (info.size > maxFileBytes) {
    throw new CodeFileError(
      path,
      0,
      `is ${mib(info.size)}, larger than the ${mib(maxFileBytes)} ChartBill imports from one file`,
    );
  }
}
