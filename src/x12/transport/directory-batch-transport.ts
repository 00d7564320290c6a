import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../errors/app-error.ts';
import type { BatchTransport } from './clearinghouse-transport.ts';

/** The folders of a directory transport, under its root. */
export const DIRECTORY_LAYOUT = {
  /** ChartBill's files for the clearinghouse (837P). */
  outbound: 'outbound',
  /** The clearinghouse's files for ChartBill (999, TA1, 277CA, 835). */
  inbound: 'inbound',
  /** Inbound files ChartBill has read, and outbound files the clearinghouse has taken. */
  archive: 'archive',
} as const;

/** A file name this transport accepts: no folder, no hidden or temporary file. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * A clearinghouse exchange through a local folder: `outbound/` (ChartBill writes), `inbound/`
 * (ChartBill reads) and `archive/` (read files, and sent files a clearinghouse took). For files
 * received by other means (a portal download dropped in `inbound/`) and for tests. Every write
 * is a hidden temporary file renamed into place (POSIX rename is atomic within a file system), so
 * neither side ever reads half a file; dot files are never listed.
 */
export function createDirectoryBatchTransport(dir: string): BatchTransport {
  const path = (folder: keyof typeof DIRECTORY_LAYOUT, name = '') =>
    join(dir, DIRECTORY_LAYOUT[folder], name);
  let ready: Promise<void> | undefined;
  const ensure = () =>
    (ready ??= Promise.all(
      Object.keys(DIRECTORY_LAYOUT).map((f) =>
        mkdir(path(f as keyof typeof DIRECTORY_LAYOUT), { recursive: true }),
      ),
    ).then(() => undefined));
  const checked = (name: string) => {
    if (!SAFE_NAME.test(name))
      throw new AppError('PAYER_REJECTED', `'${name.slice(0, 40)}' is not a usable file name`);
    return name;
  };
  return {
    describe: `directory ${dir}`,
    async upload(name, content) {
      await ensure();
      const temporary = path('outbound', `.${checked(name)}.${String(process.pid)}.tmp`);
      await writeFile(temporary, content);
      await rename(temporary, path('outbound', name));
    },
    async exists(name) {
      await ensure();
      checked(name);
      return (await isFile(path('outbound', name))) || (await isFile(path('archive', name)));
    },
    async listInbound() {
      await ensure();
      const names = (await readdir(path('inbound'))).filter((n) => SAFE_NAME.test(n));
      const dated = await Promise.all(
        names.map(async (name) => ({ name, at: (await stat(path('inbound', name))).mtimeMs })),
      );
      // Oldest first, as the clearinghouse sent them; the name breaks ties.
      return dated.sort((a, b) => a.at - b.at || a.name.localeCompare(b.name)).map((d) => d.name);
    },
    async download(name) {
      return readFile(path('inbound', checked(name)), 'utf8');
    },
    async archiveInbound(name) {
      await ensure();
      try {
        await rename(path('inbound', checked(name)), path('archive', name));
      } catch (err) {
        // Archived already (a second call after a crash): nothing to do.
        if (
          (err as NodeJS.ErrnoException).code === 'ENOENT' &&
          (await isFile(path('archive', name)))
        )
          return;
        throw err;
      }
    },
    close: () => Promise.resolve(),
  };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
