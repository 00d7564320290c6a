import type { Identifier, OperationOutcome, Task } from 'fhir/r4';
import { SYSTEM, writerTag } from '../../src/fhir/systems.ts';
import { identifierQuery } from '../../src/fhir/identifier-query.ts';

/** The work items the worker creates for billing staff (Task.code in SYSTEM.taskCode). */
export type WorkItemCode =
  | 'not-coded'
  | 'no-coverage'
  | 'coverage-inactive'
  | 'claim-scrub-errors'
  | 'claim-unpriced'
  | 'claim-underpaid'
  | 'claim-data-missing'
  | 'data-invalid'
  | 'claim-denied'
  | 'claim-rejected'
  | 'claim-no-answer'
  | 'x12-unmatched'
  | 'x12-file-held'
  | 'x12-interchange-held'
  | 'worker-gave-up';

const WORK_ITEMS: Record<WorkItemCode, { display: string; days: number }> = {
  'not-coded': { display: 'Encounter finished without signed charges', days: 3 },
  'no-coverage': { display: 'No active coverage on file', days: 7 },
  'coverage-inactive': { display: 'Coverage not in force on the date of service', days: 7 },
  'claim-scrub-errors': { display: 'Claim has coding errors', days: 7 },
  // A pricing work item: the code stays as documented; the charge master gets a price.
  'claim-unpriced': { display: 'Charge master has no price for a billed code', days: 3 },
  // The payer paid less than its contract says: ask for the difference (reopening or appeal).
  'claim-underpaid': { display: 'Paid less than expected', days: 60 },
  'claim-data-missing': { display: 'Claim is missing data', days: 7 },
  'data-invalid': { display: 'Record cannot be used for billing', days: 7 },
  // Most plans allow 90 to 180 days to appeal; the sandbox takes the short end.
  'claim-denied': { display: 'Claim denied', days: 90 },
  // Refused at the front door (999, 277CA): nothing was adjudicated; correct and send again.
  'claim-rejected': { display: 'Claim rejected by the clearinghouse or payer', days: 7 },
  // Submitted, acknowledged at most, never adjudicated: ask the payer within two weeks, while a
  // claim it never received can still be filed again (the queue shows the earlier filing limit).
  'claim-no-answer': { display: 'No answer from the payer', days: 14 },
  // An acknowledgment or payment for a claim ChartBill does not know: kept, never dropped.
  'x12-unmatched': { display: 'Clearinghouse answer for an unknown claim', days: 7 },
  // A file from the clearinghouse ChartBill could not read: held with the reason, nothing lost.
  'x12-file-held': { display: 'Clearinghouse file could not be read', days: 1 },
  // TA1 rejections in a row: claims to the clearinghouse held until an admin checks the settings.
  'x12-interchange-held': { display: 'Claims held: the clearinghouse rejects our files', days: 1 },
  // A claim that cannot go out loses money by the day (timely filing): someone looks today.
  'worker-gave-up': { display: 'Claim stuck: the worker stopped retrying', days: 1 },
};

/** Every work item the worker raises (the billing queue lists each: src/billing-office/work-item-kinds.ts). */
export const WORK_ITEM_CODES = Object.keys(WORK_ITEMS) as readonly WorkItemCode[];

/** A work item's name, as its Task.code display says it. */
export function workItemDisplay(code: WorkItemCode): string {
  return WORK_ITEMS[code].display;
}

export function isWorkItemCode(value: string): value is WorkItemCode {
  return Object.hasOwn(WORK_ITEMS, value);
}

export interface TaskInput {
  code: WorkItemCode;
  /** Plain words for billing staff: what is wrong and what to do. No codes they cannot act on. */
  description: string;
  encounterId: string;
  /** `Patient/123`; absent when the record names no usable patient. */
  patient?: string;
  /** What the task is about; the Encounter by default (a ClaimResponse for denials). */
  focus?: string;
  businessStatus?: string;
  /** Tells apart several work items of one code for one encounter (e.g. `-r1`: the first replacement's denial). */
  suffix?: string;
  /** The problem, OperationOutcome-style: contained in the Task and named as its output. */
  outcome?: OperationOutcome;
  now: Date;
}

/** The identifier that makes a work item unique per encounter and code. */
export function taskIdentifier(encounterId: string, code: WorkItemCode, suffix = ''): Identifier {
  return { system: SYSTEM.taskId, value: `enc-${encounterId}-${code}${suffix}` };
}

/** The work item's `If-None-Exist` query, so reruns never duplicate it. */
export function taskIdentifierQuery(encounterId: string, code: WorkItemCode, suffix = ''): string {
  return identifierQuery(taskIdentifier(encounterId, code, suffix));
}

/** When a work item of this kind is due (ISO instant). */
export function taskDeadline(code: WorkItemCode, now: Date): string {
  return new Date(now.getTime() + WORK_ITEMS[code].days * 86_400_000).toISOString();
}

/**
 * A work item for billing staff: requested, with a deadline (`restriction.period.end`), about
 * the patient (`for`) and the encounter or claim response (`focus`).
 */
export function buildTask(input: TaskInput): Task {
  const item = WORK_ITEMS[input.code];
  return {
    resourceType: 'Task',
    meta: { tag: [writerTag('worker')] },
    identifier: [taskIdentifier(input.encounterId, input.code, input.suffix)],
    status: 'requested',
    intent: 'order',
    priority: input.code === 'claim-denied' ? 'urgent' : 'routine',
    code: {
      coding: [{ system: SYSTEM.taskCode, code: input.code, display: item.display }],
      text: item.display,
    },
    description: input.description,
    ...(input.patient ? { for: { reference: input.patient } } : {}),
    focus: { reference: input.focus ?? `Encounter/${input.encounterId}` },
    encounter: { reference: `Encounter/${input.encounterId}` },
    authoredOn: input.now.toISOString(),
    lastModified: input.now.toISOString(),
    restriction: { period: { end: taskDeadline(input.code, input.now) } },
    ...(input.businessStatus ? { businessStatus: { text: input.businessStatus } } : {}),
    ...(input.outcome ? reasonOf(input.outcome) : {}),
  };
}

/** The OperationOutcome as a contained resource, its first issue as the status reason. */
function reasonOf(outcome: OperationOutcome): Pick<Task, 'contained' | 'statusReason' | 'output'> {
  const first = outcome.issue[0];
  return {
    contained: [{ ...outcome, id: 'reason' }],
    statusReason: { text: first?.diagnostics ?? first?.details?.text ?? 'invalid data' },
    output: [
      { type: { text: 'Reason the item was set aside' }, valueReference: { reference: '#reason' } },
    ],
  };
}
