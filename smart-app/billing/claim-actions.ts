import type { Task } from 'fhir/r4';
import {
  buildActionTask,
  idempotencyIdentifier,
  taskAmount,
  taskKind,
  WRITE_OFF_REASON_SYSTEM,
  WRITE_OFF_REASONS,
  type ActionTaskKind,
  type WriteOffReason,
} from '../../src/billing-office/action-tasks.ts';
import { mayWriteOff, requireAction } from '../../src/billing-office/roles.ts';
import type { ClaimActionAnswer } from '../../src/billing-office/claim-actions-api.ts';
import { roundCents } from '../../src/claims/fee-schedule.ts';
import { AppError } from '../../src/errors/app-error.ts';
import { identifierQuery } from '../../src/fhir/identifier-query.ts';
import type { BillingCaller } from './billing-caller.ts';
import type { LoadedClaim } from './load-claim-detail.ts';

/** What every money action is given: who asks, the claim as read now, the key, the clock. */
export interface ActionContext {
  caller: BillingCaller;
  loaded: LoadedClaim;
  key: string;
  now: Date;
}

const OPEN = (t: Task) =>
  !['completed', 'cancelled', 'entered-in-error', 'failed'].includes(t.status);

function notApplicable(message: string, hint?: string): AppError {
  return new AppError('BILLING_ACTION_NOT_APPLICABLE', message, hint ? { hint } : {});
}

/** Writes the action's Task once per key (If-None-Exist on its identifier) and answers with it. */
async function writeTask(
  a: ActionContext,
  kind: ActionTaskKind,
  fields: Pick<
    Parameters<typeof buildActionTask>[0],
    'status' | 'description' | 'amount' | 'reason' | 'deadline'
  >,
): Promise<ClaimActionAnswer> {
  const { detail } = a.loaded;
  const task = buildActionTask({
    kind,
    claimId: detail.claimId,
    key: a.key,
    patient: detail.patient.reference,
    ...(detail.encounterId ? { encounterId: detail.encounterId } : {}),
    requester: a.caller.user.reference,
    now: a.now,
    ...fields,
  });
  const { resource, created } = await a.caller.fhir.create(task, {
    ifNoneExist: identifierQuery(idempotencyIdentifier(kind, detail.claimId, a.key)),
  });
  return {
    action: kind,
    claimId: detail.claimId,
    taskId: resource.id ?? '',
    status: resource.status,
    repeated: !created,
    ...(fields.amount !== undefined ? { amount: roundCents(fields.amount) } : {}),
    ...(fields.deadline ? { deadline: fields.deadline } : {}),
  };
}

/** The answer of an earlier run with the same key (another instance, or before a restart). */
function replay(a: ActionContext, kind: ActionTaskKind): ClaimActionAnswer | undefined {
  const { value } = idempotencyIdentifier(kind, a.loaded.claim.id, a.key);
  const task = a.loaded.tasks.find((t) => t.identifier?.some((i) => i.value === value));
  if (!task) return undefined;
  const amount = taskAmount(task);
  const deadline = task.restriction?.period?.end;
  return {
    action: kind,
    claimId: a.loaded.claim.id,
    taskId: task.id ?? '',
    status: task.status,
    repeated: true,
    ...(amount !== undefined ? { amount } : {}),
    ...(deadline ? { deadline } : {}),
  };
}

/** A Task of this kind already open for the claim, written under another key: answered as is. */
function openTaskOf(a: ActionContext, kind: ActionTaskKind): Task | undefined {
  return a.loaded.tasks.find(
    (t) => taskKind(t) === kind && OPEN(t) && t.focus?.reference === `Claim/${a.loaded.claim.id}`,
  );
}

/**
 * Void (X12 frequency 8): a requested `claim-void` Task the worker acts on. Only a claim the
 * payer has numbered can be voided (the void names it in REF*F8), and only once.
 */
export async function voidClaim(a: ActionContext): Promise<ClaimActionAnswer> {
  requireAction(a.caller.roles, 'claim.void');
  const again = replay(a, 'claim-void');
  if (again) return again;
  const { detail } = a.loaded;
  if (detail.frequency === '8' || detail.status === 'cancelled')
    throw notApplicable('This claim is a void or was voided already.');
  if (!detail.payerClaimNumber)
    throw notApplicable(
      'The payer has not numbered this claim yet, so there is nothing to void.',
      'Wait for the payer’s answer; a claim never received needs no void.',
    );
  const open = openTaskOf(a, 'claim-void');
  if (open) throw notApplicable('A void of this claim is already on its way to the payer.');
  return writeTask(a, 'claim-void', {
    status: 'requested',
    description: `Void claim ${detail.claimId} (payer claim number ${detail.payerClaimNumber}): the worker sends a frequency-8 claim.`,
  });
}

/** First-level appeal: an in-progress `appeal` Task with its deadline, until the payer answers. */
export async function appealClaim(a: ActionContext, deadline: string): Promise<ClaimActionAnswer> {
  requireAction(a.caller.roles, 'claim.appeal');
  const again = replay(a, 'appeal');
  if (again) return again;
  const { detail } = a.loaded;
  if (detail.denials.length === 0)
    throw notApplicable('The payer denied nothing on this claim: there is nothing to appeal.');
  const open = openTaskOf(a, 'appeal');
  if (open)
    throw notApplicable('An appeal of this claim is already waiting for the payer’s answer.');
  const reasons = detail.denials.map((d) => `${d.group ?? 'CO'}-${d.carc}`).join(', ');
  return writeTask(a, 'appeal', {
    status: 'in-progress',
    description: `First-level appeal of ${reasons}; the payer must receive it by ${deadline}.`,
    deadline,
  });
}

/**
 * Write-off with a reason. Up to the open balance; above CHARTBILL_BILLING_WRITE_OFF_LIMIT only a
 * manager (roles.ts mayWriteOff).
 */
export async function writeOff(
  a: ActionContext,
  amount: number,
  reason: WriteOffReason,
): Promise<ClaimActionAnswer> {
  requireAction(a.caller.roles, 'claim.write-off');
  const again = replay(a, 'write-off');
  if (again) return again;
  if (!mayWriteOff(a.caller.roles, amount, a.caller.writeOffLimit))
    throw new AppError(
      'BILLING_FORBIDDEN',
      `Write-offs above $${a.caller.writeOffLimit.toFixed(2)} need a billing manager; this one is $${amount.toFixed(2)}.`,
      { hint: 'Ask your billing manager to write it off, or write off a smaller amount.' },
    );
  const { balance } = a.loaded.detail.totals;
  if (amount > balance + 0.004)
    throw notApplicable(
      `The open balance is $${balance.toFixed(2)}; $${amount.toFixed(2)} cannot be written off.`,
    );
  const display = WRITE_OFF_REASONS[reason];
  return writeTask(a, 'write-off', {
    status: 'completed',
    description: `${display}: $${amount.toFixed(2)} written off.`,
    amount,
    reason: { system: WRITE_OFF_REASON_SYSTEM, code: reason, display },
  });
}

/** Moves what the payer says the patient owes (less what is on a statement already) to a statement. */
export async function billPatient(a: ActionContext): Promise<ClaimActionAnswer> {
  requireAction(a.caller.roles, 'claim.bill-patient');
  const again = replay(a, 'patient-statement');
  if (again) return again;
  const { totals } = a.loaded.detail;
  const amount = roundCents(totals.patient - totals.billedToPatient);
  if (amount <= 0)
    throw notApplicable(
      totals.billedToPatient > 0
        ? 'The patient’s share of this claim is on a statement already.'
        : 'The payer assigned nothing of this claim to the patient.',
    );
  return writeTask(a, 'patient-statement', {
    status: 'requested',
    description: `Patient responsibility of $${amount.toFixed(2)} for the visit of ${a.loaded.detail.serviceDate ?? 'unknown date'}.`,
    amount,
  });
}
