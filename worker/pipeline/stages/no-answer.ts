import type { ClaimResponse } from 'fhir/r4';
import { buildTask, taskIdentifierQuery } from '../build-task.ts';
import { resolveTask } from '../resolve-tasks.ts';
import {
  refOf,
  type ClaimWithId,
  type EncounterContext,
  type PipelineDeps,
} from '../pipeline-types.ts';

/** How long a submitted claim may wait for its answer when CHARTBILL_BILLING_NO_ANSWER_DAYS is not given. */
export const DEFAULT_NO_ANSWER_MS = 30 * 86_400_000;

const DAY_MS = 86_400_000;

/** When the ledger says this claim was sent, if it says so. */
function sentAt(claim: ClaimWithId, deps: PipelineDeps): string | undefined {
  const submitted = deps.pass.submitted;
  return submitted?.claim === refOf(claim) ? submitted.at : undefined;
}

/** True when the claim was sent at least the no-answer wait ago (the work item is due, or was). */
function waitedTooLong(claim: ClaimWithId, deps: PipelineDeps): string | undefined {
  const at = sentAt(claim, deps);
  if (!at) return undefined;
  const wait = deps.noAnswerMs ?? DEFAULT_NO_ANSWER_MS;
  return deps.now().getTime() - Date.parse(at) >= wait ? at : undefined;
}

/**
 * The payer still has no answer (issue 17, item 2: "no answer past N days"): it queued the claim,
 * or the clearinghouse only acknowledged it (999, 277CA acceptance), and the wait since the
 * ledger's `submittedAt` is over. One open Task per claim, created with If-None-Exist on the
 * claim's work-item identifier, so polls, ticks and restarts never add a second. It runs only
 * on the poll the queued claim gets anyway: no search of every claim.
 */
export async function raiseNoAnswer(
  ctx: EncounterContext,
  claim: ClaimWithId,
  /** Tells the claims of one encounter apart (record-answer.ts denialSuffix): one item per claim. */
  suffix: string,
  deps: PipelineDeps,
): Promise<void> {
  const since = waitedTooLong(claim, deps);
  if (!since) return;
  const days = Math.round((deps.noAnswerMs ?? DEFAULT_NO_ANSWER_MS) / DAY_MS);
  const payer = ctx.payerOrg?.name ?? claim.insurer?.display ?? 'the payer';
  const billed = claim.total?.value ?? 0;
  const now = deps.now();
  const task = buildTask({
    code: 'claim-no-answer',
    description: `No answer from ${payer} ${String(days)} days after submission on ${since.slice(0, 10)}; $${billed.toFixed(2)} billed is waiting.\nAsk the payer for the claim's status (a claim status inquiry or its portal). If it never received the claim, send it again before the timely filing limit.`,
    encounterId: ctx.encounter.id,
    patient: refOf(ctx.patient),
    focus: refOf(claim),
    businessStatus: 'no answer',
    suffix: suffix,
    now,
  });
  await deps.billing.create(task, {
    ifNoneExist: taskIdentifierQuery(ctx.encounter.id, 'claim-no-answer', suffix),
  });
}

/**
 * The payer answered a claim that had waited past the no-answer wait: its work item is completed
 * with the answer in words, so it leaves the queue (a denial has its own item). A claim answered
 * in time never had one and costs no search.
 */
export async function settleNoAnswer(
  ctx: EncounterContext,
  claim: ClaimWithId,
  answer: ClaimResponse,
  suffix: string,
  deps: PipelineDeps,
): Promise<void> {
  if (!waitedTooLong(claim, deps)) return;
  const now = deps.now();
  const what = answer.outcome === 'error' ? 'rejected it' : 'answered';
  await resolveTask(
    deps.billing,
    ctx.encounter.id,
    'claim-no-answer',
    now,
    suffix,
    `the payer ${what} on ${(answer.created || now.toISOString()).slice(0, 10)}`,
  );
}
