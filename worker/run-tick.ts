import { randomUUID } from 'node:crypto';
import type { Encounter } from 'fhir/r4';
import { AppError, isAppError } from '../src/errors/app-error.ts';
import type { Logger } from '../src/log/create-logger.ts';
import { eachConcurrently } from './each-concurrently.ts';
import { holdLease } from './hold-lease.ts';
import { recheckDelayMs, retryDelayMs, type Ledger, type LedgerItem } from './ledger.ts';
import { isHeld, type ItemOutcome, type Outbox, type PipelineDeps } from './pipeline-types.ts';
import { processEncounter } from './process-encounter.ts';
import { resolveTask } from './resolve-tasks.ts';
import { isWorkItemCode } from './build-task.ts';
import { ENCOUNTER_CURSOR, findWork, versionOf, type EncounterWithId } from './stages/find-work.ts';
import { PREFETCH_CHUNK, prefetchContexts, type PrefetchedContext } from './stages/prefetch-contexts.ts';

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

export interface TickDeps extends Omit<PipelineDeps, 'log' | 'outbox'> {
  ledger: Ledger;
  logger: Logger;
  /** How long held and not-coded items wait before they are checked again. */
  recheckMs: number;
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
  /** Encounters processed at once (each under its own lease); 1 when absent. */
  concurrency?: number;
  /** Given the tick's summary as it starts; it is updated as each encounter is done. */
  onStart?: (summary: TickSummary) => void;
}

/**
 * One pass: find due encounters, run each through the pipeline in its own try/catch (a failing
 * encounter is recorded with its reason and retried later; the tick goes on), record each in the
 * ledger, then move the cursor past everything handled.
 */
export async function runTick(deps: TickDeps): Promise<TickSummary> {
  const started = Date.now();
  const log = deps.logger.child({ runId: randomUUID() });
  const summary: TickSummary = { seen: 0, submitted: 0, paid: 0, denied: 0, held: 0, failed: 0, skipped: 0, retries: 0, ms: 0 };
  deps.onStart?.(summary);
  const work = await findWork(deps, deps.ledger, deps.now(), log);
  summary.skipped = work.skipped;
  const queue = [...work.encounters, ...work.due.map((item) => ({ id: item.encounter.replace(/^Encounter\//, ''), previous: item }))];
  const contexts = contextsAhead(queue.map((q) => q.id), deps, log);
  await eachConcurrently(queue.map((q, index) => ({ ...q, index })), deps.concurrency ?? 1, async ({ id, previous, index }) => {
    if (deps.signal?.aborted) return;
    const context = await contexts.take(index);
    const load = context ? () => Promise.resolve({ ...(context.encounter as Encounter), id }) : () => readEncounter(deps, id);
    await handle(`Encounter/${id}`, previous, load, deps, log, summary, context);
  });
  // A tick cut short by shutdown leaves the cursor: the rest is found again next time.
  if (work.cursor && !deps.signal?.aborted) await deps.ledger.setCursor(ENCOUNTER_CURSOR, work.cursor);
  if (!deps.signal?.aborted) for (const [name, value] of work.otherCursors) await deps.ledger.setCursor(name, value);
  summary.ms = Date.now() - started;
  log.info({ ...summary }, 'tick finished');
  return summary;
}

/**
 * The prefetched contexts of the tick's encounters, read a chunk at a time and one chunk ahead:
 * taking the first encounter of a chunk starts the next chunk's read, so lanes do not drain and
 * wait for a read at every chunk boundary. Encounters are taken in order; a chunk's contexts are
 * let go once all of its encounters are taken. A read that fails leaves its encounters to load
 * one by one.
 */
function contextsAhead(ids: readonly string[], deps: TickDeps, log: Logger): { take(index: number): Promise<PrefetchedContext | undefined> } {
  const reads = new Map<number, { read: Promise<Map<string, PrefetchedContext>>; left: number }>();
  const start = (chunk: number) => {
    let entry = reads.get(chunk);
    if (!entry) {
      const chunkIds = ids.slice(chunk * PREFETCH_CHUNK, (chunk + 1) * PREFETCH_CHUNK);
      const read = prefetchContexts(deps.clinical, chunkIds, log).catch((err: unknown) => {
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'prefetch failed; loading these encounters one by one');
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
  if (resource.resourceType !== 'Encounter' || !resource.id) throw new AppError('FHIR_RESOURCE_INVALID', `Encounter/${id} read back without an id`, { status: 502 });
  return { ...(resource as Encounter), id: resource.id };
}

/**
 * One encounter under its lease: skipped when another worker holds it, or moved it on since it
 * was found; otherwise processed and recorded, and the lease released.
 */
async function handle(ref: string, found: LedgerItem | undefined, load: () => Promise<EncounterWithId>, deps: TickDeps, tickLog: Logger, summary: TickSummary, prefetched: PrefetchedContext | undefined): Promise<void> {
  const log = tickLog.child({ encounter: ref });
  const lease = await holdLease(deps.ledger, ref, deps.owner, deps.leaseMs, log);
  if (!lease) {
    summary.skipped += 1;
    return;
  }
  try {
    // A `pending` item is a lease its worker died holding: no state of its own.
    const previous = found?.stage === 'pending' ? undefined : found;
    if (lease.item?.updatedAt !== previous?.updatedAt) {
      summary.skipped += 1;
      return;
    }
    await processItem(ref, previous, load, deps, log, summary, prefetched);
  } finally {
    await lease.release();
  }
}

async function processItem(ref: string, previous: LedgerItem | undefined, load: () => Promise<EncounterWithId>, deps: TickDeps, log: Logger, summary: TickSummary, prefetched: PrefetchedContext | undefined): Promise<void> {
  summary.seen += 1;
  if (previous?.stage === 'failed') summary.retries += 1;
  let version: string | undefined;
  let outbox: Outbox & { recorded?: string } | undefined;
  const replacing = replacementFor(previous);
  try {
    const encounter = await load();
    version = versionOf(encounter);
    outbox = outboxFor(ref, previous, version, deps, replacing);
    const outcome = await processEncounter(encounter, {
      ...deps, log, outbox, firstPass: previous === undefined, ...(replacing ? { replacing } : {}), ...(previous?.claimVersion ? { claimVersion: previous.claimVersion } : {}),
    }, prefetched);
    await resolvePrevious(previous, outcome, encounter.id, deps);
    tally(summary, outcome);
    const item = afterSuccess(ref, outcome, version, previous, deps, replacing);
    const patient = encounter.subject?.reference;
    if (patient?.startsWith('Patient/')) item.patient = patient;
    await record(deps, item);
  } catch (err) {
    summary.failed += 1;
    const attempts = (previous?.stage === 'failed' ? previous.attempts : 0) + 1;
    const gaveUp = attempts >= deps.maxAttempts;
    const message = err instanceof Error ? err.message : String(err);
    const code = isAppError(err) ? err.code : 'UNEXPECTED';
    // Log the code and message only: an error's cause can carry request headers and bodies.
    log[gaveUp ? 'error' : 'warn']({ code, err: message, attempts }, gaveUp ? 'encounter failed; giving up' : 'encounter failed; will retry');
    const now = deps.now();
    await record(deps, {
      ...(previous ?? {}),
      encounter: ref,
      stage: gaveUp ? 'gave-up' : 'failed',
      attempts,
      lastError: `${code}: ${message}`,
      ...(outbox?.recorded ?? previous?.outbox ? { outbox: outbox?.recorded ?? previous?.outbox } : {}),
      ...(replacing ? { replacing } : {}),
      updatedAt: now.toISOString(),
      ...(version ?? previous?.encounterVersion ? { encounterVersion: version ?? previous?.encounterVersion } : {}),
      ...(gaveUp ? { nextAttemptAt: undefined } : { nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, deps.retryBaseMs)).toISOString() }),
    });
  }
}

/**
 * The outbox of one item: the intent to submit is recorded before the claim goes out, so a
 * worker that dies between sending and recording the answer asks the payer first next time.
 */
function outboxFor(ref: string, previous: LedgerItem | undefined, version: string | undefined, deps: TickDeps, replacing: number | undefined): Outbox & { recorded?: string } {
  const box: Outbox & { recorded?: string } = {
    pending: previous?.outbox !== undefined || previous?.stage === 'submitted',
    async record(claim) {
      box.recorded = claim;
      const now = deps.now();
      // Not swallowed like other ledger writes: without the intent recorded, nothing is sent.
      await deps.ledger.putItem({
        ...(previous ?? {}), encounter: ref, stage: 'submitting', attempts: previous?.attempts ?? 0, claim, outbox: claim, updatedAt: now.toISOString(),
        ...(replacing ? { replacing } : {}),
        // Due at once: a live worker holds the lease, so only a dead one's item is taken over.
        nextAttemptAt: now.toISOString(), ...(version ? { encounterVersion: version } : {}),
      });
    },
  };
  return box;
}

/** The item was held for a reason it has now got past: close that work item. */
async function resolvePrevious(previous: LedgerItem | undefined, outcome: ItemOutcome, encounterId: string, deps: TickDeps): Promise<void> {
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
  if (previous?.stage === 'answered' && (previous.outcome === 'error' || previous.outcome === 'partial')) return (previous.replacements ?? 0) + 1;
  return undefined;
}

function afterSuccess(ref: string, outcome: ItemOutcome, version: string | undefined, previous: LedgerItem | undefined, deps: TickDeps, replacing: number | undefined): LedgerItem {
  const now = deps.now();
  const item: LedgerItem = { encounter: ref, stage: outcome.stage, attempts: 0, updatedAt: now.toISOString() };
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
    item.nextAttemptAt = new Date(now.getTime() + recheckDelayMs(deps.recheckMs, item.rechecks)).toISOString();
  } else {
    item.claimResponse = outcome.claimResponse;
    item.outcome = outcome.outcome;
    // A queued answer is followed with a status inquiry until it is final (never a resubmission).
    if (outcome.stage === 'submitted') item.nextAttemptAt = new Date(now.getTime() + (deps.pollMs ?? deps.recheckMs)).toISOString();
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

async function record(deps: TickDeps, item: LedgerItem): Promise<void> {
  try {
    await deps.ledger.putItem(item);
  } catch (err) {
    // The writes are idempotent: losing this entry costs a recheck, not a duplicate claim.
    deps.logger.error({ encounter: item.encounter, err: err instanceof Error ? err.message : String(err) }, 'ledger write failed');
  }
}
