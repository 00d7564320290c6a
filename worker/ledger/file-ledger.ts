import { constants } from 'node:fs';
import { AppError } from '../../src/errors/app-error.ts';
import type { Logger } from '../../src/log/create-logger.ts';
import { createLeaseTable } from './lease-table.ts';
import { canTransition, transitionRefused } from './item-states.ts';
import { isFinal, selectItems, type Ledger, type LedgerHealth, type LedgerItem } from './ledger.ts';
import {
  loadJournal,
  nodeJournalFs,
  writeSnapshot,
  type Entry,
  type JournalFs,
  type JournalHandle,
} from './ledger-journal.ts';
import { laterCursor } from './memory-ledger.ts';
import { errorMessage } from '../../src/errors/error-message.ts';

/** Appended lines beyond which the journal is rewritten as a snapshot (when mostly superseded). */
const COMPACT_MIN_LINES = 5000;

/** Bytes written (then cut off again) to see whether a full disk has room again. */
const PROBE_BYTES = 4096;

export interface FileLedgerOptions {
  now?: () => number;
  compactAfterLines?: number;
  /** Where refused writes and a recovered journal are reported; silent when absent. */
  log?: Logger;
  /** The file-system calls on the journal (tests inject a full disk here). */
  fs?: JournalFs;
}

/** One change waiting for the next write, with its caller's promise. */
interface Queued {
  line: string;
  /** Applies the change to the state in memory, once it is on disk. */
  apply: () => void;
  done: () => void;
  failed: (err: unknown) => void;
}

/**
 * A ledger kept in one file, for a single worker on one machine: a journal of JSON lines, one
 * per change, each appended and flushed to disk before the write returns, so a write costs the
 * same with ten items or a hundred thousand. Changes made while a flush is under way are written
 * and flushed together in the next (group commit); lines keep the order the changes were made in.
 *
 * A write lands whole or is refused: a short write is continued, and a write that fails part-way
 * (`ENOSPC`) is cut off the file again, so the journal always ends on a whole line. The state in
 * memory changes only once its line is on disk, so it never says more than the file. While writes
 * are refused, `health()` says so and `ensureWritable()` (asked before each tick) tries a write.
 *
 * At open the journal is replayed; a damaged line anywhere ends the replay, and the rest is moved
 * to a side file and reported (see ledger-journal.ts). When most lines are superseded the journal
 * is rewritten as a snapshot, atomically. Leases live in the process (one worker process; after a
 * crash the cursor and the `pending`/`submitting` stages bring the work back). A ledger in the
 * older single-JSON-document format is read and rewritten as a journal.
 */
export async function openFileLedger(
  path: string,
  options: FileLedgerOptions = {},
): Promise<Ledger> {
  const compactAfter = options.compactAfterLines ?? COMPACT_MIN_LINES;
  const clock = () => new Date(options.now?.() ?? Date.now());
  const loaded = await loadJournal(path, clock);
  const state = loaded.state;
  const health: LedgerHealth = {
    writable: true,
    ...(loaded.quarantine ? { quarantine: loaded.quarantine } : {}),
  };
  if (loaded.quarantine) {
    const { line, lines, file } = loaded.quarantine;
    options.log?.error(
      { line, lines, quarantine: file },
      'ledger journal damaged: recovered the changes before the damaged line, moved the rest aside; claims already made are checked with the payer before any is sent',
    );
  }
  // A new, older-format or damaged file is rewritten now: a ledger that cannot be written fails at start.
  if (loaded.rewrite) await writeSnapshot(path, state);
  const journal = journalAppender(path, options.fs ?? nodeJournalFs);
  const leases = createLeaseTable(options.now);
  let lines = loaded.lines;
  /** Items and cursors: the lines a snapshot would have. */
  let live = Object.keys(state.items).length + Object.keys(state.cursors).length;
  let queued: Queued[] = [];
  /** Items changed but not yet on disk: the next change to one is checked against it. */
  const ahead = new Map<string, LedgerItem>();
  let flushing: Promise<void> | undefined;

  function refused(err: unknown): void {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const message = errorMessage(err);
    if (health.writable)
      options.log?.error(
        { code, err: message },
        'ledger write refused: no new work is taken until the ledger can be written again',
      );
    Object.assign(health, {
      writable: false,
      error: `${code}: ${message}`,
      since: health.since ?? clock().toISOString(),
    });
  }

  function writable(): void {
    if (!health.writable) options.log?.info({ since: health.since }, 'ledger writable again');
    health.writable = true;
    delete health.error;
    delete health.since;
  }

  /** Group commit: the changes made while one write is flushing go out together in the next. */
  async function flush(): Promise<void> {
    while (queued.length > 0) {
      const batch = queued;
      queued = [];
      try {
        await journal.append(batch.map((b) => b.line).join(''));
      } catch (err) {
        // Nothing of the batch is on disk, so nothing of it is in memory: its callers are told.
        refused(err);
        for (const b of batch) b.failed(err);
        continue;
      }
      writable();
      for (const b of batch) b.apply();
      lines += batch.length;
      for (const b of batch) b.done();
      await compactIfMostlySuperseded();
    }
    flushing = undefined;
  }

  async function compactIfMostlySuperseded(): Promise<void> {
    if (lines <= compactAfter || lines <= 4 * live) return;
    try {
      await journal.close();
      await writeSnapshot(path, state);
      lines = live;
    } catch (err) {
      // The journal is whole and the changes are on it; the snapshot waits for the next write.
      options.log?.warn({ err: errorMessage(err) }, 'ledger snapshot failed; the journal is kept');
    }
  }

  function persist(entry: Entry, apply: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      queued.push({ line: `${JSON.stringify(entry)}\n`, apply, done: resolve, failed: reject });
      flushing ??= flush();
    });
  }

  /** While writes are refused no encounter is taken: its outcome could not be recorded. */
  function unwritable(): AppError {
    return new AppError(
      'LEDGER_UNAVAILABLE',
      `The worker ledger at ${path} cannot be written (${health.error ?? 'unknown'}); no new work is taken until it can`,
    );
  }

  return {
    getCursor: (name) => Promise.resolve(state.cursors[name]),
    setCursor: (name, value) => {
      const entry: Entry = { cursor: [name, laterCursor(state.cursors[name], value)] };
      return persist(entry, () => {
        if (!Object.hasOwn(state.cursors, name)) live += 1;
        state.cursors[name] = laterCursor(state.cursors[name], value);
      });
    },
    getItem: (encounter) => {
      const item = state.items[encounter];
      return Promise.resolve(item ? { ...item } : undefined);
    },
    putItem: (item: LedgerItem) => {
      // Checked against the latest change, written or still queued, so changes made at once are
      // checked in the order they are written.
      const current =
        ahead.get(item.encounter) ??
        (Object.hasOwn(state.items, item.encounter) ? state.items[item.encounter] : undefined);
      if (!canTransition(current, item.stage))
        return Promise.reject(transitionRefused(item.encounter, current, item.stage));
      const copy = { ...item };
      ahead.set(item.encounter, copy);
      const settled = () => {
        if (ahead.get(item.encounter) === copy) ahead.delete(item.encounter);
      };
      return persist({ item: copy }, () => {
        if (!Object.hasOwn(state.items, item.encounter)) live += 1;
        state.items[item.encounter] = { ...copy };
      }).finally(settled);
    },
    listItems: (filter) => {
      const found = selectItems(
        {
          get: (e) => (Object.hasOwn(state.items, e) ? state.items[e] : undefined),
          all: () => Object.values(state.items),
        },
        filter,
      );
      if (
        filter?.dueBy !== undefined &&
        !filter.patients &&
        !filter.encounters &&
        (!filter.stages || filter.stages.includes('pending'))
      )
        found.push(...leases.abandoned(filter.dueBy, (e) => Object.hasOwn(state.items, e)));
      return Promise.resolve(found);
    },
    acquireLease: (encounter, owner, ttlMs) => {
      if (!health.writable) return Promise.reject(unwritable());
      const acquired = leases.acquire(encounter, owner, ttlMs);
      const item = state.items[encounter];
      return Promise.resolve({ acquired, item: item ? { ...item } : undefined });
    },
    renewLease: (encounter, owner, ttlMs) => Promise.resolve(leases.renew(encounter, owner, ttlMs)),
    releaseLease: (encounter, owner) => {
      leases.release(encounter, owner);
      return Promise.resolve();
    },
    countBacklog: () =>
      Promise.resolve(Object.values(state.items).filter((i) => !isFinal(i)).length),
    health: () => structuredClone(health),
    ensureWritable: async () => {
      if (health.writable) return;
      await flushing;
      try {
        await journal.probe(PROBE_BYTES);
        writable();
      } catch (err) {
        refused(err);
        throw unwritable();
      }
    },
    close: async () => {
      await flushing;
      await journal.close();
    },
  };
}

interface JournalAppender {
  /** Appends `text` whole, or fails with the file as it was. */
  append(text: string): Promise<void>;
  /** Writes `bytes` of blank line and cuts them off again: fails while the disk has no room. */
  probe(bytes: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Appends to the journal so that it always ends on a whole line. POSIX lets `write` write fewer
 * bytes than asked (a disk filling up); the rest is written in further calls, and when one fails
 * the file is truncated back to where the batch began. A file that could not be cut back is cut
 * before anything else is written.
 */
function journalAppender(path: string, fs: JournalFs): JournalAppender {
  let handle: JournalHandle | undefined;
  /** The file's length as far as whole lines go. */
  let size = 0;
  /** Bytes of a failed write may still be on disk past `size`. */
  let dirty = false;

  async function opened(): Promise<JournalHandle> {
    if (handle) return handle;
    // O_DSYNC: each write returns once its lines are on disk, one call where write + fdatasync took two.
    const fresh = await fs.open(
      path,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC,
      0o600,
    );
    try {
      // After a failed cut-back the known length stands: the file's own includes the torn tail.
      if (!dirty) size = (await fresh.stat()).size;
    } catch (err) {
      await fresh.close().catch(() => undefined);
      throw err;
    }
    handle = fresh;
    return fresh;
  }

  async function cutBack(file: JournalHandle): Promise<void> {
    await file.truncate(size);
    await file.datasync();
    dirty = false;
  }

  async function writeWhole(file: JournalHandle, buffer: Buffer): Promise<void> {
    let offset = 0;
    while (offset < buffer.length) {
      const { bytesWritten } = await file.write(buffer, offset, buffer.length - offset);
      // Zero bytes and no error: as good as full (never loop on it).
      if (bytesWritten <= 0)
        throw Object.assign(new Error('no space left on device (write made no progress)'), {
          code: 'ENOSPC',
        });
      offset += bytesWritten;
    }
  }

  async function attempt(buffer: Buffer, keep: boolean): Promise<void> {
    const file = await opened();
    if (dirty) await cutBack(file);
    try {
      dirty = true;
      await writeWhole(file, buffer);
    } catch (err) {
      await cutBack(file).catch(() => undefined);
      throw err;
    }
    if (keep) {
      size += buffer.length;
      dirty = false;
    } else await cutBack(file);
  }

  async function closeHandle(): Promise<void> {
    const file = handle;
    handle = undefined;
    await file?.close();
  }

  return {
    append: (text) => attempt(Buffer.from(text, 'utf8'), true),
    probe: (bytes) => attempt(Buffer.from(`${' '.repeat(bytes - 1)}\n`, 'utf8'), false),
    async close() {
      // A cut-back still owed is tried once more; if it fails, the next open drops the torn tail.
      if (dirty && handle) await cutBack(handle).catch(() => undefined);
      await closeHandle();
    },
  };
}
