/**
 * ChartBill's sandbox NCCI table: a handful of rows for tests, demos and the sandbox, so the PTP,
 * MUE and modifier-59 edits have something to check without the CMS quarterly files.
 *
 * PTP rows are ChartBill's OWN sandbox table, NOT CMS data: the pairs are modelled on well-known
 * NCCI practitioner edits (a complete ECG includes its tracing and its interpretation, a CBC with
 * differential includes the CBC, a comprehensive metabolic panel includes the basic one, manual
 * therapy with therapeutic activities, a visit on the day of a joint injection), but their dates,
 * modifier indicators and rationales are illustrative. Real edits come from `chartbill ncci import`.
 *
 * MUE rows carry the values of the CMS practitioner MUE table 2026 Q3 (effective 2026-07-01,
 * shared/data/ncci/mue_practitioner_2026q3.json; a test checks them) for a few common codes.
 * Browser-safe.
 */
import { createNcciTables, type MueEdit, type NcciTables, type PtpEdit } from './ncci-tables.ts';

const ptp = (
  column1: string,
  column2: string,
  modifierIndicator: PtpEdit['modifierIndicator'],
  rationale: string,
): PtpEdit => ({
  column1,
  column2,
  priorTo1996: false,
  effective: '2000-01-01',
  modifierIndicator,
  rationale,
});

/** ChartBill sandbox PTP rows (illustrative, not CMS data). */
export const SANDBOX_PTP: readonly PtpEdit[] = [
  ptp('93000', '93005', '0', 'Sandbox: complete ECG includes the tracing'),
  ptp('93000', '93010', '0', 'Sandbox: complete ECG includes the interpretation'),
  ptp('85025', '85027', '0', 'Sandbox: CBC with differential includes the CBC'),
  ptp('80053', '80048', '0', 'Sandbox: comprehensive panel includes the basic panel'),
  ptp('97530', '97140', '1', 'Sandbox: misuse of column two code with column one code'),
  ptp('20610', '99213', '1', 'Sandbox: E/M service on the day of a minor procedure'),
  ptp('20610', '99214', '1', 'Sandbox: E/M service on the day of a minor procedure'),
];

const mue = (code: string, value: number, mai: MueEdit['mai'], rationale: string): MueEdit => ({
  code,
  value,
  mai,
  rationale,
  effective: '2026-07-01',
});

/** CMS practitioner MUE values, 2026 Q3, for a few common codes. */
export const SANDBOX_MUE: readonly MueEdit[] = [
  mue('99213', 2, 3, 'Clinical: Data'),
  mue('99214', 2, 3, 'Clinical: Data'),
  mue('36415', 2, 3, 'CMS Policy'),
  mue('85025', 2, 3, 'Clinical: Data'),
  mue('83036', 1, 2, 'Code Descriptor / CPT Instruction'),
  mue('80053', 1, 3, 'CMS Policy'),
  mue('20610', 2, 3, 'Clinical: Data'),
  mue('93000', 3, 3, 'Clinical: Data'),
  mue('96372', 4, 3, 'Clinical: Data'),
  mue('97140', 6, 3, 'Clinical: Data'),
  mue('97530', 6, 3, 'Clinical: Data'),
  mue('11102', 1, 2, 'Code Descriptor / CPT Instruction'),
  mue('J3301', 16, 3, 'Prescribing Information'),
  mue('A0425', 250, 1, 'Clinical: Data'),
];

/** The sandbox tables, indexed. */
export function sandboxNcciTables(): NcciTables {
  return createNcciTables({
    source: 'ChartBill sandbox table (not CMS PTP data)',
    ptp: SANDBOX_PTP,
    mue: SANDBOX_MUE,
  });
}
