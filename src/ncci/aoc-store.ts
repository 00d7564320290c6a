import { readJsonIfPresent, writeJsonAtomically } from '../store/json-file.ts';
/**
 * Where the imported CMS add-on code edits live: `<dataDir>/ncci/aoc.json` (rows as arrays),
 * replaced whole by each import (temporary name, then rename). Node only; checked with zod when
 * read, as an admin may edit it.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { createAddOnTable, type AddOnEdit, type AddOnTable } from '../edits/add-on-table.ts';
import { parseAocFile } from './parse-aoc.ts';

const stored = z.object({
  format: z.literal('chartbill-ncci-aoc/1'),
  file: z.string(),
  importedAt: z.string(),
  rows: z.array(
    z.tuple([z.string(), z.string(), z.enum(['1', '2', '3']), z.string(), z.string().nullable()]),
  ),
});

const pathOf = (dataDir: string): string => join(dataDir, 'ncci', 'aoc.json');

/** Imports a CMS AOC file (CSV or tab-separated); throws AocFileError naming the line. */
export async function importAocFile(
  dataDir: string,
  file: string,
  now = new Date(),
): Promise<AddOnEdit[]> {
  const rows = parseAocFile(await readFile(file, 'utf8'), basename(file));
  await mkdir(join(dataDir, 'ncci'), { recursive: true });
  const path = pathOf(dataDir);
  const data = {
    format: 'chartbill-ncci-aoc/1',
    file: basename(file),
    importedAt: now.toISOString(),
    rows: rows.map((r) => [r.addOn, r.primary, r.type, r.effective, r.deleted ?? null]),
  };
  await writeJsonAtomically(path, data);
  return rows;
}

/** The imported add-on code edits, or undefined when none were imported. */
export async function loadAddOnTable(dataDir: string): Promise<AddOnTable | undefined> {
  const json = await readJsonIfPresent(pathOf(dataDir));
  if (json === undefined) return undefined;
  const data = stored.parse(json);
  return createAddOnTable(
    `CMS add-on code edits: ${data.file}`,
    data.rows.map(([addOn, primary, type, effective, deleted]) => ({
      addOn,
      primary,
      type,
      effective,
      ...(deleted ? { deleted } : {}),
    })),
  );
}
