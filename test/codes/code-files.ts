/**
 * Paths of the official code files (read by path from ../shared/data beside the repository,
 * never copied into it), the broken fixtures, and a fresh data folder per test.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

export const OFFICIAL = {
  orderTxt: `${DATA}icd10cm/fy2026/icd10cm_order_2026.txt`,
  orderZip: `${DATA}icd10cm/fy2026/2026-code-descriptions-tabular-order.zip`,
  notesJson: `${DATA}icd10cm/fy2026-tabular-notes/icd10cm_instructional_notes_fy2026.json`,
  tabularCh2: `${DATA}icd10cm/fy2025-cdc-xml/icd-10-cm-tabular-2025_ch2.xml`,
  eindexXml: `${DATA}icd10cm/fy2025-cdc-xml/icd-10-cm-eindex-2025.xml`,
  indexCsv: `${DATA}icd10cm/fy2025-derived-csv/ICD10CM_2025_Index.csv`,
  hcpcs: `${DATA}hcpcs/HCPC2025_OCT_ANWEB.csv`,
  mceJson: `${DATA}mce/mce_edits_fy2026.json`,
  mceV37: `${DATA}mce/MCE_Simple_Code_Edits_v37.txt`,
} as const;

/** Small broken or fake files made for these tests (test/codes/fixtures). */
export const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** A new, empty data folder. */
export function freshDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'chartbill-codes-'));
}

/** The files stored under a data folder (none when nothing was imported). */
export async function storedFiles(dataDir: string): Promise<string[]> {
  try {
    return (await readdir(join(dataDir, 'codes'))).sort();
  } catch {
    return [];
  }
}

/** A fixed clock for imports. */
export const now = (): Date => new Date('2026-11-23T12:00:00Z');

/** Imports the full official sets the search is measured on (order file, notes, index, HCPCS). */
export async function importFullSet(dataDir: string): Promise<Record<string, number>> {
  const { importCodeFile } = await import('../../src/codes/import/import-code-file.ts');
  const ms: Record<string, number> = {};
  for (const [name, file] of Object.entries({
    order: OFFICIAL.orderTxt,
    notes: OFFICIAL.notesJson,
    index: OFFICIAL.indexCsv,
    eindex: OFFICIAL.eindexXml,
    hcpcs: OFFICIAL.hcpcs,
    mce: OFFICIAL.mceJson,
  })) {
    const started = performance.now();
    await importCodeFile({ file, dataDir, now });
    ms[name] = performance.now() - started;
  }
  return ms;
}
