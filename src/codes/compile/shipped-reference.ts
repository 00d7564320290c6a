/**
 * The edits' reference data ChartBill ships compiled (bundle-format.ts), ready to use: the CMS
 * practitioner MUE table as NCCI tables (no PTP pairs: CMS's PTP files are not shipped, see
 * data-coverage.ts) and the Medicare PFS (relative values, indicators, GPCIs). Node only.
 */
import { createNcciTables, type NcciTables } from '../../ncci/ncci-tables.ts';
import {
  createMedicareFeeSchedule,
  type MedicareFeeSchedule,
} from '../../pricing/medicare-fee-schedule.ts';
import { readBundledMue, readBundledPfs } from './read-bundle.ts';

/** The shipped MUE table (source `CMS MUE <file>`), or undefined when none is shipped. */
export async function loadShippedMue(): Promise<NcciTables | undefined> {
  const mue = await readBundledMue();
  return mue
    ? createNcciTables({ source: `CMS MUE ${mue.file} (shipped)`, ptp: [], mue: mue.edits })
    : undefined;
}

/** The shipped Medicare PFS, or undefined when none is shipped. */
export async function loadShippedPfs(): Promise<MedicareFeeSchedule | undefined> {
  const pfs = await readBundledPfs();
  return pfs
    ? createMedicareFeeSchedule({ name: pfs.name, rvus: pfs.rvus, gpcis: pfs.gpcis })
    : undefined;
}
