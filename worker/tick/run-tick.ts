import { randomUUID } from 'node:crypto';
import type { Encounter } from 'fhir/r4';
import { AppError, isAppError } from '../../src/errors/app-error.ts';
import type { Logger } from '../../src/log/create-logger.ts';
import { eachConcurrently, type Gate } from './each-concurrently.ts';
import { giveUp } from './give-up.ts';
import { tickLeases, type TickLeases } from './tick-leases.ts';
import { recheckDelayMs, retryDelayMs, type Ledger, type LedgerItem } from '../ledger/ledger.ts';
import { isReopenable } from '../ledger/item-states.ts';
import {
  isHeld,
  type ItemOutcome,
  type Outbox,
  type PipelineServices,
} from '../pipeline/pipeline-types.ts';
import { processEncounter } from '../pipeline/process-encounter.ts';
import { sendVoids } from '../pipeline/stages/send-voids.ts';
import { checkVisitsEarly } from '../pipeline/check-visits-early.ts';
import { checkBookedEarly } from '../pipeline/check-booked-early.ts';
import { resolveTask } from '../pipeline/resolve-tasks.ts';
import { isWorkItemCode } from '../pipeline/build-task.ts';
import {
  ENCOUNTER_CURSOR,
  findWork,
  versionOf,
  type EncounterWithId,
  type FoundWork,
} from '../pipeline/stages/find-work.ts';
import {
  PREFETCH_CHUNK,
  prefetchContexts,
  type PrefetchedContext,
} from '../pipeline/stages/prefetch-contexts.ts';
import { errorMessage } from '../../src/errors/error-message.ts';
import type { ServerCapabilities } from '../../src/fhir/server-capabilities.ts';

/** What one tick did, for logs, metrics and tests. */
export interface TickSummary {
  /** Encounters the tick looked at (found by the search or due from the ledger). */
  seen: number;
  submitted: number;
  paid: number;
  denied: number;
  /** Held for a person: not coded, no or inactive coverage, scrub errors, missing data. */
  held: number;
  failed: number;
  /** Found but already done or not yet due. */
  skipped: number;
  /** Items that had failed before and were tried again. */
  retries: number;
  ms: number;
}

/** How long a given-up item waits before it is tried again on its own, by default: a day. */
export const DEFAULT_GAVE_UP_RETRY_MS = 24 * 3_600_000;

export interface TickDeps extends Omit<PipelineServices, 'log'> {
  ledger: Ledger;
  logger: Logger;
  /** How long held and not-coded items wait before they are checked again (the first time). */
  recheckMs: number;
  /** The longest wait between two checks of a held item; a day when absent. */
  recheckMaxMs?: number;
  /** Failures after which an item is given up. */
  maxAttempts: number;
  /** This worker's name on its leases. */
  owner: string;
  /** How long a lease lasts without renewal. */
  leaseMs: number;
  /** First retry delay of a failed item (doubles per failure). */
  retryBaseMs: number;
  /** How long to wait before asking the payer again about a queued claim; `recheckMs` when absent. */
  pollMs?: number;
  /** Aborted when the worker shuts down: the tick stops before its next item. */
  signal?: AbortSignal;
  /**
   * Aborted when the shutdown grace period is over: the tick stops waiting for its lanes,
   * releases every lease it holds and records nothing more.
   */
  halt?: AbortSignal;
  /** How long a given-up item waits before it is tried again on its own. */
  gaveUpRetryMs?: number;
  /** Encounters processed at once (each under its own lease); 1 when absent. */
  concurrency?: number;
  /** The adaptive level under `concurrency` (the ceiling); fixed at `concurrency` when absent. */
  adaptive?: Gate;
  /** Given the tick's summary as it starts; it is updated as each encounter is done. */
  onStart?: (summary: TickSummary) => void;
  /** What the clinical server declares (server-capabilities.ts); nothing optional is used without it. */
  capabilities?: ServerCapabilities;
}

/**
 * One pass: find due encounters, run each through the pipeline in its own try/catch (a failing
 * encounter is recorded with its reason and retried later; the tick goes on), record each in the
 * ledger, then move the cursor past everything handled.
 */
export async function runTick(deps: TickDeps): Promise<TickSummary> {
  const started = Date.now();
  const runId = randomUUID();
  const log = deps.logger.child({ runId });
  const leases = tickLeases(deps.ledger, `${deps.owner}/${runId.slice(0, 8)}`, deps.leaseMs, log);
  const tick: TickRun = { ...deps, ledger: leases.ledger, leases };
  const summary: TickSummary = {
    seen: 0,
    submitted: 0,
    paid: 0,
    denied: 0,
    held: 0,
    failed: 0,
    skipped: 0,
    retries: 0,
    ms: 0,
  };
  deps.onStart?.(summary);
  const work = await findWork(deps, deps.ledger, deps.now(), log);
  summary.skipped = work.skipped;
  const queue = [
    ...work.encounters,
    ...work.due.map((item) => ({
      id: item.encounter.replace(/^Encounter\//, ''),
      previous: item,
      lastUpdated: undefined,
    })),
  ];
  const contexts = contextsAhead(
    queue.map((q) => q.id),
    deps,
    log,
  );
  // Encounters whose state may not be recorded: the cursor stays before them.
  const unsettled = new Set<string>();
  const lanes = eachConcurrently(
    queue.map((q, index) => ({ ...q, index })),
    deps.concurrency ?? 1,
    async ({ id, previous, index }) => {
      if (deps.signal?.aborted) return;
      try {
        const context = await contexts.take(index);
        const load = context
          ? () => Promise.resolve({ ...(context.encounter as Encounter), id })
          : () => readEncounter(deps, id);
        if (!(await handle(`Encounter/${id}`, previous, load, tick, log, summary, context)))
          unsettled.add(id);
      } catch (err) {
        // The ledger failed (taking the lease): nothing was done; the encounter is taken again later.
        unsettled.add(id);
        summary.failed += 1;
        log.error(
          { encounter: `Encounter/${id}`, err: errorMessage(err) },
          'encounter not handled: the ledger failed',
        );
      }
    },
    deps.adaptive,
  );
  if (await haltedFirst(lanes, deps.halt)) {
    await leases.halt();
    summary.ms = Date.now() - started;
    log.warn({ ...summary }, 'tick halted at the end of the shutdown grace period');
    return summary;
  }
  // A tick cut short by shutdown leaves the cursor: the rest is found again next time.
  if (!deps.signal?.aborted) {
    const cursor = cursorPast(work, unsettled);
    if (cursor) await deps.ledger.setCursor(ENCOUNTER_CURSOR, cursor);
    if (unsettled.size === 0)
      for (const [name, value] of work.otherCursors) await deps.ledger.setCursor(name, value);
    // Visits under way (issue 15): eligibility before they end, so the finished visit reuses it.
    if (deps.eligibilityAheadMs) {
      await checkVisitsEarly({ ...deps, log }, work.changedPatients).catch((err: unknown) =>
        log.warn({ err: errorMessage(err) }, 'open visits not checked early this tick'),
      );
      await checkBookedEarly({ ...deps, log }, deps.capabilities).catch((err: unknown) =>
        log.warn({ err: errorMessage(err) }, 'booked visits not checked ahead this tick'),
      );
    }
    // Voids billing staff asked for (issue 17): after the encounters, each in its own try/catch.
    await sendVoids({ ...deps, log }).catch((err: unknown) =>
      log.warn({ err: errorMessage(err) }, 'voids not looked for this tick'),
    );
  }
  summary.ms = Date.now() - started;
  log.info({ ...summary }, 'tick finished');
  return summary;
}

/** The tick's dependencies as its lanes see them: its own leases and guarded ledger. */
type TickRun = TickDeps & { leases: TickLeases };

/** True when the halt signal came before every lane stopped. */
async function haltedFirst(lanes: Promise<void>, halt: AbortSignal | undefined): Promise<boolean> {
  if (!halt) {
    await lanes;
    return false;
  }
  if (halt.aborted) return true;
  let onHalt: (() => void) | undefined;
  const halted = new Promise<true>((resolve) => {
    onHalt = () => resolve(true);
    halt.addEventListener('abort', onHalt, { once: true });
  });
  try {
    return await Promise.race([lanes.then(() => false), halted]);
  } finally {
    if (onHalt) halt.removeEventListener('abort', onHalt);
  }
}

/**
 * Where the cursor may move: past every encounter found, unless the state of one of them may
 * not be recorded (its ledger write failed); then up to the first such encounter, which the next
 * search finds again. An unsettled encounter of unknown time keeps the cursor where it was.
 */
function cursorPast(work: FoundWork, unsettled: ReadonlySet<string>): string | undefined {
  let cursor = work.cursor;
  for (const found of work.encounters) {
    if (!unsettled.has(found.id)) continue;
    if (!found.lastUpdated) return undefined;
    if (!cursor || Date.parse(found.lastUpdated) < Date.parse(cursor)) cursor = found.lastUpdated;
  }
  return cursor;
}

/**
 * The prefetched contexts of the tick's encounters, read a chunk at a time and one chunk ahead:
 * taking the first encounter of a chunk starts the next chunk's read, so lanes do not drain and
 * wait for a read at every chunk boundary. Encounters are taken in order; a chunk's contexts are
 * let go once all of its encounters are taken. A read that fails leaves its encounters to load
 * one by one.
 */
function contextsAhead(
  ids: readonly string[],
  deps: TickDeps,
  log: Logger,
): { take(index: number): Promise<PrefetchedContext | undefined> } {
  const reads = new Map<number, { read: Promise<Map<string, PrefetchedContext>>; left: number }>();
  const start = (chunk: number) => {
    let entry = reads.get(chunk);
    if (!entry) {
      const chunkIds = ids.slice(chunk * PREFETCH_CHUNK, (chunk + 1) * PREFETCH_CHUNK);
      const read = prefetchContexts(
        deps.clinical,
        chunkIds,
        log,
        deps.capabilities,
        deps.billing,
      ).catch((err: unknown) => {
        log.warn(
          { err: errorMessage(err) },
          'prefetch failed; loading these encounters one by one',
        );
        return new Map<string, PrefetchedContext>();
      });
      entry = { read, left: chunkIds.length };
      reads.set(chunk, entry);
    }
    return entry;
  };
  return {
    async take(index) {
      const chunk = Math.floor(index / PREFETCH_CHUNK);
      const entry = start(chunk);
      if ((chunk + 1) * PREFETCH_CHUNK < ids.length && !deps.signal?.aborted) start(chunk + 1);
      entry.left -= 1;
      if (entry.left === 0) reads.delete(chunk);
      return (await entry.read).get(ids[index] ?? '');
    },
  };
}

/** An Encounter due from the ledger; checked in full by the pipeline (bad data is quarantined there). */
async function readEncounter(deps: TickDeps, id: string): Promise<EncounterWithId> {
  const resource: Partial<Encounter> = await deps.clinical.read<Encounter>('Encounter', id);
  if (resource.resourceType !== 'Encounter' || !resource.id)
    throw new AppError('FHIR_RESOURCE_INVALID', `Encounter/${id} read back without an id`);
  return { ...(resource as Encounter), id: resource.id };
}

/**
 * One encounter under its lease: skipped when another worker holds it, or moved it on since it
 * was found; otherwise processed and recorded, and the lease released. False when its state
 * could not be recorded: the lease is then left to run out (releasing it would delete the
 * encounter's still-empty row), so the encounter comes due again.
 */
async function handle(
  ref: string,
  found: LedgerItem | undefined,
  load: () => Promise<EncounterWithId>,
  deps: TickRun,
  tickLog: Logger,
  summary: TickSummary,
  prefetched: PrefetchedContext | undefined,
): Promise<boolean> {
  const log = tickLog.child({ encounter: ref });
  const lease = await deps.leases.hold(ref);
  if (!lease) {
    summary.skipped += 1;
    return true;
  }
  let recorded = true;
  try {
    // A `pending` item is a lease its worker died holding: no state of its own.
    const previous = found?.stage === 'pending' ? undefined : found;
    if (lease.item?.updatedAt !== previous?.updatedAt) {
      summary.skipped += 1;
      return true;
    }
    recorded = await processItem(ref, previous, load, deps, log, summary, prefetched);
    return recorded;
  } finally {
    await deps.leases.done(ref, lease, recorded);
  }
}

/** Runs the pipeline on one encounter and records where it got; false when that record failed. */
async function processItem(
  ref: string,
  previous: LedgerItem | undefined,
  load: () => Promise<EncounterWithId>,
  deps: TickRun,
  log: Logger,
  summary: TickSummary,
  prefetched: PrefetchedContext | undefined,
): Promise<boolean> {
  summary.seen += 1;
  if (previous?.stage === 'failed') summary.retries += 1;
  let version: string | undefined;
  let outbox: (Outbox & { recorded?: string }) | undefined;
  const replacing = replacementFor(previous);
  try {
    const encounter = await load();
    version = versionOf(encounter);
    outbox = outboxFor(ref, previous, version, deps, replacing);
    const outcome = await processEncounter(
      encounter,
      { ...deps, log },
      {
        outbox,
        firstPass: previous === undefined,
        ...(replacing ? { replacing } : {}),
        ...(previous?.claimVersion ? { claimVersion: previous.claimVersion } : {}),
        ...(previous?.claim && previous.submittedAt
          ? { submitted: { claim: previous.claim, at: previous.submittedAt } }
          : {}),
      },
      prefetched,
    );
    await resolvePrevious(previous, outcome, encounter.id, deps);
    tally(summary, outcome);
    const item = afterSuccess(ref, outcome, version, previous, deps, replacing);
    const patient = encounter.subject?.reference;
    if (patient?.startsWith('Patient/')) item.patient = patient;
    return await record(deps, item, log);
  } catch (err) {
    if (isAppError(err, 'LEASE_LOST')) {
      // Another worker holds the encounter now: it decides, and this one records nothing.
      log.warn(
        {},
        'lease lost before submitting; the encounter is left to the worker that holds it',
      );
      summary.skipped += 1;
      return false;
    }
    summary.failed += 1;
    return recordFailure(
      ref,
      previous,
      err,
      { version, outbox: outbox?.recorded, replacing },
      deps,
      log,
    );
  }
}

/**
 * A failed attempt, recorded with its reason and retried with backoff. After `maxAttempts` the
 * item is given up: a Task says what failed and what to do, and the item is tried again on its
 * own after `gaveUpRetryMs` (it stays in the backlog). When that Task cannot be written (the
 * store is down too), the item stays `failed`, so giving up is never silent.
 */
async function recordFailure(
  ref: string,
  previous: LedgerItem | undefined,
  err: unknown,
  at: { version: string | undefined; outbox: string | undefined; replacing: number | undefined },
  deps: TickDeps,
  log: Logger,
): Promise<boolean> {
  const attempts = (previous?.stage === 'failed' ? previous.attempts : 0) + 1;
  const message = errorMessage(err);
  const code = isAppError(err) ? err.code : 'UNEXPECTED';
  const now = deps.now();
  const giveUpUntil =
    attempts >= deps.maxAttempts
      ? new Date(now.getTime() + (deps.gaveUpRetryMs ?? DEFAULT_GAVE_UP_RETRY_MS))
      : undefined;
  let gaveUp = false;
  if (giveUpUntil) {
    const patient = previous?.patient;
    gaveUp = await giveUp(deps.billing, {
      encounterId: ref.replace(/^Encounter\//, ''),
      code,
      message,
      attempts,
      retryAt: giveUpUntil,
      now,
      ...(patient ? { patient } : {}),
    }).then(
      () => true,
      (taskErr: unknown) => {
        log.error(
          { err: errorMessage(taskErr) },
          'could not create the give-up work item; the encounter stays failed and is retried',
        );
        return false;
      },
    );
  }
  // Log the code and message only: an error's cause can carry request headers and bodies.
  log[gaveUp ? 'error' : 'warn'](
    { code, err: message, attempts },
    gaveUp ? 'encounter failed; giving up (work item created)' : 'encounter failed; will retry',
  );
  const nextAttemptAt =
    gaveUp && giveUpUntil
      ? giveUpUntil
      : new Date(now.getTime() + retryDelayMs(attempts, deps.retryBaseMs));
  return record(
    deps,
    {
      ...(previous ?? {}),
      encounter: ref,
      stage: gaveUp ? 'gave-up' : 'failed',
      attempts,
      lastError: `${code}: ${message}`,
      ...(gaveUp ? { reason: 'worker-gave-up' } : {}),
      ...((at.outbox ?? previous?.outbox) ? { outbox: at.outbox ?? previous?.outbox } : {}),
      ...(at.replacing ? { replacing: at.replacing } : {}),
      updatedAt: now.toISOString(),
      ...((at.version ?? previous?.encounterVersion)
        ? { encounterVersion: at.version ?? previous?.encounterVersion }
        : {}),
      nextAttemptAt: nextAttemptAt.toISOString(),
    },
    log,
  );
}

/**
 * The outbox of one item: the intent to submit is recorded before the claim goes out, so a
 * worker that dies between sending and recording the answer asks the payer first next time.
 */
function outboxFor(
  ref: string,
  previous: LedgerItem | undefined,
  version: string | undefined,
  deps: TickRun,
  replacing: number | undefined,
): Outbox & { recorded?: string } {
  const box: Outbox & { recorded?: string } = {
    pending: previous?.outbox !== undefined || previous?.stage === 'submitted',
    async record(claim) {
      // The fence: a lease that ran out while this worker was slow may be another worker's now,
      // and two workers must never both send. Renewed here, it lasts through the submission.
      if (!(await deps.leases.confirm(ref))) {
        throw new AppError(
          'LEASE_LOST',
          `The lease on ${ref} ran out and another worker may hold it; nothing was sent`,
        );
      }
      box.recorded = claim;
      const now = deps.now();
      // Not swallowed like other ledger writes: without the intent recorded, nothing is sent.
      await deps.ledger.putItem({
        ...(previous ?? {}),
        encounter: ref,
        stage: 'submitting',
        attempts: previous?.attempts ?? 0,
        claim,
        outbox: claim,
        // The intent to send is the submission's date, whoever records its answer later.
        submittedAt: now.toISOString(),
        updatedAt: now.toISOString(),
        ...(replacing ? { replacing } : {}),
        // Due at once: a live worker holds the lease, so only a dead one's item is taken over.
        nextAttemptAt: now.toISOString(),
        ...(version ? { encounterVersion: version } : {}),
      });
    },
  };
  return box;
}

/** The item was held for a reason it has now got past: close that work item. */
async function resolvePrevious(
  previous: LedgerItem | undefined,
  outcome: ItemOutcome,
  encounterId: string,
  deps: TickDeps,
): Promise<void> {
  const reason = previous?.reason;
  if (!reason || !isWorkItemCode(reason) || (isHeld(outcome) && outcome.reason === reason)) return;
  await resolveTask(deps.billing, encounterId, reason, deps.now());
}

/**
 * The replacement this pass makes, if any: one under way continues; an answered denial whose
 * coding changed (find-work makes it due) starts the next one.
 */
function replacementFor(previous: LedgerItem | undefined): number | undefined {
  if (previous?.replacing) return previous.replacing;
  if (previous && isReopenable(previous)) return (previous.replacements ?? 0) + 1;
  return undefined;
}

function afterSuccess(
  ref: string,
  outcome: ItemOutcome,
  version: string | undefined,
  previous: LedgerItem | undefined,
  deps: TickDeps,
  replacing: number | undefined,
): LedgerItem {
  const now = deps.now();
  const item: LedgerItem = {
    encounter: ref,
    stage: outcome.stage,
    attempts: 0,
    updatedAt: now.toISOString(),
  };
  if (replacing && outcome.stage === 'answered') item.replacements = replacing;
  else if (replacing) item.replacing = replacing;
  else if (previous?.replacements) item.replacements = previous.replacements;
  if (version) item.encounterVersion = version;
  if (outcome.claim) item.claim = outcome.claim;
  if (isHeld(outcome)) {
    if (outcome.claimVersion) item.claimVersion = outcome.claimVersion;
    const sameAsBefore = previous?.stage === outcome.stage && previous.reason === outcome.reason;
    item.reason = outcome.reason;
    item.rechecks = sameAsBefore ? (previous.rechecks ?? 0) + 1 : 0;
    item.nextAttemptAt = new Date(
      now.getTime() + recheckDelayMs(deps.recheckMs, item.rechecks, deps.recheckMaxMs),
    ).toISOString();
  } else {
    // Kept across polls of the same claim; a new claim (a replacement) starts its own wait.
    item.submittedAt =
      previous?.claim === outcome.claim && previous.submittedAt
        ? previous.submittedAt
        : now.toISOString();
    item.claimResponse = outcome.claimResponse;
    // An adjudicated denial answered `complete` is recorded as `denied`, so it can be reopened.
    item.outcome = outcome.denied && outcome.outcome === 'complete' ? 'denied' : outcome.outcome;
    // A queued answer is followed with a status inquiry until it is final (never a resubmission).
    if (outcome.stage === 'submitted')
      item.nextAttemptAt = new Date(now.getTime() + (deps.pollMs ?? deps.recheckMs)).toISOString();
  }
  return item;
}

function tally(summary: TickSummary, outcome: ItemOutcome): void {
  if (isHeld(outcome)) {
    summary.held += 1;
    return;
  }
  if (outcome.unchanged) {
    summary.skipped += 1;
    return;
  }
  summary.submitted += 1;
  if (outcome.paid) summary.paid += 1;
  if (outcome.denied) summary.denied += 1;
}

/**
 * Writes the item's state. A failure is not swallowed into a moved cursor: the caller keeps the
 * cursor before the encounter and lets its lease run out, so it is taken again (the pipeline's
 * steps are idempotent and the outbox makes the payer be asked first).
 */
async function record(deps: TickDeps, item: LedgerItem, log: Logger): Promise<boolean> {
  try {
    await deps.ledger.putItem(item);
    return true;
  } catch (err) {
    log.error(
      { err: errorMessage(err) },
      'ledger write failed; the encounter is taken again when its lease runs out',
    );
    return false;
  }
}
