import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError } from '../errors/app-error.ts';

/** The largest ISA13 / GS06 control number (9 digits, X12.5). */
export const MAX_CONTROL_NUMBER = 999_999_999;

/**
 * Hands out interchange control numbers (ISA13, also used as GS06): unique per sender and never
 * reused, so a clearinghouse never takes a new file for a duplicate (X12.5: the receiver may
 * reject a repeated ISA13 from the same sender). Implementations: memory (tests), a file (one
 * machine), PostgreSQL (several workers).
 */
export interface ControlNumberStore {
  /** The next number, 1…999,999,999; never one handed out before. */
  next(): Promise<number>;
  close?(): Promise<void>;
}

export function memoryControlNumbers(start = 0): ControlNumberStore {
  let last = start;
  return {
    next() {
      if (last >= MAX_CONTROL_NUMBER) return Promise.reject(exhausted());
      last += 1;
      return Promise.resolve(last);
    },
  };
}

function exhausted(): AppError {
  return new AppError('CONFIG_INVALID', 'The X12 control numbers are used up (999,999,999)', {
    hint: 'Ask the clearinghouse for a new sender id (CHARTBILL_X12_SENDER_ID) and start a new store.',
  });
}

/**
 * Control numbers kept in a small file (`{"last": n}`), safe across processes on one machine: a
 * lock file taken with O_EXCL around read-increment-write, the write atomic (temp file + rename),
 * so a crash leaves the old or the new number, never a reused one.
 */
export function fileControlNumbers(path: string): ControlNumberStore {
  const lock = `${path}.lock`;
  return {
    async next() {
      await mkdir(dirname(path), { recursive: true });
      await takeLock(lock);
      try {
        const text = await readFile(path, 'utf8').catch((err: unknown) => {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '{"last":0}';
          throw err;
        });
        const last = Number((JSON.parse(text) as { last?: unknown }).last);
        if (!Number.isInteger(last) || last < 0)
          throw new AppError('CONFIG_INVALID', `The X12 control number file ${path} is damaged`, {
            hint: 'Restore it from a backup, or write {"last": N} with N above every number sent.',
          });
        if (last >= MAX_CONTROL_NUMBER) throw exhausted();
        const next = last + 1;
        await writeFile(`${path}.tmp`, JSON.stringify({ last: next }));
        await rename(`${path}.tmp`, path);
        return next;
      } finally {
        await rm(lock, { force: true });
      }
    },
  };
}

const STALE_LOCK_MS = 30_000;

async function takeLock(lock: string): Promise<void> {
  for (let attempt = 0; attempt < 2_000; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A holder that died leaves its lock: taken over once it is clearly stale.
      const info = await stat(lock).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > STALE_LOCK_MS) await rm(lock, { force: true });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  throw new AppError('LEDGER_UNAVAILABLE', `The X12 control number lock ${lock} stays taken`);
}
