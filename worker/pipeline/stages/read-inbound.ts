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
import { detectTransactionSet, readX12 } from '../../../src/x12/read-x12.ts';
import { ackEvent, claimStatusEvent } from '../../../src/x12/status-events.ts';
import { X12InputError } from '../../../src/x12/x12-error.ts';
import type { BatchTransport } from '../../../src/x12/transport/clearinghouse-transport.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { buildTask, taskDeadline, taskIdentifierQuery, type WorkItemCode } from '../build-task.ts';
import { closeAnsweredAppeals } from '../close-appeals.ts';

export interface InboundDeps {
  transport: BatchTransport;
  /** The billing store, audited: every write has its Provenance and AuditEvent. */
  billing: FhirGateway;
  ledger: Ledger;
  log: Logger;
  now: () => Date;
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

/** The ledger cursor that records a held file (its value: when it was held). */
export const heldCursor = (name: string) => `x12-held/${name}`;

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
  for (const name of await deps.transport.listInbound()) {
    if (await deps.ledger.getCursor(heldCursor(name))) continue;
    try {
      await readFile(name, deps);
      await deps.transport.archiveInbound(name);
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
      if (ta1.status === 'R')
        await claimEvent(
          interchangeIdentifier(Number(ta1.interchangeControl)),
          {
            date,
            label: 'Rejected by clearinghouse (TA1)',
            detail: `${ta1.statusText}: ${ta1.noteText}`,
            rejected: { codes: [{ code: { text: ta1.noteText } }] },
          },
          name,
          deps,
        );
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
): Promise<void> {
  const response = await noteClaimEvent(deps.billing, identifier, event);
  if (!response) {
    await fileTask(
      'x12-unmatched',
      `${file}-${identifier.value ?? ''}`,
      `The clearinghouse file ${file} speaks of a claim ChartBill has no record of sending (${identifier.value ?? '?'}): ${event.label} — ${event.detail}. Check the claim with the clearinghouse.`,
      deps,
    );
    return;
  }
  if (event.rejected) await rejectionTask(response, event, deps);
}

/** The claim's work item: what the clearinghouse or payer refused, in words, and what to do. */
async function rejectionTask(response: ClaimResponse, event: ClaimEvent, deps: InboundDeps) {
  const claimId = idOfReference(response.request?.reference, 'Claim');
  const claim = claimId ? await deps.billing.read<Claim>('Claim', claimId) : undefined;
  const encounterId = claim ? encounterOf(claim) : undefined;
  if (!encounterId) return;
  const code: WorkItemCode = 'claim-rejected';
  const now = deps.now();
  const task = buildTask({
    code,
    description: `${event.label} on ${event.date}: ${event.detail}.\nNothing was adjudicated. Correct what it names in the EHR and send the claim again.`,
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

/** A held file: recorded in the ledger (so it is not read again) and a Task with the reason. */
async function hold(name: string, reason: string, deps: InboundDeps): Promise<void> {
  deps.log.warn({ file: name, reason }, 'inbound X12 file held');
  await fileTask(
    'x12-file-held',
    name,
    `The clearinghouse file ${name} could not be read and is held in the inbound folder, unchanged: ${reason}. Ask the clearinghouse for a corrected file; remove this one once it is replaced.`,
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
  const display =
    code === 'x12-file-held'
      ? 'Clearinghouse file could not be read'
      : 'Clearinghouse answer for an unknown claim';
  const identifier = { system: SYSTEM.taskId, value: `x12-${code}-${key}` };
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
