import { open } from 'node:fs/promises';
import type { JournalFs } from '../../worker/ledger/ledger-journal.ts';

/** A disk for the file ledger's journal that fills up: set `room` and watch the writes. */
export interface FullDisk {
  fs: JournalFs;
  /** Bytes the disk still takes; a write beyond it is cut short, the next fails with ENOSPC. */
  room: number;
  /** At most this many bytes per `write` call (POSIX short writes); unlimited by default. */
  maxChunk: number;
  /** `ENOSPC` errors thrown so far. */
  refused: number;
  /** Writes that wrote fewer bytes than asked. */
  short: number;
}

/**
 * Real files through Node's `fs`, but with a disk that can run out of room: a fault a test
 * cannot otherwise cause without root and a small mount of its own. As on a real full disk, a
 * write that finds some room writes what fits and returns the count; the next one fails.
 */
export function fullDisk(room = Number.POSITIVE_INFINITY): FullDisk {
  const disk: FullDisk = {
    room,
    maxChunk: Number.POSITIVE_INFINITY,
    refused: 0,
    short: 0,
    fs: {
      open: async (path, flags, mode) => {
        const handle = await open(path, flags, mode);
        return {
          write: async (buffer, offset, length) => {
            if (disk.room <= 0) {
              disk.refused += 1;
              throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
                code: 'ENOSPC',
                errno: -28,
                syscall: 'write',
              });
            }
            const fits = Math.min(length, disk.room, disk.maxChunk);
            if (fits < length) disk.short += 1;
            const { bytesWritten } = await handle.write(buffer, offset, fits);
            disk.room -= bytesWritten;
            return { bytesWritten };
          },
          truncate: (length) => handle.truncate(length),
          datasync: () => handle.datasync(),
          stat: () => handle.stat(),
          close: () => handle.close(),
        };
      },
    },
  };
  return disk;
}
