/**
 * The billing queue's fixed lists (issue 17), apart from billing-api.ts's zod schemas so that
 * browser code can import them without bundling zod.
 */

/** What kind of work an item is: the worker's Task.code (`worker/pipeline/build-task.ts`, the same names) plus the workspace's own. */
export const WORK_ITEM_KINDS = [
  'not-coded',
  'no-coverage',
  'coverage-inactive',
  'claim-scrub-errors',
  'claim-unpriced',
  'claim-underpaid',
  'claim-data-missing',
  'data-invalid',
  'claim-denied',
  'claim-rejected',
  'claim-no-answer',
  'x12-unmatched',
  'x12-file-held',
  'x12-interchange-held',
  'worker-gave-up',
  'coding-correction',
  'appeal',
] as const;
export type WorkItemKind = (typeof WORK_ITEM_KINDS)[number];

export const QUEUE_SORTS = [
  'amount',
  'deadline',
  'age',
  'service-date',
  'patient',
  'payer',
] as const;
