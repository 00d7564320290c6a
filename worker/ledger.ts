/**
 * The worker's own state: where the encounter search left off (cursor) and, per encounter, how
 * far its claim got, with failed attempts and when to try again. Not clinical data: it holds
 * references and error codes, never names or amounts.
 */

/**
 * - `not-coded`: finished without billable charges (Task made); rechecked later.
 * - `held`: waiting for a person (no coverage, coverage inactive, scrub errors); rechecked later.
 * - `submitted`: the payer queued the claim; resubmitted later to fetch the answer.
 * - `answered`: the payer's final answer is recorded. Final.
 * - `failed`: an error; retried with backoff.
 * - `gave-up`: failed `maxAttempts` times. Final until someone resets it.
 */
export type ItemStage = 'not-coded' | 'held' | 'submitted' | 'answered' | 'failed' | 'gave-up';

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
  claimResponse?: string;
  outcome?: string;
}

export interface LedgerFilter {
  /** Only items due at or before this ISO instant. */
  dueBy?: string;
  stages?: readonly ItemStage[];
}

export interface Ledger {
  getCursor(name: string): Promise<string | undefined>;
  setCursor(name: string, value: string): Promise<void>;
  getItem(encounter: string): Promise<LedgerItem | undefined>;
  putItem(item: LedgerItem): Promise<void>;
  listItems(filter?: LedgerFilter): Promise<LedgerItem[]>;
}

const FINAL: ReadonlySet<ItemStage> = new Set(['answered', 'gave-up']);

/** True when the pipeline is done with the item and the worker does not look at it again. */
export function isFinal(item: LedgerItem | undefined): boolean {
  return item !== undefined && FINAL.has(item.stage);
}

/** Whether an item matches a filter; shared by the ledger implementations. */
export function matchesFilter(item: LedgerItem, filter: LedgerFilter = {}): boolean {
  if (filter.stages && !filter.stages.includes(item.stage)) return false;
  if (filter.dueBy !== undefined) {
    if (item.nextAttemptAt === undefined || isFinal(item)) return false;
    if (Date.parse(item.nextAttemptAt) > Date.parse(filter.dueBy)) return false;
  }
  return true;
}

/**
 * Wait before rechecking a held item: the configured interval, doubling each time it is still
 * held for the same reason, at most a day (an eligibility check per recheck costs the payer).
 */
export function recheckDelayMs(recheckMs: number, rechecks: number): number {
  return Math.min(recheckMs * 2 ** Math.min(rechecks, 20), 86_400_000);
}

/** Retry delay after `attempts` failures: 30 s doubling, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}
