/**
 * Loads the Medicare PFS from a folder holding the CMS RVU files as CMS ships them (CSV):
 * `PPRRVU*.csv` and `GPCI*.csv` (e.g. ../shared/data/cms-pfs/rvu25d). Node only.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CodeFileError } from '../codes/import/code-file-error.ts';
import { createMedicareFeeSchedule, type MedicareFeeSchedule } from './medicare-fee-schedule.ts';
import { parseGpciCsv, parsePprrvuCsv } from './parse-pfs.ts';

async function pick(dir: string, pattern: RegExp, what: string): Promise<string> {
  const name = (await readdir(dir)).filter((n) => pattern.test(n)).sort()[0];
  if (!name) throw new CodeFileError(dir, 0, `no ${what} file (${pattern.source}) in the folder`);
  return join(dir, name);
}

/** Reads the RVU and GPCI files of `dir` into a fee schedule named after the RVU file. */
export async function loadMedicarePfs(dir: string): Promise<MedicareFeeSchedule> {
  const rvuPath = await pick(dir, /^PPRRVU.*\.csv$/i, 'PPRRVU');
  const gpciPath = await pick(dir, /^GPCI.*\.csv$/i, 'GPCI');
  const [rvuText, gpciText] = await Promise.all([
    readFile(rvuPath, 'latin1'),
    readFile(gpciPath, 'latin1'),
  ]);
  const rvus = parsePprrvuCsv({ name: basename(rvuPath), text: rvuText });
  const gpcis = parseGpciCsv({ name: basename(gpciPath), text: gpciText });
  return createMedicareFeeSchedule({ name: basename(rvuPath, '.csv'), rvus, gpcis });
}
