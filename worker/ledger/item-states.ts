import { AppError } from '../../src/errors/app-error.ts';

/**
 * The life of a ledger item, declared once: its stages, which stage may follow which, and which
 * are final. The ledgers' schemas (zod in the journal and the PostgreSQL row check, the SQL
 * CHECK constraint and due/backlog queries) and the worker's transitions are all read from here.
 * Like pg-boss `src/plans.ts`, where the job states are one list the SQL is generated from.
 *
 * - `pending`: claimed by a worker (lease) that has not recorded an outcome yet; due again when
 *   the lease expires, so a worker that dies holding it loses nothing. Never recorded: it is what
 *   a bare lease reads as.
 * - `submitting`: the outbox: the claim is about to go to the payer. A worker that finds an item
 *   here after a crash asks the payer what it has (`Claim/$inquire`) before submitting again.
 * - `not-coded`: finished without billable charges (Task made); rechecked later.
 * - `held`: waiting for a person (no coverage, coverage inactive, scrub errors); rechecked later.
 * - `submitted`: the payer queued the claim; asked later (`Claim/$inquire`) for its answer, never
 *   submitted again.
 * - `answered`: the payer's final answer is recorded. Final, except that a denial (outcome
 *   `error` or `partial`) whose coding then changes is reopened for a replacement claim.
 * - `failed`: an error; retried with backoff.
 * - `gave-up`: failed `maxAttempts` times; a Task says what failed. Still in the backlog: tried
 *   again on its own after a long wait (`nextAttemptAt`), or at once with `chartbill worker retry`.
 */
export const ITEM_STAGES = [
  'pending',
  'submitting',
  'not-coded',
  'held',
  'submitted',
  'answered',
  'failed',
  'gave-up',
] as const;

export type ItemStage = (typeof ITEM_STAGES)[number];

/** Stages the worker is done with: never due by time, not in the backlog. */
export const FINAL_STAGES: readonly ItemStage[] = ['answered'];

/**
 * Answer outcomes that reopen a final item when its coding changes: FHIR `error` and `partial`,
 * and `denied`, which the ledger records for an adjudicated denial a payer answers `complete`
 * (as an 835 does: CLP02 4 with the reasons on the lines).
 */
export const REOPENING_OUTCOMES: readonly string[] = ['error', 'partial', 'denied'];

/** Where one pass of the pipeline can leave an item, whatever stage it started from. */
const PASS_ENDS: readonly ItemStage[] = ITEM_STAGES.filter((s) => s !== 'pending');

/**
 * The stages that may be recorded after each stage; `new` is an encounter the ledger has no item
 * for. Every stage that is not final may be picked up again, so one pass may end anywhere:
 * `submitting` before the claim goes out (outbox), `not-coded`/`held` when it needs a person,
 * `submitted`/`answered` with the payer's answer, `failed`/`gave-up` on an error. `answered` is
 * left only by a reopened denial (see `REOPENING_OUTCOMES`). `pending` is never recorded.
 */
export const TRANSITIONS: Readonly<Record<'new' | ItemStage, readonly ItemStage[]>> = {
  new: PASS_ENDS,
  pending: PASS_ENDS,
  submitting: PASS_ENDS,
  'not-coded': PASS_ENDS,
  held: PASS_ENDS,
  submitted: PASS_ENDS,
  answered: PASS_ENDS,
  failed: PASS_ENDS,
  'gave-up': PASS_ENDS,
};

/** What a transition is checked against: the item's stage and, when answered, its outcome. */
export interface StageOf {
  stage: ItemStage;
  outcome?: string | undefined;
}

/** True when the item is final and stays so (an answered denial can be reopened). */
export function isClosed(item: StageOf): boolean {
  return (
    FINAL_STAGES.includes(item.stage) &&
    (item.outcome === undefined || !REOPENING_OUTCOMES.includes(item.outcome))
  );
}

/** True when the item is final but may be reopened: an answered denial, for a replacement claim. */
export function isReopenable(item: StageOf): boolean {
  return FINAL_STAGES.includes(item.stage) && !isClosed(item);
}

/** True when `to` may be recorded for an item now at `from` (undefined: no item yet). */
export function canTransition(from: StageOf | undefined, to: ItemStage): boolean {
  if (from && isClosed(from)) return false;
  return TRANSITIONS[from?.stage ?? 'new'].includes(to);
}

/**
 * The error for a refused transition; the ledgers throw it instead of recording the item, so a
 * worker that lost a race (or a bug) cannot overwrite a final answer or record a bare lease.
 */
export function transitionRefused(
  encounter: string,
  from: StageOf | undefined,
  to: string,
): AppError {
  const was = from
    ? `${from.stage}${from.outcome ? ` (${from.outcome})` : ''}`
    : 'not in the ledger';
  const allowed = from && isClosed(from) ? [] : TRANSITIONS[from?.stage ?? 'new'];
  return new AppError(
    'LEDGER_TRANSITION_REFUSED',
    `${encounter} cannot go from ${was} to ${to}; from there it may go to ${allowed.length ? allowed.join(', ') : 'nothing (final)'}`,
    {
      hint: 'Read the item again: another worker may have recorded it meanwhile.',
    },
  );
}

/**
 * The stages from which `to` may be recorded, for a ledger that checks in SQL: an item whose
 * stage is in `from`, or a final one whose outcome is in `reopenedBy`.
 */
export function sourcesOf(to: ItemStage): { from: ItemStage[]; reopenedBy: readonly string[] } {
  const from = ITEM_STAGES.filter((s) => !FINAL_STAGES.includes(s) && TRANSITIONS[s].includes(to));
  const finalOpen = FINAL_STAGES.some((s) => TRANSITIONS[s].includes(to));
  return { from, reopenedBy: finalOpen ? REOPENING_OUTCOMES : [] };
}

/** `'a', 'b'`: a stage list for generated SQL (the stages are fixed identifiers, not input). */
export function sqlList(stages: readonly ItemStage[]): string {
  return stages.map((s) => `'${s}'`).join(', ');
}
