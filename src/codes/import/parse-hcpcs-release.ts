/**
 * The CMS HCPCS Level II "ANWEB" file as CSV (HCPCYYYY_MMM_ANWEB.csv): HCPC, SEQNUM, RECID
 * (3 procedure, 7 modifier; 4 and 8 continue the long description of the row above), LONG
 * DESCRIPTION, SHORT DESCRIPTION, …, ADD DT, ACT EFF DT, TERM DT, ACTION CD (CMS HCPCS record
 * layout). Codes and modifiers with their add and termination dates.
 */
import type { CodeRow, RowExtra } from '../store/stored-release.ts';
import {
  CodeFileError,
  eachLine,
  type ImportProgress,
  type TextSource,
} from './code-file-error.ts';
import { parseCsvLine } from './parse-csv-line.ts';

const REQUIRED = [
  'HCPC',
  'RECID',
  'LONG DESCRIPTION',
  'SHORT DESCRIPTION',
  'ADD DT',
  'TERM DT',
] as const;
type Column = (typeof REQUIRED)[number];

/** YYYYMMDD → YYYY-MM-DD; '' stays undefined. */
function isoDate(raw: string, file: string, line: number): string | undefined {
  if (raw.trim() === '') return undefined;
  if (!/^\d{8}$/.test(raw.trim()))
    throw new CodeFileError(file, line, `'${raw}' is not a date (YYYYMMDD)`);
  return `${raw.slice(0, 4)}-${raw.slice(4, 6)}-${raw.slice(6, 8)}`;
}

function columnsOf(header: string[], file: string): Record<Column, number> {
  const at = {} as Record<Column, number>;
  for (const name of REQUIRED) {
    const i = header.indexOf(name);
    if (i < 0)
      throw new CodeFileError(
        file,
        1,
        `no '${name}' column: not an HCPCS ANWEB file`,
        'Export the ANWEB file as CSV with its header row (HCPC,SEQNUM,RECID,LONG DESCRIPTION,…).',
      );
    at[name] = i;
  }
  return at;
}

/** Parses the ANWEB CSV into HCPCS rows (modifiers flagged); throws CodeFileError on bad lines. */
export function parseHcpcsAnweb(source: TextSource, progress?: ImportProgress): CodeRow[] {
  const rows: CodeRow[] = [];
  let width = 0;
  let at: Record<Column, number> | undefined;
  eachLine(
    source,
    (line, n) => {
      const cells = parseCsvLine(line, source.name, n);
      if (!at) {
        at = columnsOf(cells, source.name);
        width = cells.length;
        return;
      }
      if (line.trim() === '') return;
      if (cells.length !== width)
        throw new CodeFileError(
          source.name,
          n,
          `${String(cells.length)} columns, ${String(width)} expected (truncated line?)`,
        );
      const cell = (c: Column): string => cells[at?.[c] ?? 0] ?? '';
      const recid = cell('RECID').trim();
      const code = cell('HCPC').trim();
      if (recid === '4' || recid === '8') {
        const last = rows[rows.length - 1];
        if (!last)
          throw new CodeFileError(source.name, n, 'a continuation record with no code above it');
        last[2] = `${last[2]} ${cell('LONG DESCRIPTION').trim()}`;
        return;
      }
      if (recid !== '3' && recid !== '7')
        throw new CodeFileError(
          source.name,
          n,
          `record id '${recid}' is not 3 (procedure) or 7 (modifier)`,
        );
      const valid = recid === '3' ? /^[A-Z]\d{4}$/.test(code) : /^[0-9A-Z]{2}$/.test(code);
      if (!valid)
        throw new CodeFileError(
          source.name,
          n,
          `'${code}' is not an HCPCS Level II ${recid === '3' ? 'code' : 'modifier'}`,
        );
      const extra: RowExtra = { short: cell('SHORT DESCRIPTION').trim() };
      if (recid === '7') extra.modifier = true;
      const added = isoDate(cell('ADD DT'), source.name, n);
      const terminated = isoDate(cell('TERM DT'), source.name, n);
      if (added) extra.addDate = added;
      if (terminated) extra.termDate = terminated;
      rows.push([code, 1, cell('LONG DESCRIPTION').trim(), extra]);
    },
    progress,
  );
  if (!at) throw new CodeFileError(source.name, 0, 'the file is empty');
  return rows;
}
