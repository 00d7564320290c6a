/**
 * Dates that cannot be true of a visit: a date of service after today, a patient born after the
 * visit, a visit that ends before it starts. A payer rejects such a claim at intake (X12 837P
 * loop 2400 DTP*472 may not be a future date; 277CA A7:510 "date of service after the date
 * received"), and they usually mean a typing error in the chart, so each is an error.
 */
import type { EditRule } from '../edit-rule.ts';

/**
 * Today as `VisitFacts.today`: the date in the easternmost time zone (UTC+14), so a visit dated
 * in the EHR's local time is never called future because the server's clock runs in UTC.
 */
export function todayAnywhere(now: Date): string {
  return new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);
}

export const visitInFuture: EditRule = ({ facts }) => {
  const today = facts.today;
  if (!today || facts.dateOfService <= today) return [];
  return [
    {
      rule: 'claim-future-date',
      severity: 'error',
      message: `The date of service ${facts.dateOfService} is after today (${today}); a claim is only for a visit that has happened.`,
      fix: 'Correct the visit date in the EHR, or bill the visit once it has taken place.',
    },
  ];
};

/** A birth date with the precision it was recorded in (YYYY, YYYY-MM or YYYY-MM-DD). */
export const bornAfterVisit: EditRule = ({ facts }) => {
  const birth = facts.patientBirthDate?.slice(0, 10);
  if (!birth || !/^\d{4}(-\d{2}){0,2}$/.test(birth)) return [];
  if (facts.dateOfService.slice(0, birth.length) >= birth) return [];
  return [
    {
      rule: 'patient-born-after-visit',
      severity: 'error',
      message: `The patient's birth date ${birth} is after the date of service ${facts.dateOfService}.`,
      fix: 'Correct the birth date on the patient record, or the visit date, in the EHR.',
    },
  ];
};

/**
 * FHIR Period: `end`, when present, is not before `start` (per-1). A date-only `end` means the
 * whole day, so only dates are compared unless both carry a time.
 */
export const visitEndsBeforeStart: EditRule = ({ facts }) => {
  const { start, end } = facts.visitPeriod ?? {};
  if (!start || !end || !endsBeforeStart(start, end)) return [];
  return [
    {
      rule: 'visit-ends-before-start',
      severity: 'error',
      message: `The visit ends (${end}) before it starts (${start}).`,
      fix: "Correct the visit's start or end time in the EHR.",
    },
  ];
};

function endsBeforeStart(start: string, end: string): boolean {
  if (start.length > 10 && end.length > 10) {
    // Both instants: compared as instants, so offsets (+09:00 against Z) do not matter.
    const [from, to] = [Date.parse(start), Date.parse(end)];
    if (Number.isFinite(from) && Number.isFinite(to)) return to < from;
  }
  return end.slice(0, 10) < start.slice(0, 10);
}
