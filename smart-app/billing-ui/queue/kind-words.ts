import type { WorkItemKind } from '../../../src/billing-office/billing-api.ts';

/** Each kind of work item in the words a biller uses. */
export const KIND_WORDS: Record<WorkItemKind, string> = {
  'not-coded': 'Not coded',
  'no-coverage': 'No coverage on file',
  'coverage-inactive': 'Coverage inactive',
  'claim-scrub-errors': 'Held: claim edits',
  'claim-unpriced': 'Held: no price',
  'claim-underpaid': 'Underpaid',
  'claim-data-missing': 'Held: data missing',
  'data-invalid': 'Invalid data',
  'claim-denied': 'Denied',
  'claim-rejected': 'Rejected',
  'claim-no-answer': 'No answer from payer',
  'x12-unmatched': 'Unmatched clearinghouse answer (ERA, 277CA)',
  'x12-file-held': 'Clearinghouse file held',
  'x12-interchange-held': 'Claims held: clearinghouse rejects our files (TA1)',
  'worker-gave-up': 'Stuck: the worker gave up',
  'coding-correction': 'Coding correction requested',
  appeal: 'Appeal pending',
};

/** Drill-down parameter names in words, for the chips above the table. */
export function paramWords(key: string): string {
  const words: Record<string, string> = {
    carc: 'Reason (CARC)',
    reason: 'Reason',
    group: 'CARC group',
    cpt: 'CPT',
    provider: 'Rendering provider',
    month: 'Month',
    from: 'From',
    to: 'To',
    status: 'Status',
    claims: 'Claims',
    bucket: 'Aging bucket',
    aging: 'Days since the date of service',
    state: 'Claim state',
    deniedFirstPass: 'Denied on first pass',
    payer: 'Payer',
  };
  return words[key] ?? key;
}
