/**
 * Parses a CMS NCCI practitioner PTP edit file (`ccipra-v<ver>r<rev>-f<n>.txt`, one of the four
 * parts in the quarterly zips): a preamble (AMA/CMS notices), a header row
 * `Column 1 | Column 2 | *=in existence prior to 1996 | Effective Date | Deletion Date | Modifier |
 * PTP Edit Rationale`, legend rows (`*=no data`, `0=not allowed`, `1=allowed`, `9=not applicable`)
 * with an empty first cell, then one edit per row: dates YYYYMMDD, deletion `*` while active.
 * Tab-delimited as CMS ships it; a comma-delimited export with the same columns is accepted.
 * Any bad row refuses the whole file, naming the line: nothing is imported.
 */
import { CodeFileError, eachLine, type TextSource } from '../codes/import/code-file-error.ts';
import { parseCsvLine } from '../codes/import/parse-csv-line.ts';
import type { PtpEdit } from './ncci-tables.ts';

const HEADER_SEARCH_LINES = 30;
const SERVICE_CODE = /^[A-Z0-9]{4}[A-Z0-9]$/;
const EXPECTED = [
  'column 1',
  'column 2',
  'in existence prior to 1996',
  'effective date',
  'deletion date',
  'modifier',
];

/** YYYYMMDD → YYYY-MM-DD, or undefined when it is not a date. */
export function cmsDate(value: string): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  return m ? `${m[1] ?? ''}-${m[2] ?? ''}-${m[3] ?? ''}` : undefined;
}

function checkHeader(cells: string[], source: TextSource, lineNumber: number): void {
  const got = cells.map((c) => c.trim().toLowerCase());
  EXPECTED.forEach((want, i) => {
    if (!(got[i] ?? '').includes(want)) {
      throw new CodeFileError(
        source.name,
        lineNumber,
        `wrong layout: column ${String(i + 1)} of the header is '${cells[i]?.trim() ?? ''}', expected '${want}' (CMS PTP layout: Column 1, Column 2, *=in existence prior to 1996, Effective Date, Deletion Date, Modifier, PTP Edit Rationale)`,
      );
    }
  });
}

function parseRow(cells: string[], source: TextSource, lineNumber: number): PtpEdit {
  const fail = (problem: string): never => {
    throw new CodeFileError(source.name, lineNumber, problem);
  };
  if (cells.length < 6)
    fail(
      `expected 7 fields (column 1, column 2, prior-1996 mark, effective date, deletion date, modifier indicator, rationale), found ${String(cells.length)}: the line looks truncated`,
    );
  const [c1 = '', c2 = '', prior = '', eff = '', del = '', mi = '', rationale = ''] = cells.map(
    (c) => c.trim(),
  );
  if (!SERVICE_CODE.test(c1)) fail(`column 1 '${c1}' is not a CPT/HCPCS code`);
  if (!SERVICE_CODE.test(c2)) fail(`column 2 '${c2}' is not a CPT/HCPCS code`);
  const effective = cmsDate(eff) ?? fail(`effective date '${eff}' is not YYYYMMDD`);
  const deleted =
    del === '*' || del === ''
      ? undefined
      : (cmsDate(del) ?? fail(`deletion date '${del}' is not YYYYMMDD or *`));
  if (mi !== '0' && mi !== '1' && mi !== '9') fail(`modifier indicator '${mi}' is not 0, 1 or 9`);
  return {
    column1: c1,
    column2: c2,
    priorTo1996: prior === '*',
    effective,
    ...(deleted ? { deleted } : {}),
    modifierIndicator: mi as PtpEdit['modifierIndicator'],
    rationale,
  };
}

/** The PTP edits of one file; throws CodeFileError (file + line) on anything it cannot read. */
export function parsePtpText(source: TextSource): PtpEdit[] {
  const edits: PtpEdit[] = [];
  let delimiter: string | undefined;
  eachLine(source, (line, lineNumber) => {
    if (delimiter === undefined) {
      if (/column 1/i.test(line) && /column 2/i.test(line)) {
        delimiter = line.includes('\t') ? '\t' : ',';
        checkHeader(parseCsvLine(line, source.name, lineNumber, delimiter), source, lineNumber);
      } else if (lineNumber >= HEADER_SEARCH_LINES) {
        throw new CodeFileError(
          source.name,
          lineNumber,
          `wrong layout: no 'Column 1 / Column 2' header row in the first ${String(HEADER_SEARCH_LINES)} lines, so this is not a CMS NCCI PTP file`,
        );
      }
      return;
    }
    const cells = parseCsvLine(line, source.name, lineNumber, delimiter);
    if (line.trim() === '' || (cells[0] ?? '').trim() === '') return;
    edits.push(parseRow(cells, source, lineNumber));
  });
  if (delimiter === undefined)
    throw new CodeFileError(
      source.name,
      0,
      "wrong layout: no 'Column 1 / Column 2' header row, so this is not a CMS NCCI PTP file",
    );
  if (edits.length === 0)
    throw new CodeFileError(source.name, 0, 'the file has a PTP header but no edits');
  return edits;
}
