/**
 * Tells which code file a path holds, from its extension and first bytes, for
 * `chartbill codes import <file>` without `--kind`.
 */
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { CodeFileError } from './code-file-error.ts';
import { rootElementOf } from './xml-source.ts';

export const IMPORT_KINDS = [
  'icd10cm-order',
  'icd10cm-tabular',
  'icd10cm-notes',
  'icd10cm-index',
  'hcpcs',
  'cpt',
  'mce',
] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

async function head(path: string, bytes = 4096): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('latin1');
  } finally {
    await handle.close();
  }
}

function kindOfText(name: string, ext: string, text: string): ImportKind | undefined {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  if (ext === '.zip') return 'icd10cm-order';
  if (ext === '.xml') {
    const root = rootElementOf(text);
    if (root === 'ICD10CM.tabular') return 'icd10cm-tabular';
    if (root === 'ICD10CM.index') return 'icd10cm-index';
    return undefined;
  }
  if (ext === '.json') {
    if (text.includes('"age_categories"') || /mce/i.test(name)) return 'mce';
    if (/inclusionTerm|excludes1|instructional/i.test(text)) return 'icd10cm-notes';
    return undefined;
  }
  if (/^\d{5} [A-Z][0-9A-Z]/.test(firstLine)) return 'icd10cm-order';
  if (firstLine.startsWith('MCE_Version')) return 'mce';
  if (firstLine.startsWith('HCPC,')) return 'hcpcs';
  if (firstLine.startsWith('RowID,Letter,Level,Term')) return 'icd10cm-index';
  if (/\bcode\b/i.test(firstLine) && /short[ _-]?descriptor/i.test(firstLine)) return 'cpt';
  return undefined;
}

/** The kind of code file at `path`; throws CodeFileError when it is empty or not recognised. */
export async function detectKind(path: string): Promise<ImportKind> {
  const text = await head(path);
  const name = basename(path);
  if (text.trim() === '') throw new CodeFileError(name, 0, 'the file is empty');
  const kind = kindOfText(name, extname(path).toLowerCase(), text);
  if (!kind)
    throw new CodeFileError(
      name,
      0,
      'not a code file ChartBill knows',
      `Pass --kind (one of ${IMPORT_KINDS.join(', ')}).`,
    );
  return kind;
}
