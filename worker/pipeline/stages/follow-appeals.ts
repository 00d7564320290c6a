import type { Claim, ClaimResponse, Task } from 'fhir/r4';
import { claimResponseSummary } from '../../../src/claims/claim-response-summary.ts';
import { isAppError } from '../../../src/errors/app-error.ts';
import { errorMessage } from '../../../src/errors/error-message.ts';
import type { FhirGateway } from '../../../src/fhir/fhir-gateway.ts';
import { idOfReference } from '../../../src/fhir/reference-id.ts';
import { SYSTEM } from '../../../src/fhir/systems.ts';
import type { Logger } from '../../../src/log/create-logger.ts';
import type { PayerAdapter } from '../../../src/payer/payer-adapter.ts';
import { knownPayerIdOf, type PayerId } from '../../../src/payer/payer-ids.ts';
import type { Ledger, LedgerItem } from '../../ledger/ledger.ts';
import { APPEAL, closeAppeals, OPEN_APPEAL } from '../close-appeals.ts';
import type { ClaimWithId } from '../pipeline-types.ts';
import { storeAnswer } from '../store-answer.ts';

export interface AppealFollowDeps {
  ledger: Ledger;
  /** The billing store, audited: every write has its Provenance and AuditEvent. */
  billing: FhirGateway;
  payer: PayerAdapter;
  log: Logger;
  now: () => Date;
  /** Between two status inquiries about one appealed claim (CHARTBILL_WORKER_APPEAL_POLL_HOURS). */
  pollMs: number;
  /** This worker's name on its leases, and how long one lasts. */
  owner: string;
  leaseMs: number;
  /** Payers answered by 835 (CHARTBILL_X12_PAYER_IDS): their appeals close on the ERA, not here. */
  x12PayerIds?: readonly PayerId[];
}

const isAppealTask = (t: Task): t is Task & { id: string } =>
  t.id !== undefined &&
  (t.code?.coding ?? []).some((c) => c.system === SYSTEM.taskCode && c.code === APPEAL);

/**
 * The appeals billing staff opened or closed, from the Tasks the read model's sync read anyway
 * (no search of its own): an open appeal of an answered claim is noted on the encounter's ledger
 * item, with its deadline and a first inquiry one poll away; a closed one is no longer followed.
 * Only noted appeals are ever asked about, so a worker with none costs the payer nothing.
 */
export async function noteAppeals(
  tasks: readonly Task[],
  deps: Pick<AppealFollowDeps, 'ledger' | 'log' | 'now' | 'pollMs'>,
): Promise<number> {
  let noted = 0;
  for (const task of tasks.filter(isAppealTask)) {
    const encounter = task.encounter?.reference;
    const claim = task.focus?.reference;
    if (!encounter?.startsWith('Encounter/') || !claim?.startsWith('Claim/')) continue;
    const ref = `Task/${task.id}`;
    try {
      const item = await deps.ledger.getItem(encounter);
      if (!item || item.stage !== 'answered') continue;
      if (OPEN_APPEAL.has(task.status)) {
        if (item.appeal?.task === ref) continue;
        const now = deps.now();
        const until = task.restriction?.period?.end?.slice(0, 10) ?? '';
        const nextAt = new Date(now.getTime() + deps.pollMs).toISOString();
        await deps.ledger.putItem({
          ...item,
          appeal: { task: ref, claim, until, nextAt },
          updatedAt: now.toISOString(),
        });
        noted += 1;
      } else if (item.appeal?.task === ref) {
        await deps.ledger.putItem(withoutAppeal(item, deps.now()));
      }
    } catch (err) {
      deps.log.warn({ task: ref, err: errorMessage(err) }, 'appeal not noted for follow-up');
    }
  }
  return noted;
}

/**
 * Asks the payer about each appealed claim whose inquiry is due (issue 17, item 4: "the appeal
 * tracked as a Task until answered"), with the same status inquiry a queued claim gets
 * (`Claim/$inquire`), on a slow back-off. A new answer dated after the appeal is stored with
 * `request` → the claim and completes the appeal with the outcome in words (close-appeals.ts:
 * paid on appeal also completes the denial); the item stops being followed. No new answer: asked
 * again after `pollMs`. Past the appeal deadline it is not asked about again; the appeal stays
 * in the queue for a person. One try/catch per claim: a failure is logged and tried next poll.
 */
export async function followAppeals(deps: AppealFollowDeps): Promise<number> {
  const now = deps.now();
  const due = await deps.ledger.listItems({ appealsDueBy: now.toISOString() });
  let answered = 0;
  for (const item of due) {
    const lease = await deps.ledger.acquireLease(item.encounter, deps.owner, deps.leaseMs);
    if (!lease.acquired) continue;
    try {
      const current = lease.item;
      if (current?.appeal) answered += await followOne(current, current.appeal, deps);
    } catch (err) {
      deps.log.warn(
        {
          encounter: item.encounter,
          code: isAppError(err) ? err.code : undefined,
          err: errorMessage(err),
        },
        'appealed claim not asked about; asked again at the next poll',
      );
      await later(item, deps).catch(() => undefined);
    } finally {
      await deps.ledger.releaseLease(item.encounter, deps.owner);
    }
  }
  return answered;
}

async function followOne(
  item: LedgerItem,
  appeal: NonNullable<LedgerItem['appeal']>,
  deps: AppealFollowDeps,
): Promise<number> {
  const now = deps.now();
  const log = deps.log.child({ encounter: item.encounter, claim: appeal.claim });
  if (appeal.until && now.toISOString().slice(0, 10) > appeal.until) {
    log.info(
      { until: appeal.until },
      'appeal deadline passed without the payer deciding; no more inquiries',
    );
    await deps.ledger.putItem(withoutAppeal(item, now));
    return 0;
  }
  const claim = (await deps.billing.read<Claim>(
    'Claim',
    idOfReference(appeal.claim, 'Claim') ?? '',
  )) as ClaimWithId;
  const insurer = claim.insurer?.identifier;
  const byX12 =
    insurer && deps.x12PayerIds
      ? knownPayerIdOf({ resourceType: 'Organization', identifier: [insurer] }, deps.x12PayerIds)
      : undefined;
  const identifier = claim.identifier?.[0];
  if (byX12 || !identifier) {
    // The clearinghouse's 835 answers the appeal (read-inbound.ts closes it there).
    await deps.ledger.putItem(withoutAppeal(item, now));
    return 0;
  }
  const answer = await deps.payer.claimStatus(identifier);
  if (!answer || answer.outcome === 'queued') return later(item, deps).then(() => 0);
  const { resource: stored } = await storeAnswer(deps.billing, claim, answer);
  // An answer dated before the appeal (the first denial, again) closes nothing.
  const closed = await closeAppeals(deps.billing, appeal.claim, stored, now);
  if (closed === 0) return later(item, deps).then(() => 0);
  log.info({ claimResponse: `ClaimResponse/${stored.id ?? ''}` }, 'the payer decided the appeal');
  await deps.ledger.putItem({
    ...withoutAppeal(item, now),
    claimResponse: `ClaimResponse/${stored.id ?? ''}`,
    outcome: ledgerOutcome(stored),
  });
  return closed;
}

/** As the tick records an answer: an adjudicated denial answered `complete` is `denied`. */
function ledgerOutcome(answer: ClaimResponse): string {
  const denied = claimResponseSummary(answer).denials.length > 0;
  return denied && answer.outcome === 'complete' ? 'denied' : answer.outcome;
}

/** The next inquiry, one poll away. */
async function later(item: LedgerItem, deps: AppealFollowDeps): Promise<void> {
  if (!item.appeal) return;
  const now = deps.now();
  await deps.ledger.putItem({
    ...item,
    appeal: { ...item.appeal, nextAt: new Date(now.getTime() + deps.pollMs).toISOString() },
    updatedAt: now.toISOString(),
  });
}

function withoutAppeal(item: LedgerItem, now: Date): LedgerItem {
  const rest = { ...item, updatedAt: now.toISOString() };
  delete rest.appeal;
  return rest;
}
