import { FINAL_STAGES, type ItemStage } from './item-states.ts';

/**
 * The worker's own state: where the encounter search left off (cursor) and, per encounter, how
 * far its claim got, with failed attempts and when to try again. Not clinical data: it holds
 * references and error codes, never names or amounts.
 */

/** An item's stages and the transitions between them are declared in item-states.ts. */
export type { ItemStage } from './item-states.ts';

export interface LedgerItem {
  /** `Encounter/123` */
  encounter: string;
  stage: ItemStage;
  /** Failed attempts in a row. */
  attempts: number;
  /** Why it is held (a work-item code) or the last error's message. */
  reason?: string;
  lastError?: string;
  /** ISO instant after which the item is due again; absent for final items. */
  nextAttemptAt?: string;
  updatedAt: string;
  /** The Encounter's meta.versionId (or lastUpdated) when last handled: a change makes it due. */
  encounterVersion?: string;
  /** Times in a row the item was rechecked and still held for the same reason. */
  rechecks?: number;
  claim?: string;
  /**
   * The version of the draft claim as the worker last wrote it: a draft at another version was
   * edited by billing staff, and is scrubbed as they left it instead of rebuilt from the chart.
   */
  claimVersion?: string;
  /**
   * The outbox: the claim (`Claim/123`) whose submission was started without its final answer
   * recorded. Until it is cleared, the payer is asked for its answer before any resubmission.
   */
  outbox?: string;
  /**
   * ISO instant the claim (`claim`) was sent to the payer: a claim left unanswered long after it
   * becomes a `claim-no-answer` work item (worker/pipeline/stages/no-answer.ts).
   */
  submittedAt?: string;
  claimResponse?: string;
  outcome?: string;
  /** `Patient/123`: whose encounter it is (a changed Coverage of this patient makes it due). */
  patient?: string;
  /** The replacement (1, 2, …) being worked on after a denial, until its answer is recorded. */
  replacing?: number;
  /** Replacement claims answered so far. */
  replacements?: number;
  /**
   * An appeal of the answered claim waits for the payer's decision (worker/pipeline/stages/
   * follow-appeals.ts): the appeal Task, the claim, the appeal deadline (YYYY-MM-DD) and when to
   * ask the payer next. Only items with one are followed, so no appeal costs nothing.
   */
  appeal?: LedgerAppeal;
}

/** The appeal an answered item waits on (LedgerItem.appeal). */
export interface LedgerAppeal {
  /** `Task/123` */
  task: string;
  /** `Claim/123` */
  claim: string;
  /** The appeal deadline (YYYY-MM-DD): no inquiry after it. */
  until: string;
  /** ISO instant of the next status inquiry. */
  nextAt: string;
}

export interface LedgerFilter {
  /** Only items due at or before this ISO instant. */
  dueBy?: string;
  stages?: readonly ItemStage[];
  /** Only items of these patients (`Patient/123`). */
  patients?: readonly string[];
  /** Only these encounters (`Encounter/123`). */
  encounters?: readonly string[];
  /** Only items whose appeal's next inquiry is at or before this ISO instant. */
  appealsDueBy?: string;
}

/** The answer to a lease request. */
export interface LeaseResult {
  /** False when another owner holds an unexpired lease on the encounter. */
  acquired: boolean;
  /** The item as the ledger has it now (another worker may have moved it on since it was found). */
  item: LedgerItem | undefined;
}

export interface Ledger {
  getCursor(name: string): Promise<string | undefined>;
  /** Moves the cursor forward; a value older than the stored one is ignored (several workers). */
  setCursor(name: string, value: string): Promise<void>;
  /** The item's last recorded state; undefined when never recorded (a bare lease is no state). */
  getItem(encounter: string): Promise<LedgerItem | undefined>;
  /**
   * Records the item's new state. Refused with `LEDGER_TRANSITION_REFUSED` when its stage may not
   * follow the recorded one (item-states.ts), e.g. over a final answer: nothing is written.
   */
  putItem(item: LedgerItem): Promise<void>;
  /**
   * Items matching the filter. With `dueBy`, also encounters whose lease expired before any
   * state was recorded, as `pending` items: their worker died, someone else must take them.
   */
  listItems(filter?: LedgerFilter): Promise<LedgerItem[]>;
  /**
   * Claims the encounter for `owner` for `ttlMs`, unless another owner holds an unexpired
   * lease. The owner that holds it may call again to renew. Atomic: two workers never both
   * get it.
   */
  acquireLease(encounter: string, owner: string, ttlMs: number): Promise<LeaseResult>;
  /** Extends a lease `owner` holds; false when it was lost (expired and taken by another). */
  renewLease(encounter: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (no-op unless `owner` holds it). */
  releaseLease(encounter: string, owner: string): Promise<void>;
  /** Number of items not final (held, failed, queued, in flight): the backlog metric. */
  countBacklog(): Promise<number>;
  close(): Promise<void>;
  /** What the ledger reports on `/healthz` and `/metrics`; absent when it has nothing to say. */
  health?(): LedgerHealth;
  /**
   * Resolves when the ledger takes writes; while they are refused (a full disk) it tries one
   * and throws `LEDGER_UNAVAILABLE` if that fails too. The worker calls it before taking work.
   */
  ensureWritable?(): Promise<void>;
}

/** A ledger's own state, for `/healthz` and `/metrics`. */
export interface LedgerHealth {
  /** False while writes are refused (e.g. the disk is full): the worker takes no new work. */
  writable: boolean;
  /** Why the last write was refused, e.g. `ENOSPC: no space left on device`. */
  error?: string;
  /** ISO instant of the first refused write since the ledger last wrote successfully. */
  since?: string;
  /** A damaged journal recovered at start: the line where it broke and where the rest went. */
  quarantine?: { file: string; line: number; lines: number };
}

/**
 * True when the pipeline is done with the item: never due by time, not in the backlog. (An
 * answered denial is reopened only by a change to its coding; see item-states.ts.)
 */
export function isFinal(item: LedgerItem | undefined): boolean {
  return item !== undefined && FINAL_STAGES.includes(item.stage);
}

/**
 * The items a filter selects, as copies; shared by the in-process ledgers. Named encounters are
 * looked up, not searched for, and the filter's lists become sets once per call: a tick after a
 * burst asks about thousands of encounters or patients, against a ledger of as many items.
 */
export function selectItems(
  items: { get(encounter: string): LedgerItem | undefined; all(): Iterable<LedgerItem> },
  filter: LedgerFilter = {},
): LedgerItem[] {
  const stages = filter.stages ? new Set(filter.stages) : undefined;
  const patients = filter.patients ? new Set(filter.patients) : undefined;
  const dueBy = filter.dueBy === undefined ? undefined : Date.parse(filter.dueBy);
  const appealsDueBy =
    filter.appealsDueBy === undefined ? undefined : Date.parse(filter.appealsDueBy);
  const matches = (item: LedgerItem): boolean => {
    if (stages && !stages.has(item.stage)) return false;
    if (patients && (item.patient === undefined || !patients.has(item.patient))) return false;
    if (appealsDueBy !== undefined) {
      if (!item.appeal || Date.parse(item.appeal.nextAt) > appealsDueBy) return false;
    }
    if (dueBy !== undefined) {
      if (item.nextAttemptAt === undefined || isFinal(item)) return false;
      if (Date.parse(item.nextAttemptAt) > dueBy) return false;
    }
    return true;
  };
  const candidates = filter.encounters
    ? [...new Set(filter.encounters)].map((e) => items.get(e))
    : items.all();
  const found: LedgerItem[] = [];
  for (const item of candidates) if (item && matches(item)) found.push({ ...item });
  return found;
}

/** How much longer each wait before rechecking a held item is than the one before. */
export const RECHECK_FACTOR = 4;

/**
 * Wait before rechecking a held item: the configured interval, four times longer each time it
 * is still held for the same reason (15 min, 1 h, 4 h, 16 h with the defaults), at most `maxMs`
 * (a day by default). Each recheck of a coverage hold asks the payer again, and a clearinghouse
 * bills per 270: a held encounter costs five checks on its first day, then one a day. A change
 * to the patient's Coverage or the coding makes it due at once instead (find-changes.ts).
 */
export function recheckDelayMs(recheckMs: number, rechecks: number, maxMs = 86_400_000): number {
  return Math.min(recheckMs * RECHECK_FACTOR ** Math.min(rechecks, 20), maxMs);
}

/** Retry delay after `attempts` failures: `baseMs` (30 s) doubling, at most an hour. */
export function retryDelayMs(attempts: number, baseMs = 30_000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
}
