import { expectedForClaim, underpaidLines } from '../../../src/pricing/expected-reimbursement.ts';
import { denialNextStep } from '../../../src/claims/denial-next-steps.ts';
import type { ClaimResponse, Identifier } from 'fhir/r4';
import { answerPaymentReconciliation } from '../../../src/claims/answer-payment-reconciliation.ts';
import { X12_SYSTEM } from '../../../src/x12/x12-systems.ts';
import type { FhirGateway } from '../../../src/fhir/fhir-gateway.ts';
import { claimIdentifierFor } from '../../../src/claims/build-claim.ts';
import {
  claimResponseSummary,
  type ClaimResponseSummary,
} from '../../../src/claims/claim-response-summary.ts';
import { SYSTEM, writerTag } from '../../../src/fhir/systems.ts';
import { buildTask, taskDeadline, taskIdentifierQuery } from '../build-task.ts';
import { raiseNoAnswer, settleNoAnswer } from './no-answer.ts';

/** The Task identifier suffix of the denial of replacement n (none for the original claim). */
export function denialSuffix(replacement: number): string {
  return replacement > 0 ? `-r${String(replacement)}` : '';
}
import {
  identifierQuery,
  refOf,
  type AnsweredOutcome,
  type ClaimWithId,
  type EncounterContext,
  type PipelineDeps,
} from '../pipeline-types.ts';

/**
 * The final answer already recorded for a claim, if any. Checked before submitting so that a
 * worker that lost its ledger, facing a payer that lost its memory, still submits only once.
 */
export async function findAnswer(
  billing: FhirGateway,
  claim: ClaimWithId,
): Promise<ClaimResponse | undefined> {
  const found = await billing.searchAll('ClaimResponse', { request: refOf(claim) }, 10);
  return found.find(
    (r): r is ClaimResponse => r.resourceType === 'ClaimResponse' && r.outcome !== 'queued',
  );
}

/**
 * The payer's claim control number on its answer (REF*F8 of a replacement or void), whichever
 * path answered: an 835's ClaimResponse lists its ERA key first, the FHIR payer only the number.
 */
export function payerClaimNumberOf(answer: ClaimResponse | undefined): Identifier | undefined {
  return (
    answer?.identifier?.find((i) => i.system === X12_SYSTEM.payerClaimNumber) ??
    answer?.identifier?.[0]
  );
}

/**
 * Writes the payer's ClaimResponse to the billing store with `request` → our Claim, once
 * (If-None-Exist on the payer's identifier; a changed outcome, e.g. queued → complete, updates
 * it). A denial, whole or partial, becomes a Task with the reasons and the appeal deadline.
 */
export async function recordAnswer(
  ctx: EncounterContext,
  claim: ClaimWithId,
  answer: ClaimResponse,
  deps: PipelineDeps,
): Promise<AnsweredOutcome> {
  const stored = await storeClaimResponse(ctx, claim, answer, deps);
  const summary = claimResponseSummary(stored);
  const denied = summary.denials.length > 0;
  if (denied) {
    const now = deps.now();
    const task = buildTask({
      code: 'claim-denied',
      description: denialDescription(summary, taskDeadline('claim-denied', now)),
      encounterId: ctx.encounter.id,
      patient: refOf(ctx.patient),
      focus: refOf(stored),
      businessStatus: partlyPaid(summary) ? 'partially denied' : 'denied',
      suffix: denialSuffix(deps.pass.replacing ?? 0),
      now,
    });
    await deps.billing.create(task, {
      ifNoneExist: taskIdentifierQuery(
        ctx.encounter.id,
        'claim-denied',
        denialSuffix(deps.pass.replacing ?? 0),
      ),
    });
  }
  const suffix = denialSuffix(deps.pass.replacing ?? 0);
  if (stored.outcome === 'queued') await raiseNoAnswer(ctx, claim, suffix, deps);
  else {
    await settleNoAnswer(ctx, claim, stored, suffix, deps);
    await recordPayment(claim, stored, deps);
    await raiseUnderpayment(ctx, claim, stored, summary, deps);
  }
  return {
    stage: stored.outcome === 'queued' ? 'submitted' : 'answered',
    claim: refOf(claim),
    claimResponse: refOf(stored),
    outcome: stored.outcome,
    paid: summary.paid > 0,
    denied,
  };
}

async function storeClaimResponse(
  ctx: EncounterContext,
  claim: ClaimWithId,
  answer: ClaimResponse,
  deps: PipelineDeps,
): Promise<ClaimResponse> {
  const identifier = answer.identifier?.[0] ?? {
    system: SYSTEM.claimResponseId,
    value: `enc-${ctx.encounter.id}`,
  };
  const response: ClaimResponse = {
    ...answer,
    identifier: answer.identifier?.length ? answer.identifier : [identifier],
    meta: { tag: [writerTag('worker')] },
    request: {
      reference: refOf(claim),
      identifier: claim.identifier?.[0] ?? claimIdentifierFor(ctx.encounter.id),
    },
  };
  // The payer's id means nothing in our store; the billing store assigns its own.
  delete response.id;
  const { resource, created } = await deps.billing.create(response, {
    ifNoneExist: identifierQuery(identifier),
  });
  if (created || resource.outcome === response.outcome || !resource.id) return resource;
  const versionId = resource.meta?.versionId;
  return deps.billing.update(
    { ...response, id: resource.id },
    versionId ? { ifMatchVersion: versionId } : {},
  );
}

/**
 * The payment the answer reports, as its PaymentReconciliation (one per payment: If-None-Exist on
 * payer id/trace), so a claim paid through FHIR `$submit` shows its payment as one paid through
 * an 835 does. An 835's answers have theirs from the ERA import.
 */
async function recordPayment(
  claim: ClaimWithId,
  stored: ClaimResponse,
  deps: PipelineDeps,
): Promise<void> {
  if (!stored.id) return;
  const recon = answerPaymentReconciliation(
    { ...stored, id: stored.id },
    { reference: refOf(claim) },
    deps.now().toISOString(),
  );
  if (!recon) return;
  await deps.billing.create(
    { ...recon, meta: { tag: [writerTag('worker')] } },
    { ifNoneExist: identifierQuery(recon.identifier?.[0] ?? {}) },
  );
}

/**
 * Part of the claim was paid: a FHIR payer may say `partial`; an 835 (and the sandbox payer,
 * which answers through the same mapping) says `complete` with some lines denied and money paid.
 */
function partlyPaid(summary: ClaimResponseSummary): boolean {
  return summary.outcome === 'partial' || (summary.outcome === 'complete' && summary.paid > 0);
}

/** The denial in words: each reason once, with the lines it hit, and what to do by when. */
function denialDescription(summary: ClaimResponseSummary, deadline: string): string {
  const byCode = new Map<string, { text: string; lines: number[]; next: string }>();
  for (const d of summary.denials) {
    const entry = byCode.get(d.carc) ?? {
      text: d.text,
      lines: [],
      next: denialNextStep(d.group, d.carc, d.rarc).text,
    };
    if (d.itemSequence !== undefined) entry.lines.push(d.itemSequence);
    byCode.set(d.carc, entry);
  }
  const reasons = [...byCode.entries()].map(([carc, { text, lines, next }]) => {
    const where =
      lines.length > 0 && partlyPaid(summary)
        ? ` (line${lines.length > 1 ? 's' : ''} ${lines.join(', ')})`
        : '';
    return `- ${text.includes(carc) ? text : `CARC ${carc}: ${text}`}${where}\n  Next: ${next}`;
  });
  const head = partlyPaid(summary)
    ? `The payer denied part of the claim; it paid $${summary.paid.toFixed(2)}.`
    : 'The payer denied the claim.';
  return `${head}\n${reasons.join('\n')}\nAct by ${deadline.slice(0, 10)} (the appeal deadline).`;
}

/** What the payer allowed per line (adjudication category `eligible`). */
function allowedByLine(response: ClaimResponse): Map<number, number> {
  return new Map(
    (response.item ?? []).flatMap((item): [number, number][] => {
      const eligible = item.adjudication.find((a) =>
        a.category.coding?.some((c) => c.code === 'eligible'),
      );
      return eligible?.amount?.value !== undefined
        ? [[item.itemSequence, eligible.amount.value]]
        : [];
    }),
  );
}

/**
 * The payer allowed less than its contract says (expected-reimbursement.ts): a work item to ask
 * for the difference (a reopening or an appeal), with each line's expected and allowed amounts.
 */
async function raiseUnderpayment(
  ctx: EncounterContext,
  claim: ClaimWithId,
  response: ClaimResponse,
  summary: ClaimResponseSummary,
  deps: PipelineDeps,
): Promise<void> {
  const pricing = deps.editReference?.expected;
  const expected = pricing ? expectedForClaim(claim, pricing) : undefined;
  if (!expected) return;
  // A claim denied as a whole (timely filing, no coverage) is a denial with its own Task, never an
  // underpayment of $0 on every line.
  if (summary.denials.some((d) => d.itemSequence === undefined)) return;
  const denied = new Set(summary.denials.flatMap((d) => d.itemSequence ?? []));
  const short = underpaidLines(expected, allowedByLine(response), denied);
  if (short.length === 0) return;
  const gap = short.reduce((sum, s) => sum + s.expected - s.allowed, 0);
  const lines = short.map(
    (s) =>
      `- line ${String(s.sequence)}: allowed $${s.allowed.toFixed(2)}, expected $${s.expected.toFixed(2)} (${expected.lines.find((l) => l.sequence === s.sequence)?.basis ?? ''})`,
  );
  const now = deps.now();
  const task = buildTask({
    code: 'claim-underpaid',
    description: `The payer allowed $${gap.toFixed(2)} less than ${expected.schedule} says:\n${lines.join('\n')}\nAsk the payer to reprocess the lines (a reopening), or appeal with the contract.`,
    encounterId: ctx.encounter.id,
    patient: refOf(ctx.patient),
    focus: refOf(response),
    businessStatus: 'underpaid',
    suffix: denialSuffix(deps.pass.replacing ?? 0),
    now,
  });
  await deps.billing.create(task, {
    ifNoneExist: taskIdentifierQuery(
      ctx.encounter.id,
      'claim-underpaid',
      denialSuffix(deps.pass.replacing ?? 0),
    ),
  });
}
