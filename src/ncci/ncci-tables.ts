/**
 * The NCCI tables the edits consult: practitioner procedure-to-procedure (PTP) edits and
 * medically unlikely edits (MUE), indexed for lookup by code and date of service. Browser-safe.
 *
 * Source layouts: CMS "Medicare NCCI Procedure to Procedure (PTP) Edits" (practitioner services,
 * `ccipra-v<ver>r<rev>-f<1-4>.txt`) and "Medically Unlikely Edits" (practitioner services CSV).
 */

/** PTP modifier indicator: 0 never bypassed, 1 a bypass modifier may apply, 9 not applicable. */
export type PtpModifierIndicator = '0' | '1' | '9';

/** One PTP edit: the column 2 code is not paid when billed with the column 1 code. */
export interface PtpEdit {
  column1: string;
  column2: string;
  /** The "* = in existence prior to 1996" mark. */
  priorTo1996: boolean;
  /** YYYY-MM-DD. */
  effective: string;
  /** YYYY-MM-DD; absent while the edit is active. */
  deleted?: string;
  modifierIndicator: PtpModifierIndicator;
  rationale: string;
}

/** MUE adjudication indicator: 1 line edit, 2 date-of-service edit (policy), 3 date-of-service edit (clinical). */
export type MueAdjudicationIndicator = 1 | 2 | 3;

export interface MueEdit {
  code: string;
  /** Practitioner services MUE value: most units per line (MAI 1) or per day (MAI 2/3). */
  value: number;
  mai: MueAdjudicationIndicator;
  rationale: string;
  /** YYYY-MM-DD, when the file says. */
  effective?: string;
  /** YYYY-MM-DD, when the file says (`9999-12-31` is read as no end). */
  end?: string;
}

export interface NcciTables {
  /** Where the tables came from (`sandbox`, `CMS ccipra-v322r0 + MUE 2026 Q3`). */
  source: string;
  /** The PTP edit with `column1` in column 1 and `column2` in column 2 in force on `date`. */
  ptp(column1: string, column2: string, date: string): PtpEdit | undefined;
  /**
   * The MUE for `code` in force on `date`. When one MUE table is loaded (every row has the same
   * effective date) and `date` is before it, its row applies: the newest table is the best
   * evidence for an earlier date of service; `dates.mue` lets the caller say so.
   */
  mue(code: string, date: string): MueEdit | undefined;
  readonly counts: { ptp: number; mue: number };
  /** The latest effective date among the rows of each table, when the rows give one. */
  readonly dates?: { ptp?: string; mue?: string; mueSingleTable: boolean };
}

/**
 * True when an edit applies on `date`. A deletion date is the first day the edit no longer
 * applies: CMS deletes edits retroactively by setting the deletion date equal to the effective
 * date, and such an edit must never fire.
 */
export function ptpInForce(edit: PtpEdit, date: string): boolean {
  return edit.effective <= date && (edit.deleted === undefined || date < edit.deleted);
}

function mueInForce(edit: MueEdit, date: string): boolean {
  return (
    (edit.effective === undefined || edit.effective <= date) &&
    (edit.end === undefined || date <= edit.end)
  );
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Indexes PTP and MUE rows (several versions of one pair or code may be present). */
export function createNcciTables(input: {
  source: string;
  ptp: readonly PtpEdit[];
  mue: readonly MueEdit[];
}): NcciTables {
  const ptpByPair = new Map<string, PtpEdit[]>();
  for (const edit of input.ptp) pushTo(ptpByPair, `${edit.column1}|${edit.column2}`, edit);
  const mueByCode = new Map<string, MueEdit[]>();
  for (const edit of input.mue) pushTo(mueByCode, edit.code, edit);
  const latest = (dates: (string | undefined)[]): string | undefined =>
    dates.reduce<string | undefined>((a, d) => (d && (!a || d > a) ? d : a), undefined);
  const mueDates = new Set(input.mue.map((e) => e.effective ?? ''));
  const mueSingleTable = mueDates.size === 1;
  const ptpLatest = latest(input.ptp.map((e) => e.effective));
  const mueLatest = latest(input.mue.map((e) => e.effective));
  return {
    source: input.source,
    ptp: (column1, column2, date) =>
      ptpByPair
        .get(`${column1.toUpperCase()}|${column2.toUpperCase()}`)
        ?.find((e) => ptpInForce(e, date)),
    mue(code, date) {
      const rows = mueByCode.get(code.toUpperCase());
      const inForce = rows?.find((e) => mueInForce(e, date));
      if (inForce || !mueSingleTable) return inForce;
      // The only table loaded applies to earlier dates of service too (issue 16, item 2).
      return rows?.find((e) => e.effective !== undefined && date < e.effective);
    },
    counts: { ptp: input.ptp.length, mue: input.mue.length },
    dates: {
      ...(ptpLatest ? { ptp: ptpLatest } : {}),
      ...(mueLatest ? { mue: mueLatest } : {}),
      mueSingleTable,
    },
  };
}
