/**
 * Parsers for the CMS PFS relative value files (the `RVU<yy><letter>` zip, CSV versions):
 * PPRRVU<year>*.csv (RVUs and payment indicators per code and 26/TC row), GPCI<year>.csv (GPCIs
 * per MAC and locality) and <yy>LOCCO.csv (counties per locality). Each finds its header row
 * below CMS's title lines, reads columns by name, and refuses the whole file on a bad row,
 * naming the line. Node only (errors carry the file name).
 */
import { CodeFileError, eachLine, type TextSource } from '../codes/import/code-file-error.ts';
import { parseCsvLine } from '../codes/import/parse-csv-line.ts';
import type { GpciRow, LocalityCounties, RvuRow } from './pfs-types.ts';

const HEADER_SEARCH_LINES = 20;

/** Finds the header row (the first whose cells match every `want`), then visits each later row. */
function eachRow(
  source: TextSource,
  want: Record<string, RegExp>,
  visit: (cells: string[], col: Record<string, number>, lineNumber: number, width: number) => void,
): void {
  let col: Record<string, number> | undefined;
  let width = 0;
  eachLine(source, (line, lineNumber) => {
    const cells = parseCsvLine(line, source.name, lineNumber).map((c) => c.trim());
    if (col) return visit(cells, col, lineNumber, width);
    const found = Object.fromEntries(
      Object.entries(want).map(([k, re]) => [k, cells.findIndex((c) => re.test(c))]),
    );
    if (Object.values(found).every((i) => i >= 0)) {
      col = found;
      width = cells.length;
    } else if (lineNumber >= HEADER_SEARCH_LINES)
      throw new CodeFileError(
        source.name,
        0,
        `wrong layout: no header row with ${Object.keys(want).join(', ')} in the first ${String(HEADER_SEARCH_LINES)} lines`,
      );
  });
  if (!col)
    throw new CodeFileError(
      source.name,
      0,
      `wrong layout: no header row with ${Object.keys(want).join(', ')}`,
    );
}

function numberAt(
  cells: string[],
  i: number | undefined,
  name: string,
  source: TextSource,
  lineNumber: number,
): number {
  const text = cells[i ?? -1] ?? '';
  if (text === '') return 0;
  const n = Number(text);
  if (!Number.isFinite(n))
    throw new CodeFileError(source.name, lineNumber, `${name} '${text}' is not a number`);
  return n;
}

const RVU_COLUMNS = {
  code: /^HCPCS$/i,
  mod: /^MOD$/i,
  status: /^STATUS CODE$/i,
  work: /^WORK RVU$/i,
  nonFacPe: /^NON-FAC PE RVU$/i,
  nonFacNa: /^NON-FAC NA INDICATOR$/i,
  facPe: /^FACILITY PE RVU$/i,
  facNa: /^FACILITY NA INDICATOR$/i,
  mp: /^MP RVU$/i,
  pcTc: /^PCTC IND$/i,
  glob: /^GLOB DAYS$/i,
  bilat: /^BILAT SURG$/i,
  cf: /^CONV FACTOR$/i,
};

/** The rows of a PPRRVU CSV; every row must carry the same conversion factor. */
export function parsePprrvuCsv(source: TextSource): RvuRow[] {
  const rows: RvuRow[] = [];
  eachRow(source, RVU_COLUMNS, (cells, col, lineNumber, width) => {
    if (cells.every((c) => c === '')) return;
    // Every PPRRVU row has as many fields as the header; a shorter one was cut, a longer one shifted.
    if (cells.length !== width)
      throw new CodeFileError(
        source.name,
        lineNumber,
        `expected ${String(width)} fields like the header, found ${String(cells.length)}: the line looks ${cells.length < width ? 'truncated' : 'malformed (an unquoted comma?)'}`,
      );
    const code = cells[col.code ?? 0] ?? '';
    if (!/^[A-Z0-9]{5}$/.test(code))
      throw new CodeFileError(source.name, lineNumber, `'${code}' is not a CPT/HCPCS code`);
    const num = (k: string, name: string): number =>
      numberAt(cells, col[k], name, source, lineNumber);
    const row: RvuRow = {
      code,
      modifier: cells[col.mod ?? 0] ?? '',
      status: cells[col.status ?? 0] ?? '',
      workRvu: num('work', 'WORK RVU'),
      nonFacilityPeRvu: num('nonFacPe', 'NON-FAC PE RVU'),
      nonFacilityNa: cells[col.nonFacNa ?? 0] === 'NA',
      facilityPeRvu: num('facPe', 'FACILITY PE RVU'),
      facilityNa: cells[col.facNa ?? 0] === 'NA',
      mpRvu: num('mp', 'MP RVU'),
      pcTc: cells[col.pcTc ?? 0] ?? '',
      globalDays: cells[col.glob ?? 0] ?? '',
      bilateral: cells[col.bilat ?? 0] ?? '',
      conversionFactor: num('cf', 'CONV FACTOR'),
    };
    const first = rows[0];
    if (first && row.conversionFactor !== first.conversionFactor)
      throw new CodeFileError(
        source.name,
        lineNumber,
        `conversion factor ${String(row.conversionFactor)} differs from ${String(first.conversionFactor)} on the rows above`,
      );
    rows.push(row);
  });
  if (rows.length === 0)
    throw new CodeFileError(source.name, 0, 'the file has a header but no rows');
  return rows;
}

const GPCI_COLUMNS = {
  mac: /contractor|^MAC/i,
  state: /^State$/i,
  locality: /^Locality Number$/i,
  name: /^Locality Name$/i,
  work: /PW GPCI/i,
  pe: /PE GPCI/i,
  mp: /MP GPCI/i,
};

/** The localities of a GPCI CSV. Footnote lines below the table (`*Work GPCI reflects…`) are skipped. */
export function parseGpciCsv(source: TextSource): GpciRow[] {
  const rows: GpciRow[] = [];
  eachRow(source, GPCI_COLUMNS, (cells, col, lineNumber) => {
    const mac = cells[col.mac ?? 0] ?? '';
    if (!/^\d{4,5}$/.test(mac)) return;
    if (cells.length < 7)
      throw new CodeFileError(
        source.name,
        lineNumber,
        `expected 7 fields, found ${String(cells.length)}: the line looks truncated`,
      );
    const num = (k: string, name: string): number =>
      numberAt(cells, col[k], name, source, lineNumber);
    rows.push({
      mac: mac.padStart(5, '0'),
      state: cells[col.state ?? 0] ?? '',
      locality: (cells[col.locality ?? 0] ?? '').padStart(2, '0'),
      name: cells[col.name ?? 0] ?? '',
      work: num('work', 'PW GPCI'),
      pe: num('pe', 'PE GPCI'),
      mp: num('mp', 'MP GPCI'),
    });
  });
  if (rows.length === 0)
    throw new CodeFileError(source.name, 0, 'the file has a header but no localities');
  return rows;
}

const LOCCO_COLUMNS = {
  mac: /contractor/i,
  locality: /^Locality Number$/i,
  state: /^State$/i,
  area: /^Fee Schedule Area$/i,
  counties: /^Counties$/i,
};

/** The counties of each locality (25LOCCO.csv); a blank state continues the one above. */
export function parseLocalityCsv(source: TextSource): LocalityCounties[] {
  const rows: LocalityCounties[] = [];
  let state = '';
  eachRow(source, LOCCO_COLUMNS, (cells, col, lineNumber) => {
    const mac = cells[col.mac ?? 0] ?? '';
    if (!/^\d{4,5}$/.test(mac)) return;
    if (cells.length < 5)
      throw new CodeFileError(
        source.name,
        lineNumber,
        `expected 5 fields, found ${String(cells.length)}: the line looks truncated`,
      );
    state = cells[col.state ?? 0] || state;
    rows.push({
      mac: mac.padStart(5, '0'),
      locality: (cells[col.locality ?? 0] ?? '').padStart(2, '0'),
      state,
      area: cells[col.area ?? 0] ?? '',
      counties: cells[col.counties ?? 0] ?? '',
    });
  });
  if (rows.length === 0)
    throw new CodeFileError(source.name, 0, 'the file has a header but no localities');
  return rows;
}
