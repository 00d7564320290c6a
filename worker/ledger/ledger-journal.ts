import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../src/errors/app-error.ts';
import { ITEM_STAGES } from './item-states.ts';
import type { LedgerHealth, LedgerItem } from './ledger.ts';
import { laterCursor } from './memory-ledger.ts';

/**
 * The file-system calls the file ledger makes on its journal. Node's `fs/promises` by default;
 * tests pass one whose writes come up short or fail with `ENOSPC`, a full disk being a fault a
 * test cannot otherwise cause without root and a mount of its own.
 */
export interface JournalFs {
  open(path: string, flags: number, mode: number): Promise<JournalHandle>;
}

/** The calls made on an open journal; a subset of Node's `FileHandle`. */
export interface JournalHandle {
  /** May write fewer bytes than asked (POSIX short write), or fail (`ENOSPC`). */
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  datasync(): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

export const nodeJournalFs: JournalFs = { open: (path, flags, mode) => open(path, flags, mode) };

const itemSchema = z.object({
  encounter: z.string().min(1),
  stage: z.enum(ITEM_STAGES),
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
  submittedAt: z.string().optional(),
  claimResponse: z.string().optional(),
  outcome: z.string().optional(),
  patient: z.string().optional(),
  replacing: z.number().int().positive().optional(),
  replacements: z.number().int().min(0).optional(),
  appeal: z
    .object({ task: z.string(), claim: z.string(), until: z.string(), nextAt: z.string() })
    .optional(),
});

const fileSchema = z.object({
  version: z.literal(1),
  cursors: z.record(z.string(), z.string()),
  items: z.record(z.string(), itemSchema),
});

export type LedgerFile = z.infer<typeof fileSchema>;

/** One journal line: a cursor moved or an item's new state. */
export type Entry = { cursor: [string, string] } | { item: LedgerItem };

const entrySchema = z.union([
  z.object({ cursor: z.tuple([z.string(), z.string()]) }),
  z.object({ item: itemSchema }),
]);

/** The first line of a journal ledger file. */
export const HEADER = '{"chartbill-ledger":2}';

export interface LoadedJournal {
  state: LedgerFile;
  /** Lines in the journal as read. */
  lines: number;
  /** Rewrite the file as a clean journal before the first write (new, older format, torn). */
  rewrite: boolean;
  /** Set when a damaged line was found: the lines from it on were moved to a side file. */
  quarantine?: NonNullable<LedgerHealth['quarantine']>;
}

const HINT =
  'Restore it from a backup or move it away to start over (the worker then asks the payer about every claim it finds already made before sending it).';

/**
 * Reads the ledger at `path`. A journal is replayed up to its first unreadable line (a write
 * torn by a crash or a full disk): what comes after is moved to `<path>.quarantined-<time>` and
 * reported, and the worker starts from what was readable. Only a file in the older one-document
 * format that does not parse is refused: it has no lines to recover up to.
 */
export async function loadJournal(path: string, now: () => Date): Promise<LoadedJournal> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    // A new ledger: the file is made (with its header) before the first write.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { state: { version: 1, cursors: {}, items: {} }, lines: 0, rewrite: true };
    throw new AppError('CONFIG_INVALID', `Cannot read the worker ledger at ${path}`, {
      cause: err,
    });
  }
  if (text.startsWith(HEADER)) return replay(path, text, now);
  // The older format: one JSON document.
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `The worker ledger at ${path} is not valid JSON`, {
      cause: err,
      hint: HINT,
    });
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success)
    throw new AppError(
      'CONFIG_INVALID',
      `The worker ledger at ${path} has an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      { cause: parsed.error, hint: HINT },
    );
  return { state: parsed.data, lines: 0, rewrite: true };
}

async function replay(path: string, text: string, now: () => Date): Promise<LoadedJournal> {
  const state: LedgerFile = { version: 1, cursors: {}, items: {} };
  const rows = text.split('\n');
  // Text after the last newline is a line whose write never finished: the change was not acknowledged.
  const torn = rows.pop() !== '';
  let lines = 0;
  for (const [index, row] of rows.entries()) {
    // Blank lines: a free-space probe a crash left behind (see file-ledger.ts).
    if (index === 0 || row.trim() === '') continue;
    const entry = parseEntry(row);
    if (!entry) return quarantineFrom(path, rows, index, state, lines, now);
    if ('cursor' in entry)
      state.cursors[entry.cursor[0]] = laterCursor(state.cursors[entry.cursor[0]], entry.cursor[1]);
    else state.items[entry.item.encounter] = entry.item;
    lines += 1;
  }
  return { state, lines, rewrite: torn };
}

function parseEntry(row: string): Entry | undefined {
  try {
    const entry = entrySchema.safeParse(JSON.parse(row));
    return entry.success ? entry.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A line in the middle that does not read (a write cut short, then appended onto): everything
 * before it stands; it and the rest are kept aside, byte for byte, for a person to look at.
 * The rest is not replayed: after a torn line nothing says which later lines are whole changes.
 */
async function quarantineFrom(
  path: string,
  rows: string[],
  index: number,
  state: LedgerFile,
  lines: number,
  now: () => Date,
): Promise<LoadedJournal> {
  const file = `${path}.quarantined-${now().toISOString().replace(/[:.]/g, '-')}`;
  const rest = rows.slice(index);
  await writeFile(file, `${rest.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
  return { state, lines, rewrite: true, quarantine: { file, line: index + 1, lines: rest.length } };
}

/** The whole state as a fresh journal, written atomically (temporary file, fsync, rename). */
export function writeSnapshot(path: string, state: LedgerFile): Promise<void> {
  const entries: Entry[] = [
    ...Object.entries(state.cursors).map(([name, value]): Entry => ({ cursor: [name, value] })),
    ...Object.values(state.items).map((item): Entry => ({ item })),
  ];
  return writeAtomically(
    path,
    [HEADER, ...entries.map((e) => JSON.stringify(e))].join('\n') + '\n',
  );
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    // A full disk fails the snapshot: the journal it was to replace is still whole.
    await rm(temp, { force: true });
    throw err;
  }
}
