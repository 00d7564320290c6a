import type { Claim, ClaimResponse, Task } from 'fhir/r4';
import { isAppError } from '../../../src/errors/app-error.ts';
import { errorMessage } from '../../../src/errors/error-message.ts';
import type { FhirGateway } from '../../../src/fhir/fhir-gateway.ts';
import { identifierQuery } from '../../../src/fhir/identifier-query.ts';
import { idOfReference } from '../../../src/fhir/reference-id.ts';
import { SYSTEM, writerTag } from '../../../src/fhir/systems.ts';
import type { Logger } from '../../../src/log/create-logger.ts';
import {
  interchangeIdentifier,
  noteClaimEvent,
  x12ClaimIdentifier,
  type ClaimEvent,
} from '../../../src/x12/claim-timeline.ts';
import { importEra } from '../../../src/x12/import-era.ts';
import { matchUnmatchedEras } from '../../../src/x12/match-unmatched-eras.ts';
import { detectTransactionSet, readX12 } from '../../../src/x12/read-x12.ts';
import { ackEvent, claimStatusEvent } from '../../../src/x12/status-events.ts';
import { X12InputError } from '../../../src/x12/x12-error.ts';
import type { Ta1 } from '../../../src/x12/read-999.ts';
import type {
  InterchangeGuard,
  InterchangeGuardState,
} from '../../../src/x12/interchange-guard.ts';
import type { X12SubmissionStore } from '../../../src/x12/x12-submissions.ts';
import { X12_SYSTEM } from '../../../src/x12/x12-systems.ts';
import type { BatchTransport } from '../../../src/x12/transport/clearinghouse-transport.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import {
  buildTask,
  taskDeadline,
  taskIdentifierQuery,
  workItemDisplay,
  type WorkItemCode,
} from '../build-task.ts';
import { closeAnsweredAppeals } from '../close-appeals.ts';

export interface InboundDeps {
  transport: BatchTransport;
  /** The billing store, audited: every write has its Provenance and AuditEvent. */
  billing: FhirGateway;
  ledger: Ledger;
  log: Logger;
  now: () => Date;
  /** The claims' control numbers: a claim in an interchange a TA1 rejects is released to go again. */
  submissions?: X12SubmissionStore;
  /** Counts TA1 rejections in a row: a re-send after a back-off, then a hold (interchange-guard.ts). */
  guard?: InterchangeGuard;
}

/** What one read of the inbound folder did. */
export interface InboundSummary {
  /** Files read, written to FHIR and archived. */
  read: number;
  /** Files refused (malformed, truncated, unbalanced, unknown): left in place, a Task says why. */
  held: number;
  /** Files left for the next read because a write failed (the FHIR server was down). */
  deferred: number;
}

/** The ledger cursor that records a held file (its value: when it was last held). */
export const heldCursor = (name: string) => `x12-held/${name}`;

/**
 * The ledger cursor `chartbill x12 inbound retry` moves to now: every file held before it is
 * read again on the next read of the folder (a clearinghouse that fixed a file in place, a
 * ChartBill that now reads what it refused).
 */
export const INBOUND_RETRY_CURSOR = 'x12-inbound-retry';

/** A held file is read again by itself a day after it was last held (it may have been fixed in place). */
export const HELD_RETRY_MS = 24 * 3_600_000;

/** Asks the worker to read every held file again on its next read of the folder. */
export async function retryHeldFiles(ledger: Ledger, now: Date): Promise<void> {
  await ledger.setCursor(INBOUND_RETRY_CURSOR, now.toISOString());
}

/**
 * Reads the clearinghouse's files (issue 15, items 2-3): TA1/999 accept or reject the claim's
 * interchange, 277CA accepts (a timeline event) or rejects (a Task with the STC codes in words),
 * 835 becomes ClaimResponses and a PaymentReconciliation (unmatched claims kept, with a Task;
 * a claim's new answer completes its open appeal, close-appeals.ts).
 * A file is archived only after its FHIR writes are done, and every write is idempotent, so a
 * file read twice (a crash before the archive, the clearinghouse sending it again) changes
 * nothing. A file that cannot be read is held: recorded in the ledger, a Task naming the segment
 * and position, the file left where it is; the next file is read all the same.
 */
export async function readInbound(deps: InboundDeps): Promise<InboundSummary> {
  const summary: InboundSummary = { read: 0, held: 0, deferred: 0 };
  const isDue = heldFileDue(deps);
  for (const name of await deps.transport.listInbound()) {
    const heldAt = await deps.ledger.getCursor(heldCursor(name));
    if (heldAt && !(await isDue(heldAt))) continue;
    try {
      await readFile(name, deps);
      await deps.transport.archiveInbound(name);
      if (heldAt) await releaseHeld(name, deps);
      summary.read += 1;
    } catch (err) {
      if (isAppError(err, 'X12_INVALID') || isAppError(err, 'X12_UNBALANCED')) {
        await hold(name, errorMessage(err), deps);
        summary.held += 1;
      } else {
        summary.deferred += 1;
        deps.log.warn(
          { file: name, err: errorMessage(err) },
          'inbound X12 file left for the next read',
        );
      }
    }
  }
  if (summary.read + summary.held + summary.deferred > 0)
    deps.log.info({ ...summary }, 'clearinghouse files read');
  return summary;
}

/**
 * Whether a file held at `heldAt` is read again now: a day after it was held, or when an admin
 * asked for it since. The retry cursor is read once per read of the folder, and only when a file
 * is held: an idle read with nothing held costs what it did.
 */
function heldFileDue(deps: InboundDeps): (heldAt: string) => Promise<boolean> {
  let retryAt: Promise<string | undefined> | undefined;
  return async (heldAt) => {
    const held = Date.parse(heldAt);
    if (deps.now().getTime() - held >= HELD_RETRY_MS) return true;
    retryAt ??= deps.ledger.getCursor(INBOUND_RETRY_CURSOR);
    const asked = await retryAt;
    return asked !== undefined && Date.parse(asked) > held;
  };
}

/**
 * ERA answers kept as unmatched whose claim ChartBill now knows (made since, or imported) are
 * matched to it, and their work items are done. One FHIR search: the worker runs it at start and
 * once a day, not on every read of the folder.
 */
export async function matchKnownClaims(
  deps: Pick<InboundDeps, 'billing' | 'log' | 'now'>,
): Promise<number> {
  const matched = await matchUnmatchedEras(deps.billing);
  for (const m of matched) {
    deps.log.info({ claim: m.claim }, 'unmatched ERA answer matched to its claim');
    await completeFileTask(
      'x12-unmatched',
      `era-${m.patientControlNumber}-${m.payerClaimControlNumber}`,
      deps,
    );
  }
  return matched.length;
}

/** A held file read at last: its work item is done. */
async function releaseHeld(name: string, deps: InboundDeps): Promise<void> {
  deps.log.info({ file: name }, 'held inbound X12 file read');
  await completeFileTask('x12-file-held', name, deps);
}

/** A file's work item (see `fileTask`) is done. */
async function completeFileTask(
  code: WorkItemCode,
  key: string,
  deps: Pick<InboundDeps, 'billing' | 'now'>,
): Promise<void> {
  const identifier = fileTaskIdentifier(code, key);
  const found = await deps.billing.searchAll('Task', { identifier: tokenOf(identifier) }, 2);
  for (const task of found)
    if (task.resourceType === 'Task' && task.id && task.status !== 'completed') {
      const version = task.meta?.versionId;
      await deps.billing.update<Task>(
        {
          ...task,
          id: task.id,
          meta: { tag: [writerTag('worker')] },
          status: 'completed',
          lastModified: deps.now().toISOString(),
        },
        version ? { ifMatchVersion: version } : {},
      );
    }
}

const tokenOf = (identifier: { system: string; value: string }) =>
  `${identifier.system}|${identifier.value}`;

const fileTaskIdentifier = (code: WorkItemCode, key: string) => ({
  system: SYSTEM.taskId,
  value: `x12-${code}-${key}`,
});

async function readFile(name: string, deps: InboundDeps): Promise<void> {
  const text = await deps.transport.download(name);
  const set = await detectTransactionSet(text);
  const date = deps.now().toISOString().slice(0, 10);
  if (set === '835') return readEra(text, name, deps);
  if (set === '271' || set === '837')
    throw new X12InputError(
      `A ${set} is not an answer from the clearinghouse (ChartBill reads 999, TA1, 277CA and 835 here)`,
    );
  const doc = await readX12(text, set);
  if (doc.kind === 'ack') {
    for (const ta1 of doc.ta1)
      if (ta1.status === 'R') await interchangeRejected(ta1, date, name, deps);
    // An interchange the clearinghouse opened: TA1 rejections are no longer "in a row".
    if (doc.acks.length > 0 || doc.ta1.some((t) => t.status !== 'R'))
      for (const hold of (await deps.guard?.accepted()) ?? [])
        await completeFileTask('x12-interchange-held', holdKey(hold), deps);
    for (const ack of doc.acks)
      await claimEvent(
        interchangeIdentifier(Number(ack.groupControl)),
        ackEvent(ack, ack.transactions[0], date),
        name,
        deps,
      );
  } else if (doc.kind === 'status') {
    for (const report of doc.reports)
      for (const answer of report.claims)
        await claimEvent(
          x12ClaimIdentifier(answer.patientControlNumber),
          claimStatusEvent(answer, report.source, report.kind),
          name,
          deps,
        );
  }
}

/** One claim's event: on its timeline, a Task when rejected, a Task when the claim is unknown. */
async function claimEvent(
  identifier: { system?: string; value?: string },
  event: ClaimEvent,
  file: string,
  deps: InboundDeps,
): Promise<ClaimResponse | undefined> {
  const response = await noteClaimEvent(deps.billing, identifier, event);
  if (!response) {
    await fileTask(
      'x12-unmatched',
      `${file}-${identifier.value ?? ''}`,
      `The clearinghouse file ${file} speaks of a claim ChartBill has no record of sending (${identifier.value ?? '?'}): ${event.label} — ${event.detail}. Check the claim with the clearinghouse.`,
      deps,
    );
    return undefined;
  }
  if (event.rejected) await rejectionTask(response, event, deps, REJECTED_NEXT);
  return response;
}

const REJECTED_NEXT =
  'Nothing was adjudicated. Correct what it names in the EHR and send the claim again.';

/**
 * A TA1 rejection: the clearinghouse could not open the interchange, so nothing in it reached a
 * payer (X12.5 TA1). The claim's timeline says so, with the note code in words, and its interchange
 * control number is released (the same TA1 read twice releases nothing more). What happens next is
 * the guard's (src/x12/interchange-guard.ts): the first rejection sends the claim again once, after
 * a back-off, with a work item for billing staff; a second in a row with the same interchange
 * settings holds the clearinghouse's claims, with one work item for the admin naming the settings
 * to check. Without a guard, the claim goes again on the worker's next look.
 */
async function interchangeRejected(
  ta1: Ta1,
  date: string,
  file: string,
  deps: InboundDeps,
): Promise<void> {
  const control = Number(ta1.interchangeControl);
  const event: ClaimEvent = {
    date,
    label: 'Rejected by clearinghouse (TA1)',
    detail: `${ta1.statusText}: TA1 note ${ta1.note}, ${ta1.noteText} (interchange ${String(control)})`,
  };
  const response = await claimEvent(interchangeIdentifier(control), event, file, deps);
  if (!response) return;
  const claimNumber = response.identifier?.find((i) => i.system === X12_SYSTEM.x12Claim)?.value;
  if (claimNumber) await deps.submissions?.release(claimNumber, control);
  const verdict = await deps.guard?.rejected(
    { control, note: ta1.note, noteText: ta1.noteText },
    deps.now(),
  );
  if (verdict?.kind === 'held') {
    deps.log.warn({ note: ta1.note, interchange: control }, 'clearinghouse claims held after TA1s');
    if (verdict.first && deps.guard) await interchangeHeldTask(verdict.state, deps.guard, deps);
    return;
  }
  const when =
    verdict?.kind === 'retry'
      ? `ChartBill sends it again once, in a new file, after ${verdict.at.toISOString()}`
      : 'ChartBill sends it again in a new file';
  await rejectionTask(
    response,
    event,
    deps,
    `The clearinghouse could not open the file, so no payer received the claim. ${when}; if that is rejected too, claims to the clearinghouse are held and the admin gets a work item naming the interchange settings (CHARTBILL_X12_*) to check.`,
  );
}

/** The key of a hold's work item: when it began. */
const holdKey = (heldSince: string) => `interchange-${heldSince}`;

/** The admin's one work item for a hold: the TA1 note in words and the settings to check. */
async function interchangeHeldTask(
  state: InterchangeGuardState,
  guard: InterchangeGuard,
  deps: InboundDeps,
): Promise<void> {
  await fileTask(
    'x12-interchange-held',
    holdKey(state.heldSince ?? ''),
    [
      `The clearinghouse rejected ${String(state.rejections)} interchanges in a row (TA1 note ${state.note}: ${state.noteText}), so no payer received those claims.`,
      'ChartBill holds the claims to this clearinghouse instead of sending files that would be rejected the same way (and may be billed).',
      `Check ${guard.check(state.note)}.`,
      'Then run `chartbill x12 interchange release`, or change the settings and restart the worker: the held claims go out again on its next look.',
    ].join('\n'),
    deps,
  );
}

/** The claim's work item: what the clearinghouse or payer refused, in words, and what to do. */
async function rejectionTask(
  response: ClaimResponse,
  event: ClaimEvent,
  deps: InboundDeps,
  next: string,
) {
  const claimId = idOfReference(response.request?.reference, 'Claim');
  const claim = claimId ? await deps.billing.read<Claim>('Claim', claimId) : undefined;
  const encounterId = claim ? encounterOf(claim) : undefined;
  if (!encounterId) return;
  const code: WorkItemCode = 'claim-rejected';
  const now = deps.now();
  const task = buildTask({
    code,
    description: `${event.label} on ${event.date}: ${event.detail}.\n${next}`,
    encounterId,
    ...(response.patient.reference ? { patient: response.patient.reference } : {}),
    focus: `ClaimResponse/${response.id ?? ''}`,
    businessStatus: 'rejected',
    now,
  });
  await deps.billing.create(task, { ifNoneExist: taskIdentifierQuery(encounterId, code) });
}

function encounterOf(claim: Claim): string | undefined {
  const ref = claim.item?.[0]?.encounter?.[0]?.reference;
  if (ref) return idOfReference(ref, 'Encounter');
  const id = claim.identifier?.find((i) => i.system === SYSTEM.claimId)?.value;
  return id?.startsWith('enc-') ? id.slice(4) : undefined;
}

/** An 835: ClaimResponses and the PaymentReconciliation; each unmatched claim kept and a Task. */
async function readEra(text: string, file: string, deps: InboundDeps): Promise<void> {
  const result = await importEra(deps.billing, text, { now: deps.now() });
  // A claim's new answer may be the payer's answer to an appeal: that appeal leaves the queue.
  await closeAnsweredAppeals(deps.billing, result.answers, deps.now());
  for (const u of result.unmatched)
    await fileTask(
      'x12-unmatched',
      `era-${u.patientControlNumber}-${u.payerClaimControlNumber}`,
      `The ERA ${file} pays ${u.paid.toFixed(2)} on claim ${u.patientControlNumber} (payer claim ${u.payerClaimControlNumber}), which ChartBill does not know. The payment is kept as a ClaimResponse; match it to the visit by hand or return it to the payer.`,
      deps,
    );
}

/**
 * A held file: recorded in the ledger (so it is not read again until a day has passed or an admin
 * asks: `chartbill x12 inbound retry`) and a Task with the reason.
 */
async function hold(name: string, reason: string, deps: InboundDeps): Promise<void> {
  deps.log.warn({ file: name, reason }, 'inbound X12 file held');
  await fileTask(
    'x12-file-held',
    name,
    `The clearinghouse file ${name} could not be read and is held in the inbound folder, unchanged: ${reason}. Ask the clearinghouse for a corrected file; remove this one once it is replaced. ChartBill reads it again a day later, or at once after \`chartbill x12 inbound retry\`.`,
    deps,
  );
  await deps.ledger.setCursor(heldCursor(name), deps.now().toISOString());
}

/** A work item about a file rather than an encounter, once per key (If-None-Exist). */
async function fileTask(
  code: WorkItemCode,
  key: string,
  description: string,
  deps: InboundDeps,
): Promise<void> {
  const now = deps.now();
  const display = workItemDisplay(code);
  const identifier = fileTaskIdentifier(code, key);
  const task: Task = {
    resourceType: 'Task',
    meta: { tag: [writerTag('worker')] },
    identifier: [identifier],
    status: 'requested',
    intent: 'order',
    priority: 'routine',
    code: { coding: [{ system: SYSTEM.taskCode, code, display }], text: display },
    description,
    authoredOn: now.toISOString(),
    lastModified: now.toISOString(),
    restriction: { period: { end: taskDeadline(code, now) } },
  };
  await deps.billing.create(task, { ifNoneExist: identifierQuery(identifier) });
}
