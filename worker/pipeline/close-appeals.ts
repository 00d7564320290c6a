import type { Claim, ClaimResponse, Task } from 'fhir/r4';
import { claimResponseSummary } from '../../src/claims/claim-response-summary.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { idOfReference } from '../../src/fhir/reference-id.ts';
import { SYSTEM, writerTag } from '../../src/fhir/systems.ts';
import { OPEN_TASK } from '../../src/billing-office/read-model-facts.ts';
import { resolveTask } from './resolve-tasks.ts';

/** Task.code of the workspace's appeal (src/billing-office/action-tasks.ts). */
export const APPEAL = 'appeal';
/** The Task statuses of an appeal still waiting for the payer. */
export const OPEN_APPEAL: ReadonlySet<string> = new Set(
  [...OPEN_TASK].filter((status) => status !== 'draft'),
);

/** The payer's new answer in words: paid, partly paid, or still denied, with the reasons. */
export function appealOutcome(answer: ClaimResponse): { paid: boolean; text: string } {
  const summary = claimResponseSummary(answer);
  const date = (answer.payment?.date ?? answer.created).slice(0, 10);
  const reasons = [...new Set(summary.denials.map((d) => `${d.group ?? 'CO'}-${d.carc}`))];
  const money = `$${summary.paid.toFixed(2)}`;
  if (answer.outcome === 'error')
    return {
      paid: false,
      text: `Rejected after the appeal on ${date}: ${answer.disposition ?? ''}`,
    };
  if (reasons.length === 0)
    return { paid: true, text: `Paid on appeal: the payer paid ${money} on ${date}.` };
  if (summary.paid > 0)
    return {
      paid: false,
      text: `Partly paid on appeal: the payer paid ${money} on ${date}; still denied: ${reasons.join(', ')}.`,
    };
  return {
    paid: false,
    text: `Still denied after the appeal (${reasons.join(', ')}) on ${date}: the denial stays in the queue for a second-level appeal or a write-off.`,
  };
}

/**
 * The payer answered a claim again after billing staff appealed it (issue 17, item 4: "the
 * appeal tracked as a Task until answered"): each open `appeal` Task of the claim written before
 * the answer is completed, with the outcome in words and the answer as output, so it leaves the
 * queue. Paid in full, the claim's denial item is completed too; still denied, it stays open as
 * any denial's does. Give it the audited billing gateway: each update has its Provenance and
 * AuditEvent. Returns the appeals closed.
 */
export async function closeAppeals(
  billing: FhirGateway,
  claim: string,
  answer: ClaimResponse,
  now: Date,
): Promise<number> {
  const found = await billing.searchAll(
    'Task',
    { code: `${SYSTEM.taskCode}|${APPEAL}`, focus: claim },
    20,
  );
  const appeals = found.filter(
    (t): t is Task & { id: string } =>
      t.resourceType === 'Task' &&
      t.id !== undefined &&
      OPEN_APPEAL.has(t.status) &&
      // Only an answer that came after the appeal answers it.
      Date.parse(t.authoredOn ?? '') <= Date.parse(answer.created),
  );
  if (appeals.length === 0) return 0;
  const outcome = appealOutcome(answer);
  for (const task of appeals) {
    const tags = task.meta?.tag ?? [];
    await billing.update<Task>(
      {
        ...task,
        meta: {
          ...task.meta,
          tag: tags.some((t) => t.system === SYSTEM.writer) ? tags : [...tags, writerTag('worker')],
        },
        status: 'completed',
        lastModified: now.toISOString(),
        businessStatus: { text: outcome.text },
        output: [
          ...(task.output ?? []),
          {
            type: { text: 'payer answer' },
            valueReference: { reference: `ClaimResponse/${answer.id ?? ''}` },
          },
        ],
      },
      task.meta?.versionId ? { ifMatchVersion: task.meta.versionId } : {},
    );
  }
  if (outcome.paid) await closeDenial(billing, claim, now);
  return appeals.length;
}

/**
 * Each claim's new answer from an ERA (import-era.ts `answers`) closes the appeals it answers:
 * the one step the worker's inbound read and `chartbill x12 import` both take. Returns the
 * appeals closed.
 */
export async function closeAnsweredAppeals(
  billing: FhirGateway,
  answers: readonly { claim: string; response: ClaimResponse }[],
  now: Date,
): Promise<number> {
  let closed = 0;
  for (const answer of answers)
    closed += await closeAppeals(billing, answer.claim, answer.response, now);
  return closed;
}

/** The claim's open denial item (worker/pipeline/stages/record-answer.ts), now paid on appeal. */
async function closeDenial(billing: FhirGateway, claim: string, now: Date): Promise<void> {
  const id = idOfReference(claim, 'Claim');
  if (!id) return;
  const read = await billing.read<Claim>('Claim', id);
  const value = read.identifier?.find((i) => i.system === SYSTEM.claimId)?.value ?? '';
  // enc-<encounter>, or enc-<encounter>-r<n> for the n-th replacement: the denial's suffix.
  const match = /^enc-(.+?)(-r\d+)?$/.exec(value);
  if (!match?.[1]) return;
  await resolveTask(billing, match[1], 'claim-denied', now, match[2] ?? '', 'paid on appeal');
}
