import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readJsonIfPresent, writeJsonAtomically } from '../store/json-file.ts';
import {
  fileControlNumbers,
  memoryControlNumbers,
  type ControlNumberStore,
} from './control-numbers.ts';

/** One claim's 837P as ChartBill sent it (or was about to): its interchange control number. */
export interface X12Submission {
  /** ISA13/GS06 of the claim's interchange: fixed once taken, so its file name is too. */
  control: number;
  /** When the number was taken (about when the file went out), ISO instant. */
  at: string;
  /** When the clearinghouse was last asked about the claim (276), ISO instant. */
  askedAt?: string;
}

/**
 * What the X12 path keeps per claim so exactly-once holds across a crash: the interchange
 * control number its 837P carries, taken once per claim (keyed by CLM01) and kept, so the file
 * a retry would send has the name the first attempt gave it and `BatchTransport.exists` can tell
 * whether it already went out. Also hands out plain control numbers (270, 276) from the same
 * sequence, so no number is ever used twice. Memory (tests), a file (one machine), PostgreSQL
 * (several workers; `openPostgresX12Submissions`).
 */
export interface X12SubmissionStore {
  /** The claim's submission, taking a new control number the first time. */
  take(key: string, now: Date): Promise<X12Submission>;
  /** The claim's submission, if a number was ever taken for it. */
  find(key: string): Promise<X12Submission | undefined>;
  /** Records that the clearinghouse was asked about the claim (a 276) at `at`. */
  markAsked(key: string, at: Date): Promise<void>;
  /**
   * Forgets the claim's submission when its interchange is `control`: the clearinghouse refused
   * that interchange whole (TA1 rejection), so nothing in it was received, and the claim goes out
   * again under a new control number (a new file name). A newer submission is left alone.
   */
  release(key: string, control: number): Promise<void>;
  /** A control number for an interchange that is no claim (270, 276). */
  next(): Promise<number>;
  close?(): Promise<void>;
}

/** In memory, over a control number store (tests; numbers are lost with the process). */
export function memoryX12Submissions(
  numbers: ControlNumberStore = memoryControlNumbers(),
): X12SubmissionStore {
  const entries = new Map<string, X12Submission>();
  return {
    async take(key, now) {
      const known = entries.get(key);
      if (known) return { ...known };
      const entry = { control: await numbers.next(), at: now.toISOString() };
      entries.set(key, entry);
      return { ...entry };
    },
    find: (key) => {
      const known = entries.get(key);
      return Promise.resolve(known ? { ...known } : undefined);
    },
    markAsked(key, at) {
      const known = entries.get(key);
      if (known) known.askedAt = at.toISOString();
      return Promise.resolve();
    },
    release(key, control) {
      if (entries.get(key)?.control === control) entries.delete(key);
      return Promise.resolve();
    },
    next: () => numbers.next(),
  };
}

/**
 * In files beside the file ledger: the control numbers in `<path>.numbers.json`
 * (fileControlNumbers, locked), the claims' entries in `<path>` written atomically. One worker
 * per file ledger, so the entries need no lock of their own.
 */
export function fileX12Submissions(path: string): X12SubmissionStore {
  const numbers = fileControlNumbers(`${path}.numbers.json`);
  let cache: Record<string, X12Submission> | undefined;
  const load = async () => {
    if (cache) return cache;
    await mkdir(dirname(path), { recursive: true });
    cache = ((await readJsonIfPresent(path)) ?? {}) as Record<string, X12Submission>;
    return cache;
  };
  return {
    async take(key, now) {
      const entries = await load();
      const known = entries[key];
      if (known) return { ...known };
      const entry = { control: await numbers.next(), at: now.toISOString() };
      entries[key] = entry;
      await writeJsonAtomically(path, entries);
      return { ...entry };
    },
    async find(key) {
      const known = (await load())[key];
      return known ? { ...known } : undefined;
    },
    async markAsked(key, at) {
      const entries = await load();
      const known = entries[key];
      if (!known) return;
      known.askedAt = at.toISOString();
      await writeJsonAtomically(path, entries);
    },
    async release(key, control) {
      const entries = await load();
      if (entries[key]?.control !== control) return;
      cache = Object.fromEntries(Object.entries(entries).filter(([k]) => k !== key));
      await writeJsonAtomically(path, cache);
    },
    next: () => numbers.next(),
  };
}
