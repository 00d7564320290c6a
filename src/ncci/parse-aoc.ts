/**
 * The CMS NCCI add-on code edit file (cms.gov "Add-on Code Edits", quarterly, e.g.
 * `AOC_V2026Q3`), saved as CSV or tab-separated text. Layout: a header row naming at least
 * `Add-on Code`, `Primary Code`, `AOC Edit Type` and `AOC Edit Effective Date`, optionally
 * `AOC Edit Deletion Date` (other columns, such as the code effective dates and special
 * instruction notes, are ignored); dates as YYYYMMDD, YYYY-MM-DD or MM/DD/YYYY; a deletion date
 * of `*`, empty or 99991231 means none. One row per add-on + primary pair (type 2 rows name no
 * primary: `CCCCC`). A malformed row is refused with its line.
 */
import type { AddOnEdit, AddOnEditType } from '../edits/add-on-table.ts';

export class AocFileError extends Error {
  constructor(file: string, line: number, problem: string) {
    super(`${file}${line > 0 ? ` line ${String(line)}` : ''}: ${problem}. Nothing was imported.`);
    this.name = 'AocFileError';
  }
}

function date(value: string): string | undefined {
  const v = value.trim();
  if (/^\d{8}$/.test(v)) return `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (us)
    return `${us[3] ?? ''}-${(us[1] ?? '').padStart(2, '0')}-${(us[2] ?? '').padStart(2, '0')}`;
  return undefined;
}

const norm = (h: string): string => h.toLowerCase().replace(/[^a-z]/g, '');

/** True when the first line looks like the AOC file's header. */
export function isAocHeader(firstLine: string): boolean {
  const n = norm(firstLine);
  return n.includes('addoncode') && n.includes('primarycode');
}

export function parseAocFile(text: string, file: string): AddOnEdit[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const sep = (lines[0] ?? '').includes('\t') ? '\t' : ',';
  const split = (l: string): string[] => l.split(sep).map((c) => c.trim().replace(/^"|"$/g, ''));
  const header = split(lines[0] ?? '').map(norm);
  const at = (name: string): number => header.indexOf(name);
  const col = {
    addOn: at('addoncode'),
    primary: at('primarycode'),
    type: at('aocedittype'),
    from: at('aocediteffectivedate'),
    to: at('aoceditdeletiondate'),
  };
  if (col.addOn < 0 || col.primary < 0 || col.type < 0 || col.from < 0)
    throw new AocFileError(
      file,
      1,
      'not the CMS add-on code edit layout (the header must name Add-on Code, Primary Code, AOC Edit Type, AOC Edit Effective Date)',
    );
  const rows: AddOnEdit[] = [];
  lines.slice(1).forEach((raw, i) => {
    if (!raw.trim()) return;
    const cells = split(raw);
    const n = i + 2;
    const addOn = (cells[col.addOn] ?? '').toUpperCase();
    const primary = (cells[col.primary] ?? '').toUpperCase();
    const type = cells[col.type] ?? '';
    const from = date(cells[col.from] ?? '');
    const toText = col.to >= 0 ? (cells[col.to] ?? '') : '';
    const to = toText && toText !== '*' && !/^9999/.test(toText) ? date(toText) : undefined;
    if (!/^[0-9A-Z]{5}$/.test(addOn))
      throw new AocFileError(file, n, `'${addOn}' is not an add-on code`);
    if (!['1', '2', '3'].includes(type))
      throw new AocFileError(file, n, `AOC edit type '${type}' is not 1, 2 or 3`);
    if (!from)
      throw new AocFileError(file, n, 'the AOC edit effective date is missing or not a date');
    if (toText && toText !== '*' && !/^9999/.test(toText) && !to)
      throw new AocFileError(file, n, `the deletion date '${toText}' is not a date`);
    if (type !== '2' && !/^[0-9A-Z]{5}$/.test(primary))
      throw new AocFileError(file, n, `'${primary}' is not a primary code`);
    rows.push({
      addOn,
      primary,
      type: type as AddOnEditType,
      effective: from,
      ...(to ? { deleted: to } : {}),
    });
  });
  if (rows.length === 0) throw new AocFileError(file, 0, 'no add-on code edits in the file');
  return rows;
}
