/**
 * A CPT descriptor file the user supplies under their AMA licence. ChartBill's documented layout
 * (README "Loading CPT descriptors"): UTF-8 text, tab- or comma-separated (RFC 4180 quotes),
 * a header row naming the columns `code`, `short_descriptor`, `long_descriptor` (any order; other
 * columns are ignored), then one row per code. CPT codes are 4 digits and a digit or F/T/U.
 */
import type { CodeRow } from '../store/stored-release.ts';
import {
  CodeFileError,
  eachLine,
  type ImportProgress,
  type TextSource,
} from './code-file-error.ts';
import { parseCsvLine } from './parse-csv-line.ts';

const COLUMNS = ['code', 'short_descriptor', 'long_descriptor'] as const;
const HINT =
  'A CPT file needs a header row: code, short_descriptor, long_descriptor (tab- or comma-separated).';

export function parseCptFile(source: TextSource, progress?: ImportProgress): CodeRow[] {
  const rows: CodeRow[] = [];
  const seen = new Set<string>();
  let at: number[] | undefined;
  let delimiter = ',';
  eachLine(
    source,
    (line, n) => {
      if (!at) {
        delimiter = line.includes('\t') ? '\t' : ',';
        const header = parseCsvLine(line, source.name, n, delimiter).map((h) =>
          h
            .trim()
            .toLowerCase()
            .replace(/[\s-]+/g, '_'),
        );
        at = COLUMNS.map((c) => header.indexOf(c));
        if (at.some((i) => i < 0))
          throw new CodeFileError(
            source.name,
            1,
            `the header does not name ${COLUMNS.join(', ')}`,
            HINT,
          );
        return;
      }
      if (line.trim() === '') return;
      const cells = parseCsvLine(line, source.name, n, delimiter);
      const [code = '', short = '', long = ''] = at.map((i) => (cells[i] ?? '').trim());
      if (!/^\d{4}[0-9FTU]$/.test(code))
        throw new CodeFileError(source.name, n, `'${code}' is not a CPT code`, HINT);
      if (!long && !short)
        throw new CodeFileError(
          source.name,
          n,
          `code ${code} has no descriptor (truncated line?)`,
          HINT,
        );
      if (seen.has(code)) throw new CodeFileError(source.name, n, `code ${code} appears twice`);
      seen.add(code);
      rows.push([code, 1, long || short, { short: short || long }]);
    },
    progress,
  );
  if (!at) throw new CodeFileError(source.name, 0, 'the file is empty');
  if (rows.length === 0)
    throw new CodeFileError(source.name, 0, 'the file has a header but no codes');
  return rows;
}
