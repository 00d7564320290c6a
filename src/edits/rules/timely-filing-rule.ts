/**
 * Timely filing: a claim filed after the payer's window is denied (CARC 29, "the time limit for
 * filing has expired") and cannot be billed to the patient. Runs wherever the facts carry today
 * (the app, the worker and `chartbill scrub` alike), with the payer's window from
 * `EditReference.timelyFiling` (365 days by default); `reference.submission` overrides the day,
 * payer and windows (`chartbill scrub --today`).
 */
import type { EditRule } from '../edit-rule.ts';
import {
  DEFAULT_TIMELY_FILING,
  addDays,
  daysBetween,
  TIMELY_FILING_WARNING_DAYS,
  timelyFilingDays,
} from '../timely-filing.ts';

export const timelyFiling: EditRule = ({ facts, reference }) => {
  const today = reference.submission?.today ?? facts.today;
  if (!today || !/^\d{4}-\d{2}-\d{2}$/.test(facts.dateOfService)) return [];
  const config =
    reference.submission?.timelyFiling ?? reference.timelyFiling ?? DEFAULT_TIMELY_FILING;
  const payerId = reference.submission?.payerId ?? facts.payerId;
  const window = timelyFilingDays(config, payerId);
  const lastDay = addDays(facts.dateOfService, window);
  const left = daysBetween(today, lastDay);
  const payer = payerId ? `payer ${payerId}` : 'the payer';
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
