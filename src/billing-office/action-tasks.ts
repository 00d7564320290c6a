import type { Identifier, Task } from 'fhir/r4';
import { roundCents } from '../claims/fee-schedule.ts';
import { SYSTEM, writerTag } from '../fhir/systems.ts';
import type { ClaimActionRecord } from './claim-detail-types.ts';

/**
 * How the workspace's actions are written in FHIR (issue 17, item 4). Each is a `Task` about the
 * Claim (`focus`), so the billing store that holds claims holds them too (routed-gateway.ts
 * BILLING_TYPES), the worker and the read model find them by code, and the timeline shows them:
 * - `claim-void`: requested by a biller; the worker sends the frequency-8 claim and completes it;
 * - `appeal`: in progress until the payer answers, with the appeal deadline (`restriction`);
 * - `write-off`: completed at once; `input` amount and reason (small balance, timely filing
 *   lost, contractual). A completed Task, not an Account adjustment: ChartBill keeps no Account,
 *   and the Task carries who, when, how much and why, with its Provenance;
 * - `patient-statement`: requested; the statement list is the open ones (CSV/PDF export), no
 *   payment processing;
 * - `coding-correction`: a clinician asks billing to correct billed coding.
 * The identifier carries the action's `Idempotency-Key`, so a repeat is a conditional create
 * that writes nothing (If-None-Exist), on every instance.
 */
export const ACTION_TASK_KINDS = [
  'claim-void',
  'appeal',
  'write-off',
  'patient-statement',
  'coding-correction',
] as const;
export type ActionTaskKind = (typeof ACTION_TASK_KINDS)[number];

const DISPLAY: Record<ActionTaskKind, string> = {
  'claim-void': 'Void the claim (frequency 8)',
  appeal: 'First-level appeal sent',
  'write-off': 'Balance written off',
  'patient-statement': 'Patient balance on a statement',
  'coding-correction': 'Coding correction requested',
};

/** Write-off reasons the workspace offers. */
export const WRITE_OFF_REASONS = {
  'small-balance': 'Small balance',
  'timely-filing': 'Timely filing lost',
  contractual: 'Contractual adjustment',
} as const;
export type WriteOffReason = keyof typeof WRITE_OFF_REASONS;

/** System of the workspace's write-off reason codes. */
export const WRITE_OFF_REASON_SYSTEM = 'https://chartbill.dev/fhir/CodeSystem/write-off-reason';
/** System of the identifiers that carry an action's Idempotency-Key. */
export const IDEMPOTENCY_SYSTEM = 'https://chartbill.dev/fhir/identifier/idempotency-key';

export function idempotencyIdentifier(
  kind: ActionTaskKind,
  claimId: string,
  key: string,
): Identifier {
  return { system: IDEMPOTENCY_SYSTEM, value: `${kind}:${claimId}:${key}` };
}

export interface ActionTaskInput {
  kind: ActionTaskKind;
  claimId: string;
  key: string;
  patient: string;
  encounterId?: string;
  /** `Practitioner/1`: who asked (Task.requester). */
  requester: string;
  now: Date;
  status: Task['status'];
  description: string;
  amount?: number;
  reason?: { system: string; code: string; display: string };
  /** YYYY-MM-DD. */
  deadline?: string;
}

export function buildActionTask(input: ActionTaskInput): Task {
  const inputs: NonNullable<Task['input']> = [];
  if (input.amount !== undefined)
    inputs.push({
      type: { text: 'amount' },
      valueMoney: { value: roundCents(input.amount), currency: 'USD' },
    });
  if (input.reason)
    inputs.push({
      type: { text: 'reason' },
      valueCodeableConcept: { coding: [input.reason], text: input.reason.display },
    });
  return {
    resourceType: 'Task',
    meta: { tag: [writerTag('smart-app')] },
    identifier: [idempotencyIdentifier(input.kind, input.claimId, input.key)],
    status: input.status,
    intent: 'order',
    code: {
      coding: [{ system: SYSTEM.taskCode, code: input.kind, display: DISPLAY[input.kind] }],
      text: DISPLAY[input.kind],
    },
    description: input.description,
    for: { reference: input.patient },
    focus: { reference: `Claim/${input.claimId}` },
    ...(input.encounterId ? { encounter: { reference: `Encounter/${input.encounterId}` } } : {}),
    requester: { reference: input.requester },
    authoredOn: input.now.toISOString(),
    lastModified: input.now.toISOString(),
    ...(input.deadline ? { restriction: { period: { end: input.deadline } } } : {}),
    ...(inputs.length > 0 ? { input: inputs } : {}),
  };
}

export function taskKind(task: Task): string | undefined {
  return task.code?.coding?.find((c) => c.system === SYSTEM.taskCode)?.code;
}

export function isActionTask(task: Task): boolean {
  const kind = taskKind(task);
  return kind !== undefined && (ACTION_TASK_KINDS as readonly string[]).includes(kind);
}

export function taskAmount(task: Task): number | undefined {
  return task.input?.find((i) => i.valueMoney)?.valueMoney?.value;
}

/** What the claim page lists of an action Task. */
export function actionRecord(task: Task): ClaimActionRecord {
  const amount = taskAmount(task);
  const reason = task.input?.find((i) => i.valueCodeableConcept)?.valueCodeableConcept?.text;
  const deadline = task.restriction?.period?.end;
  return {
    taskId: task.id ?? '',
    kind: taskKind(task) ?? 'task',
    status: task.status,
    at: task.authoredOn ?? task.meta?.lastUpdated ?? '',
    ...(amount !== undefined ? { amount } : {}),
    ...(reason ? { reason } : {}),
    ...(deadline ? { deadline: deadline.slice(0, 10) } : {}),
    ...(task.requester?.reference ? { by: task.requester.reference } : {}),
  };
}
