import { AppError } from '../errors/app-error.ts';

/** The practice's time zone when none is configured (CHARTBILL_PRACTICE_TIME_ZONE). */
export const DEFAULT_PRACTICE_TIME_ZONE = 'America/New_York';

/**
 * The calendar date (YYYY-MM-DD) of a FHIR date or dateTime in the practice's time zone. A
 * date of service is the date on the clinic's wall calendar (837P DTP*472, CMS-1500 box 24A):
 * a visit at 23:30 in New York, which the EHR may store as 04:30Z the next day, stays on its
 * local date. A bare date (no time) is already a calendar date and is kept as it is.
 */
export function practiceDateOf(value: string, timeZone: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  // A claim's date of service is asked for several times (coverage, eligibility, scrub, claim).
  const key = `${timeZone}|${value}`;
  const known = recentDates.get(key);
  if (known) return known;
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime()))
    throw new AppError('CLAIM_INVALID', `'${value.slice(0, 40)}' is not a FHIR dateTime`);
  const date = calendarFormat(timeZone).format(instant);
  if (recentDates.size >= RECENT_DATES) recentDates.clear();
  recentDates.set(key, date);
  return date;
}

/** Dates worked out lately, by zone and value: enough for the encounters in flight. */
const RECENT_DATES = 1000;
const recentDates = new Map<string, string>();

/**
 * One formatter per time zone: building an `Intl.DateTimeFormat` loads the zone's rules and
 * costs far more than formatting with it (it was the worker's biggest CPU cost per claim).
 */
const calendarFormats = new Map<string, Intl.DateTimeFormat>();

function calendarFormat(timeZone: string): Intl.DateTimeFormat {
  let format = calendarFormats.get(timeZone);
  if (!format) {
    // en-CA formats a date as YYYY-MM-DD. An unknown zone throws here and is not kept.
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    calendarFormats.set(timeZone, format);
  }
  return format;
}
