import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AppError } from '../src/errors/app-error.ts';
import { createLeaseTable } from './lease-table.ts';
import { isFinal, matchesFilter, type Ledger, type LedgerItem } from './ledger.ts';
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

/**
 * A ledger kept in one JSON file, for a single worker on one machine. Loaded at open; every
 * change rewrites the file atomically (write a temporary file beside it, fsync, rename), so a
 * crash leaves either the old or the new state, never half of one. Writes are serialized.
 * Leases live in the process (one machine, one worker process; after a crash the cursor and the
 * `pending`/`submitting` stages bring the work back).
 */
export async function openFileLedger(path: string, options: { now?: () => number } = {}): Promise<Ledger> {
  const state = await load(path);
  const leases = createLeaseTable(options.now);
  let writing: Promise<void> = Promise.resolve();

  function persist(): Promise<void> {
    const snapshot = JSON.stringify(state, null, 1);
    // A failed write fails its caller only; the next write starts from a clean chain.
    const next = writing.catch(() => undefined).then(() => writeAtomically(path, snapshot));
    writing = next;
    return next;
  }

  return {
    getCursor: (name) => Promise.resolve(state.cursors[name]),
    setCursor: (name, value) => {
      state.cursors[name] = laterCursor(state.cursors[name], value);
      return persist();
    },
    getItem: (encounter) => {
      const item = state.items[encounter];
      return Promise.resolve(item ? { ...item } : undefined);
    },
    putItem: (item: LedgerItem) => {
      state.items[item.encounter] = { ...item };
      return persist();
    },
    listItems: (filter) => {
      const found = Object.values(state.items).filter((i) => matchesFilter(i, filter)).map((i) => ({ ...i }));
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
    close: () => writing.catch(() => undefined),
  };
}

async function load(path: string): Promise<LedgerFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, cursors: {}, items: {} };
    throw new AppError('CONFIG_INVALID', `Cannot read the worker ledger at ${path}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `The worker ledger at ${path} is not valid JSON`, { cause: err, hint: 'Restore it from a backup or move it away to start over (the worker then rechecks recent encounters; its writes are idempotent).' });
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) throw new AppError('CONFIG_INVALID', `The worker ledger at ${path} has an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`, { cause: parsed.error });
  return parsed.data;
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
