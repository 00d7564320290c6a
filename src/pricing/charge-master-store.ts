import { readJsonIfPresent, writeJsonAtomically } from '../store/json-file.ts';
/**
 * Where the imported charge master lives: `<dataDir>/charges/charge-master.json`, replaced whole
 * by each import (written to a temporary name and renamed). Node only; the stored file is a
 * boundary (an admin may edit it), so it is checked with zod when read.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { FeeSchedule } from '../claims/fee-schedule.ts';
import { chargeMasterOf, type ChargeEntry } from './charge-master.ts';
import { parseChargeMasterCsv } from './charge-master-csv.ts';

const stored = z.object({
  format: z.literal('chartbill-charge-master/1'),
  file: z.string(),
  importedAt: z.string(),
  entries: z.array(
    z.object({
      code: z.string(),
      modifier: z.string(),
      price: z.number().nonnegative(),
      from: z.string(),
      to: z.string().optional(),
    }),
  ),
});

const pathOf = (dataDir: string): string => join(dataDir, 'charges', 'charge-master.json');

/** Imports the practice's CSV; returns the entries stored. Throws ChargeMasterError on a bad file. */
export async function importChargeMaster(
  dataDir: string,
  file: string,
  now: Date = new Date(),
): Promise<ChargeEntry[]> {
  const entries = parseChargeMasterCsv(await readFile(file, 'utf8'), basename(file));
  const path = pathOf(dataDir);
  await mkdir(join(dataDir, 'charges'), { recursive: true });
  const data = {
    format: 'chartbill-charge-master/1',
    file: basename(file),
    importedAt: now.toISOString(),
    entries,
  };
  await writeJsonAtomically(path, data);
  return entries;
}

/** The imported charge master, or undefined when none was imported. */
export async function loadChargeMaster(dataDir: string): Promise<FeeSchedule | undefined> {
  const json = await readJsonIfPresent(pathOf(dataDir));
  if (json === undefined) return undefined;
  const data = stored.parse(json);
  return chargeMasterOf(
    `Practice charge master (${data.file}, imported ${data.importedAt.slice(0, 10)})`,
    data.entries,
  );
}
