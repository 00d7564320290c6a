/**
 * NCCI add-on code (AOC) edits: an add-on code ("each additional…", "list separately in addition
 * to code for primary procedure") is paid only with one of its primary codes by the same
 * practitioner on the same day (Medicare Claims Processing Manual ch. 12 §30.1; NCCI Policy
 * Manual ch. I §W). CMS edit types: 1 — only the listed primaries (error without one); 2 — no
 * primaries listed, each contractor decides (no edit); 3 — some primaries listed, contractors may
 * allow others (warning). Browser-safe.
 */

export type AddOnEditType = '1' | '2' | '3';

export interface AddOnEdit {
  addOn: string;
  primary: string;
  type: AddOnEditType;
  /** YYYY-MM-DD. */
  effective: string;
  /** YYYY-MM-DD, first day the edit no longer applies; absent while active. */
  deleted?: string;
}

export interface AddOnTable {
  source: string;
  /** The edits of `addOn` in force on `date` (empty when it is not an add-on code then). */
  edits(addOn: string, date: string): AddOnEdit[];
  readonly count: number;
}

/** Indexes rows by add-on code. */
export function createAddOnTable(source: string, rows: readonly AddOnEdit[]): AddOnTable {
  const byAddOn = new Map<string, AddOnEdit[]>();
  for (const row of rows) {
    const list = byAddOn.get(row.addOn) ?? [];
    list.push(row);
    byAddOn.set(row.addOn, list);
  }
  return {
    source,
    count: rows.length,
    edits: (addOn, date) =>
      (byAddOn.get(addOn) ?? []).filter(
        (e) => e.effective <= date && (e.deleted === undefined || date < e.deleted),
      ),
  };
}

const row = (addOn: string, type: AddOnEditType, ...primaries: string[]): AddOnEdit[] =>
  primaries.map((primary) => ({ addOn, primary, type, effective: '2019-01-01' }));

/**
 * A few type 1 pairs as CPT instructs them (the sandbox's table, used until the CMS AOC file is
 * imported with `chartbill ncci import`): skin biopsy 11103/11105/11107, destruction of
 * premalignant lesions 17003, vaccine administration 90472, prolonged office visit 99417.
 */
export function sandboxAddOnTable(): AddOnTable {
  return createAddOnTable('sandbox (CPT add-on instructions for a few codes)', [
    ...row('11103', '1', '11102', '11104', '11106'),
    ...row('11105', '1', '11104', '11106'),
    ...row('11107', '1', '11106'),
    ...row('17003', '1', '17000'),
    ...row('90472', '1', '90460', '90471', '90473'),
    ...row('99417', '1', '99205', '99215', '99245', '99345', '99350', '99483'),
  ]);
}
