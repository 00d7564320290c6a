/**
 * When an imported release is in force. ICD-10-CM fiscal year N runs from N-1-10-01 to N-09-30
 * (CMS/NCHS annual update; an April update starts mid-year); HCPCS Level II files are quarterly
 * (HCPCYYYY_JAN/APR/JUL/OCT); CPT is annual from January 1. `--effective` overrides the start.
 */
import { CodeFileError } from './code-file-error.ts';

export interface ReleaseDates {
  version: string;
  effectiveFrom: string;
  effectiveTo?: string;
}

const MONTHS: Readonly<Record<string, string>> = { JAN: '01', APR: '04', JUL: '07', OCT: '10' };

/** The last day of the quarter that starts in `month` (01, 04, 07, 10) of `year`. */
function quarterEnd(year: string, month: string): string {
  const end = Number(month) + 2;
  const days = new Date(Date.UTC(Number(year), end, 0)).getUTCDate();
  return `${year}-${String(end).padStart(2, '0')}-${String(days)}`;
}

/** ICD-10-CM fiscal year `fy` (e.g. 2026), or the update starting `effective` within it. */
export function fiscalYearDates(
  fy: string | undefined,
  effective: string | undefined,
  file: string,
): ReleaseDates {
  const year =
    fy ??
    (effective
      ? String(Number(effective.slice(0, 4)) + (effective.slice(5) >= '10-01' ? 1 : 0))
      : undefined);
  if (!year)
    throw new CodeFileError(
      file,
      0,
      'cannot tell which fiscal year this release is',
      'Pass --effective YYYY-MM-DD (e.g. 2025-10-01 for FY2026).',
    );
  const start = `${String(Number(year) - 1)}-10-01`;
  const from = effective ?? start;
  return {
    version: from === start ? year : `${year}-${from.slice(5, 7)}`,
    effectiveFrom: from,
    effectiveTo: `${year}-09-30`,
  };
}

/** HCPCS quarter from the file name (`HCPC2025_OCT_ANWEB.csv` → 2025-10) or `--effective`. */
export function hcpcsDates(file: string, effective: string | undefined): ReleaseDates {
  const m = /HCPC(\d{4})_(JAN|APR|JUL|OCT)/i.exec(file);
  const year = effective?.slice(0, 4) ?? m?.[1];
  const month = effective?.slice(5, 7) ?? MONTHS[(m?.[2] ?? '').toUpperCase()];
  if (!year || !month)
    throw new CodeFileError(
      file,
      0,
      'cannot tell which quarter this HCPCS file is (no HCPCYYYY_MMM in its name)',
      'Pass --effective YYYY-MM-DD.',
    );
  const quarterStart = String(Math.floor((Number(month) - 1) / 3) * 3 + 1).padStart(2, '0');
  return {
    version: `${year}-${month}`,
    effectiveFrom: effective ?? `${year}-${month}-01`,
    effectiveTo: quarterEnd(year, quarterStart),
  };
}

/** A calendar-year release (CPT): the year in the file name or `--effective`. */
export function calendarYearDates(file: string, effective: string | undefined): ReleaseDates {
  const year = effective?.slice(0, 4) ?? /(20\d\d)/.exec(file)?.[1];
  if (!year)
    throw new CodeFileError(
      file,
      0,
      'cannot tell which year this CPT file is for',
      'Pass --effective YYYY-MM-DD (CPT releases take effect on January 1).',
    );
  const from = effective ?? `${year}-01-01`;
  return {
    version: from.endsWith('-01-01') ? year : from.slice(0, 7),
    effectiveFrom: from,
    effectiveTo: `${year}-12-31`,
  };
}
