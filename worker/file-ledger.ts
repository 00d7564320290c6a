import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AppError } from '../src/errors/app-error.ts';
import { createLeaseTable } from './lease-table.ts';
import { isFinal, selectItems, type Ledger, type LedgerItem } from './ledger.ts';
import { laterCursor } from './memory-ledger.ts';

const itemSchema = z.object({
  encounter: z.string().min(1),
  stage: z.enum(['pending', 'submitting', 'not-coded', 'held', 'submitted', 'answered', 'failed', 'gave-up']),
  attempts: z.number().int().min(0),
  reason: z.string().optional(),
  lastError: z.string().optional(),
  nextAttemptAt: z.string().optional(),
  updatedAt: z.string(),
  encounterVersion: z.string().optional(),
  rechecks: z.number().int().min(0).optional(),
  claim: z.string().optional(),
  claimVersion: z.string().optional(),
  outbox: z.string().optional(),
  claimResponse: z.string().optional(),
  outcome: z.string().optional(),
  patient: z.string().optional(),
  replacing: z.number().int().positive().optional(),
  replacements: z.number().int().min(0).optional(),
});

const fileSchema = z.object({
  version: z.literal(1),
  cursors: z.record(z.string(), z.string()),
  items: z.record(z.string(), itemSchema),
});

type LedgerFile = z.infer<typeof fileSchema>;

/** The first line of a journal ledger file. */
const HEADER = '{"chartbill-ledger":2}';

/** Appended lines beyond which the journal is rewritten as a snapshot (when mostly superseded). */
const COMPACT_MIN_LINES = 5000;

type Entry = { cursor: [string, string] } | { item: LedgerItem };

/**
 * A ledger kept in one file, for a single worker on one machine: a journal of JSON lines, one
 * per change, each appended and flushed to disk before the write returns, so a write costs the
 * same with ten items or a hundred thousand. Changes made while a flush is under way are written
 * and flushed together in the next (group commit), so encounters in flight do not queue behind
 * one another's fsyncs; lines keep the order the changes were made in. At open the journal is
 * replayed; a last line torn by a crash is dropped (its change was never acknowledged). When most
 * lines are superseded the journal is rewritten as a snapshot, atomically (temporary file, fsync,
 * rename). Leases live in the process (one machine, one worker process; after a crash the cursor
 * and the `pending`/`submitting` stages bring the work back). A ledger in the older
 * single-JSON-document format is read and rewritten as a journal.
 */
export async function openFileLedger(path: string, options: { now?: () => number; compactAfterLines?: number } = {}): Promise<Ledger> {
  const compactAfter = options.compactAfterLines ?? COMPACT_MIN_LINES;
  const loaded = await load(path);
  const state = loaded.state;
  const leases = createLeaseTable(options.now);
  let lines = loaded.lines;
  /** Items and cursors: the lines a snapshot would have. */
  let live = Object.keys(state.items).length + Object.keys(state.cursors).length;
  // A new, older-format or torn file is rewritten now: a ledger that cannot be written fails at start.
  if (loaded.rewrite) await writeSnapshot(path, state);
  let appender: FileHandle | undefined;
  /** Changes waiting for the next write, each with its caller's promise. */
  let queued: { line: string; done: () => void; failed: (err: unknown) => void }[] = [];
  let flushing: Promise<void> | undefined;

  async function append(text: string, count: number): Promise<void> {
    // O_DSYNC: each write returns once its lines are on disk, one call where write + fdatasync
    // took two (each a trip through libuv's thread pool).
    appender ??= await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC, 0o600);
    await appender.write(text);
    lines += count;
    if (lines > compactAfter && lines > 4 * live) {
      await appender.close();
      appender = undefined;
      await writeSnapshot(path, state);
      lines = live;
    }
  }

  /** Group commit: the changes made while one write is flushing go out together in the next. */
  async function flush(): Promise<void> {
    while (queued.length > 0) {
      const batch = queued;
      queued = [];
      try {
        await append(batch.map((b) => b.line).join(''), batch.length);
        for (const b of batch) b.done();
      } catch (err) {
        // A failed write fails the callers whose changes it carried; the next starts afresh.
        await appender?.close().catch(() => undefined);
        appender = undefined;
        for (const b of batch) b.failed(err);
      }
    }
    flushing = undefined;
  }

  function persist(entry: Entry): Promise<void> {
    return new Promise((resolve, reject) => {
      queued.push({ line: `${JSON.stringify(entry)}\n`, done: resolve, failed: reject });
      flushing ??= flush();
    });
  }

  return {
    getCursor: (name) => Promise.resolve(state.cursors[name]),
    setCursor: (name, value) => {
      if (!Object.hasOwn(state.cursors, name)) live += 1;
      const later = laterCursor(state.cursors[name], value);
      state.cursors[name] = later;
      return persist({ cursor: [name, later] });
    },
    getItem: (encounter) => {
      const item = state.items[encounter];
      return Promise.resolve(item ? { ...item } : undefined);
    },
    putItem: (item: LedgerItem) => {
      if (!Object.hasOwn(state.items, item.encounter)) live += 1;
      state.items[item.encounter] = { ...item };
      return persist({ item: { ...item } });
    },
    listItems: (filter) => {
      const found = selectItems({ get: (e) => Object.hasOwn(state.items, e) ? state.items[e] : undefined, all: () => Object.values(state.items) }, filter);
      if (filter?.dueBy !== undefined && !filter.patients && !filter.encounters && (!filter.stages || filter.stages.includes('pending'))) found.push(...leases.abandoned(filter.dueBy, (e) => Object.hasOwn(state.items, e)));
      return Promise.resolve(found);
    },
    acquireLease: (encounter, owner, ttlMs) => {
      const acquired = leases.acquire(encounter, owner, ttlMs);
      const item = state.items[encounter];
      return Promise.resolve({ acquired, item: item ? { ...item } : undefined });
    },
    renewLease: (encounter, owner, ttlMs) => Promise.resolve(leases.renew(encounter, owner, ttlMs)),
    releaseLease: (encounter, owner) => {
      leases.release(encounter, owner);
      return Promise.resolve();
    },
    countBacklog: () => Promise.resolve(Object.values(state.items).filter((i) => !isFinal(i)).length),
    close: async () => {
      await flushing;
      await appender?.close();
      appender = undefined;
    },
  };
}

interface Loaded {
  state: LedgerFile;
  /** Lines in the journal as read. */
  lines: number;
  /** Rewrite the file as a clean journal before the first write (older format, or a torn last line). */
  rewrite: boolean;
}

const HINT = 'Restore it from a backup or move it away to start over (the worker then rechecks recent encounters; its writes are idempotent).';

async function load(path: string): Promise<Loaded> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    // A new ledger: the file is made (with its header) before the first write.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: { version: 1, cursors: {}, items: {} }, lines: 0, rewrite: true };
    throw new AppError('CONFIG_INVALID', `Cannot read the worker ledger at ${path}`, { cause: err });
  }
  if (text.startsWith(HEADER)) return replay(path, text);
  // The older format: one JSON document.
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `The worker ledger at ${path} is not valid JSON`, { cause: err, hint: HINT });
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) throw new AppError('CONFIG_INVALID', `The worker ledger at ${path} has an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { cause: parsed.error, hint: HINT });
  return { state: parsed.data, lines: 0, rewrite: true };
}

const entrySchema = z.union([z.object({ cursor: z.tuple([z.string(), z.string()]) }), z.object({ item: itemSchema })]);

function replay(path: string, text: string): Loaded {
  const state: LedgerFile = { version: 1, cursors: {}, items: {} };
  const rows = text.split('\n');
  // Text after the last newline is a line whose write never finished: the change was not acknowledged.
  const torn = rows.pop() !== '';
  let lines = 0;
  for (const [index, row] of rows.entries()) {
    if (index === 0 || row === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(row);
    } catch (err) {
      throw new AppError('CONFIG_INVALID', `The worker ledger at ${path} is not valid JSON at line ${String(index + 1)}`, { cause: err, hint: HINT });
    }
    const entry = entrySchema.safeParse(json);
    if (!entry.success) throw new AppError('CONFIG_INVALID', `The worker ledger at ${path} has an unexpected entry at line ${String(index + 1)}: ${entry.error.issues[0]?.message ?? 'invalid'}`, { cause: entry.error, hint: HINT });
    if ('cursor' in entry.data) state.cursors[entry.data.cursor[0]] = entry.data.cursor[1];
    else state.items[entry.data.item.encounter] = entry.data.item;
    lines += 1;
  }
  return { state, lines, rewrite: torn };
}

/** The whole state as a fresh journal, written atomically. */
function writeSnapshot(path: string, state: LedgerFile): Promise<void> {
  const entries: Entry[] = [
    ...Object.entries(state.cursors).map(([name, value]): Entry => ({ cursor: [name, value] })),
    ...Object.values(state.items).map((item): Entry => ({ item })),
  ];
  return writeAtomically(path, [HEADER, ...entries.map((e) => JSON.stringify(e))].join('\n') + '\n');
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
