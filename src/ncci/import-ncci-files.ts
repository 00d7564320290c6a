/**
 * `chartbill ncci import`: reads every file given, checks all of them, then stores the PTP edits
 * (all parts together) and the MUE table. If any file is bad nothing is stored. Node only.
 */
import { basename } from 'node:path';
import { AppError } from '../errors/app-error.ts';
import type { MueEdit, PtpEdit } from './ncci-tables.ts';
import { storeMue, storePtp } from './ncci-store.ts';
import { readNcciFile } from './read-ncci-file.ts';

export interface NcciImportSummary {
  ptp?: { files: string[]; edits: number; active: number; storedAt: string };
  mue?: { files: string[]; codes: number; byMai: Record<1 | 2 | 3, number>; storedAt: string };
}

/** Imports `paths` into `<dataDir>/ncci/`; `now` dates the import and counts the PTP edits still active. */
export async function importNcciFiles(
  paths: readonly string[],
  dataDir: string,
  now: () => Date,
): Promise<NcciImportSummary> {
  if (paths.length === 0)
    throw new AppError('INPUT_INVALID', 'no file given', {
      hint: 'chartbill ncci import <file> [<file> …]',
    });
  const ptp: PtpEdit[] = [];
  const mue: MueEdit[] = [];
  const ptpFiles: string[] = [];
  const mueFiles: string[] = [];
  for (const path of paths) {
    for (const table of await readNcciFile(path)) {
      if (table.kind === 'ptp') {
        ptp.push(...table.edits);
        ptpFiles.push(table.name);
      } else {
        mue.push(...table.edits);
        mueFiles.push(table.name);
      }
    }
  }
  const at = now();
  const today = at.toISOString().slice(0, 10);
  const summary: NcciImportSummary = {};
  if (ptp.length > 0) {
    const storedAt = await storePtp(
      dataDir,
      ptpFiles.map((f) => basename(f)),
      ptp,
      at,
    );
    summary.ptp = {
      files: ptpFiles,
      edits: ptp.length,
      active: ptp.filter((e) => e.deleted === undefined || e.deleted > today).length,
      storedAt,
    };
  }
  if (mue.length > 0) {
    const storedAt = await storeMue(
      dataDir,
      mueFiles.map((f) => basename(f)),
      mue,
      at,
    );
    const byMai = { 1: 0, 2: 0, 3: 0 };
    for (const e of mue) byMai[e.mai] += 1;
    summary.mue = { files: mueFiles, codes: mue.length, byMai, storedAt };
  }
  return summary;
}
