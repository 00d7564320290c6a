import { writeJsonAtomically } from '../store/json-file.ts';
/**
 * Where imported NCCI tables live: `<dataDir>/ncci/ptp.json` and `<dataDir>/ncci/mue.json`, in a
 * compact form (rows as arrays) so start-up reads them without re-parsing the CMS files. An
 * import replaces the stored table of its kind as a whole (all four PTP parts are imported in
 * one command), written to a temporary name and renamed so a crash never leaves half a file.
 * Node only. The stored files are a boundary (an admin may copy or edit them): checked with zod.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { createNcciTables, type MueEdit, type NcciTables, type PtpEdit } from './ncci-tables.ts';

const ptpRow = z.tuple([
  z.string(),
  z.string(),
  z.string(),
  z.string().nullable(),
  z.enum(['0', '1', '9']),
  z.number().int(),
  z.boolean(),
]);
const mueRow = z.tuple([
  z.string(),
  z.number().int(),
  z.union([z.literal(1), z.literal(2), z.literal(3)]),
  z.string(),
  z.string().nullable(),
  z.string().nullable(),
]);
const storedPtp = z.object({
  format: z.literal('chartbill-ncci-ptp/1'),
  files: z.array(z.string()),
  importedAt: z.string(),
  rationales: z.array(z.string()),
  rows: z.array(z.unknown()),
});
const storedMue = z.object({
  format: z.literal('chartbill-ncci-mue/1'),
  files: z.array(z.string()),
  importedAt: z.string(),
  rows: z.array(z.unknown()),
});

export function ncciDir(dataDir: string): string {
  return join(dataDir, 'ncci');
}

/** Stores PTP edits (replacing what was stored) and returns the file written. */
export async function storePtp(
  dataDir: string,
  files: string[],
  edits: readonly PtpEdit[],
  now: Date,
): Promise<string> {
  await mkdir(ncciDir(dataDir), { recursive: true });
  const rationales: string[] = [];
  const indexOf = new Map<string, number>();
  const rows = edits.map((e) => {
    let r = indexOf.get(e.rationale);
    if (r === undefined) {
      r = rationales.push(e.rationale) - 1;
      indexOf.set(e.rationale, r);
    }
    return [
      e.column1,
      e.column2,
      e.effective,
      e.deleted ?? null,
      e.modifierIndicator,
      r,
      e.priorTo1996,
    ];
  });
  const path = join(ncciDir(dataDir), 'ptp.json');
  await writeJsonAtomically(path, {
    format: 'chartbill-ncci-ptp/1',
    files,
    importedAt: now.toISOString(),
    rationales,
    rows,
  });
  return path;
}

/** Stores MUE rows (replacing what was stored) and returns the file written. */
export async function storeMue(
  dataDir: string,
  files: string[],
  edits: readonly MueEdit[],
  now: Date,
): Promise<string> {
  await mkdir(ncciDir(dataDir), { recursive: true });
  const rows = edits.map((e) => [
    e.code,
    e.value,
    e.mai,
    e.rationale,
    e.effective ?? null,
    e.end ?? null,
  ]);
  const path = join(ncciDir(dataDir), 'mue.json');
  await writeJsonAtomically(path, {
    format: 'chartbill-ncci-mue/1',
    files,
    importedAt: now.toISOString(),
    rows,
  });
  return path;
}

async function readStored(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `${path} is not valid JSON`, {
      hint: 'Delete it and run chartbill ncci import again.',
      cause: err,
    });
  }
}

function invalid(path: string, detail: string): AppError {
  return new AppError('CONFIG_INVALID', `${path} is not a ChartBill NCCI file (${detail})`, {
    hint: 'Delete it and run chartbill ncci import again.',
  });
}

function ptpFrom(path: string, data: unknown): { files: string[]; edits: PtpEdit[] } {
  const parsed = storedPtp.safeParse(data);
  if (!parsed.success) throw invalid(path, parsed.error.issues[0]?.message ?? 'bad shape');
  const edits = parsed.data.rows.map((raw, i): PtpEdit => {
    const row = ptpRow.safeParse(raw);
    if (!row.success) throw invalid(path, `row ${String(i + 1)}`);
    const [column1, column2, effective, deleted, modifierIndicator, r, priorTo1996] = row.data;
    return {
      column1,
      column2,
      effective,
      ...(deleted ? { deleted } : {}),
      modifierIndicator,
      rationale: parsed.data.rationales[r] ?? '',
      priorTo1996,
    };
  });
  return { files: parsed.data.files, edits };
}

function mueFrom(path: string, data: unknown): { files: string[]; edits: MueEdit[] } {
  const parsed = storedMue.safeParse(data);
  if (!parsed.success) throw invalid(path, parsed.error.issues[0]?.message ?? 'bad shape');
  const edits = parsed.data.rows.map((raw, i): MueEdit => {
    const row = mueRow.safeParse(raw);
    if (!row.success) throw invalid(path, `row ${String(i + 1)}`);
    const [code, value, mai, rationale, effective, end] = row.data;
    return {
      code,
      value,
      mai,
      rationale,
      ...(effective ? { effective } : {}),
      ...(end ? { end } : {}),
    };
  });
  return { files: parsed.data.files, edits };
}

/** The imported NCCI tables, or undefined when nothing was imported in `dataDir`. */
export async function loadNcciTables(dataDir: string): Promise<NcciTables | undefined> {
  const ptpPath = join(ncciDir(dataDir), 'ptp.json');
  const muePath = join(ncciDir(dataDir), 'mue.json');
  const [ptpData, mueData] = await Promise.all([readStored(ptpPath), readStored(muePath)]);
  if (ptpData === undefined && mueData === undefined) return undefined;
  const ptp = ptpData === undefined ? { files: [], edits: [] } : ptpFrom(ptpPath, ptpData);
  const mue = mueData === undefined ? { files: [], edits: [] } : mueFrom(muePath, mueData);
  const source = [...ptp.files, ...mue.files].join(' + ') || 'imported';
  return createNcciTables({ source: `CMS NCCI: ${source}`, ptp: ptp.edits, mue: mue.edits });
}
