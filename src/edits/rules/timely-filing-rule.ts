/**
 * Timely filing (worker side, at submission): a claim filed after the payer's window is denied
 * (CARC 29, "the time limit for filing has expired") and cannot be billed to the patient.
 * Only runs when the engine is given submission facts (today, payer, windows).
 */
import type { EditRule } from '../edit-rule.ts';
import {
  addDays,
  daysBetween,
  TIMELY_FILING_WARNING_DAYS,
  timelyFilingDays,
} from '../timely-filing.ts';

export const timelyFiling: EditRule = ({ facts, reference }) => {
  const submission = reference.submission;
  if (!submission) return [];
  const window = timelyFilingDays(submission.timelyFiling, submission.payerId);
  const lastDay = addDays(facts.dateOfService, window);
  const left = daysBetween(submission.today, lastDay);
  const payer = submission.payerId ? `payer ${submission.payerId}` : 'the payer';
  if (left < 0) {
    return [
      {
        rule: 'claim-timely-filing',
        severity: 'error',
        message: `The filing limit for ${payer} (${window} days after the date of service ${facts.dateOfService}) ended on ${lastDay}; the claim would be denied (CARC 29).`,
        fix: 'Do not submit: write the charge off, or send the payer proof of timely filing (an earlier rejection or acknowledgement) if you have it.',
      },
    ];
  }
  if (left > TIMELY_FILING_WARNING_DAYS) return [];
  return [
    {
      rule: 'claim-timely-filing',
      severity: 'warning',
      message: `Only ${left} day${left === 1 ? '' : 's'} left to file with ${payer}: its ${window}-day limit ends on ${lastDay}.`,
      fix: 'Fix any other findings now and submit this claim first.',
    },
  ];
};
