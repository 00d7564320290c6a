/**
 * The CMS "ICD-10-CM Code Descriptions in Tabular Order" file (icd10cm_order_YYYY.txt) and its
 * addenda (icd10cm_order_addenda_YYYY.txt). Layout per CMS icd10OrderFiles.pdf: cols 1-5 order
 * number, 7-13 code without dot, 15 flag (0 header, 1 valid for HIPAA transactions), 17-76 short
 * description, 78+ long description. Every line is checked; one bad line fails the whole file.
 */
import { formatIcd10cm } from '../code-format.ts';
import {
  CodeFileError,
  eachLine,
  type ImportProgress,
  type TextSource,
} from './code-file-error.ts';

/** One ICD-10-CM row: dotted code, billable (1) or header (0), long description. */
export type Icd10cmRow = [code: string, billable: 0 | 1, display: string];

const CODE = /^[A-Z][0-9A-Z]{2,6}$/;
const LAYOUT_HINT =
  'Expected the CMS order file layout: order number (5 digits), code, flag 0/1, short (60) and long description, fixed width.';

/** The problem with one order-file line, or undefined when it has the fixed-width layout. */
function orderLineProblem(line: string): string | undefined {
  const shaped = /^\d{5} [A-Z]/.test(line);
  if (!shaped) return 'not an ICD-10-CM order file line';
  if (line.length < 78)
    return `the line is truncated (${String(line.length)} characters, at least 78 expected)`;
  if (line[5] !== ' ' || line[13] !== ' ' || line[15] !== ' ' || line[76] !== ' ')
    return 'the columns are not where the CMS layout puts them';
  if (!CODE.test(line.slice(6, 13).trimEnd()))
    return `'${line.slice(6, 13).trim()}' is not an ICD-10-CM code`;
  if (line[14] !== '0' && line[14] !== '1')
    return `the billable flag (column 15) is '${line[14] ?? ''}', not 0 or 1`;
  return undefined;
}

/** Parses the order file; throws CodeFileError naming the first bad line. */
export function parseIcd10cmOrder(source: TextSource, progress?: ImportProgress): Icd10cmRow[] {
  const rows: Icd10cmRow[] = [];
  const seen = new Set<string>();
  eachLine(
    source,
    (line, n) => {
      const problem = orderLineProblem(line);
      if (problem) throw new CodeFileError(source.name, n, problem, LAYOUT_HINT);
      const code = formatIcd10cm(line.slice(6, 13).trimEnd());
      if (seen.has(code)) throw new CodeFileError(source.name, n, `code ${code} appears twice`);
      seen.add(code);
      rows.push([code, line[14] === '1' ? 1 : 0, line.slice(77).trim()]);
    },
    progress,
  );
  return rows;
}

export interface Icd10cmAddenda {
  /** Codes the release adds (valid from its effective date); not those whose flag changed. */
  added: string[];
  /** Codes the release deletes, as they were (valid until the day before its effective date). */
  deleted: Icd10cmRow[];
  /** Codes deleted and added again with a new flag, as they were before (billable G35 in FY2025). */
  reflagged: Icd10cmRow[];
}

const ADDENDA_LINE =
  /^(Add|Delete|Revise from|Revise to):\s+([01]) ([A-Z][0-9A-Z]{2,6})\s+(.{60}) (.+)$/;

/**
 * Parses the order-file addenda. A code both deleted and added is a changed flag (a code that
 * became a header when it was subdivided), not a deletion.
 */
export function parseIcd10cmAddenda(source: TextSource): Icd10cmAddenda {
  const added = new Set<string>();
  const deleted = new Map<string, Icd10cmRow>();
  let ended = false;
  eachLine(source, (line, n) => {
    // The change list ends at the first blank line; CMS appends header/code counts after it.
    if (ended || line.trim() === '') {
      ended = added.size + deleted.size > 0;
      return;
    }
    const m = ADDENDA_LINE.exec(line);
    if (!m)
      throw new CodeFileError(
        source.name,
        n,
        'not an ICD-10-CM order addenda line (Add:/Delete:/Revise from:/Revise to:)',
      );
    const [, action, flag, rawCode = '', , long = ''] = m;
    const code = formatIcd10cm(rawCode);
    if (action === 'Add') added.add(code);
    if (action === 'Delete') deleted.set(code, [code, flag === '1' ? 1 : 0, long.trim()]);
  });
  // Deleted and added again: the same code with a new flag (a code subdivided into a header).
  const changed = [...added].filter((code) => deleted.has(code));
  const reflagged: Icd10cmRow[] = [];
  for (const code of changed) {
    const before = deleted.get(code);
    if (before) reflagged.push(before);
    deleted.delete(code);
    added.delete(code);
  }
  return { added: [...added], deleted: [...deleted.values()], reflagged };
}
