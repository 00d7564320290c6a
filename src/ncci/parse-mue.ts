/**
 * Parses the CMS NCCI practitioner MUE table in the layouts it comes in:
 * - the CMS CSV (`MCR_MUE_PractitionerServices_Eff_<date>.csv`): a quoted AMA/CMS notice, then the
 *   header `HCPCS/CPT Code, Practitioner Services MUE Values, MUE Adjudication Indicator, MUE
 *   Rationale` (columns found by name), then one row per code; the indicator cell is the MAI digit
 *   and its meaning: `1 Line Edit`, `2 Date of Service Edit: Policy`, `3 Date of Service Edit: Clinical`;
 * - a JSON re-serialisation: an array of `{code, mue_value, description: "<MAI> <rationale>",
 *   effective_date?, end_date?}` (shared/data/ncci/mue_practitioner_2026q3.json).
 * Any bad row refuses the whole file, naming the line (CSV) or the record (JSON).
 */
import { z } from 'zod';
import { CodeFileError, eachLine, type TextSource } from '../codes/import/code-file-error.ts';
import { parseCsvLine } from '../codes/import/parse-csv-line.ts';
import type { MueAdjudicationIndicator, MueEdit } from './ncci-tables.ts';
import { errorMessage } from '../errors/error-message.ts';

const SERVICE_CODE = /^[A-Z0-9]{5}$/;
const NO_END = '9999-12-31';

interface Columns {
  code: number;
  value: number;
  mai: number;
  rationale: number;
}

function columnsOf(header: string[], source: TextSource, lineNumber: number): Columns {
  const find = (re: RegExp, name: string): number => {
    const i = header.findIndex((h) => re.test(h));
    if (i < 0)
      throw new CodeFileError(
        source.name,
        lineNumber,
        `wrong layout: the header has no '${name}' column (found: ${header.join(' | ')})`,
      );
    return i;
  };
  return {
    code: find(/hcpcs|cpt/i, 'HCPCS/CPT Code'),
    value: find(/mue values?$/i, 'Practitioner Services MUE Values'),
    mai: find(/adjudication indicator/i, 'MUE Adjudication Indicator'),
    rationale: find(/rationale/i, 'MUE Rationale'),
  };
}

/** `2 Date of Service Edit: Policy` → 2. */
function maiOf(cell: string): MueAdjudicationIndicator | undefined {
  const digit = /^\s*([123])\b/.exec(cell)?.[1];
  return digit ? (Number(digit) as MueAdjudicationIndicator) : undefined;
}

function csvRow(cells: string[], cols: Columns, source: TextSource, lineNumber: number): MueEdit {
  const fail = (problem: string): never => {
    throw new CodeFileError(source.name, lineNumber, problem);
  };
  const width = Math.max(cols.code, cols.value, cols.mai) + 1;
  if (cells.length < width)
    fail(
      `expected ${String(width)} or more fields, found ${String(cells.length)}: the line looks truncated`,
    );
  const code = (cells[cols.code] ?? '').trim();
  const valueText = (cells[cols.value] ?? '').trim();
  if (!SERVICE_CODE.test(code)) fail(`'${code}' is not a CPT/HCPCS code`);
  if (!/^\d+$/.test(valueText)) fail(`MUE value '${valueText}' for ${code} is not a whole number`);
  const mai =
    maiOf(cells[cols.mai] ?? '') ??
    fail(
      `MUE adjudication indicator '${(cells[cols.mai] ?? '').trim()}' for ${code} is not 1, 2 or 3`,
    );
  return { code, value: Number(valueText), mai, rationale: (cells[cols.rationale] ?? '').trim() };
}

/** The MUE rows of a CMS CSV file. */
export function parseMueCsv(source: TextSource): MueEdit[] {
  const edits: MueEdit[] = [];
  let cols: Columns | undefined;
  eachLine(source, (line, lineNumber) => {
    if (!cols) {
      // The notice above the header may hold quoted line breaks: it is not parsed as CSV.
      if (/hcpcs\s*\/\s*cpt/i.test(line) && /mue/i.test(line))
        cols = columnsOf(
          parseCsvLine(line, source.name, lineNumber).map((c) => c.trim()),
          source,
          lineNumber,
        );
      return;
    }
    if (line.trim() === '' || /^[,\s]*$/.test(line)) return;
    edits.push(csvRow(parseCsvLine(line, source.name, lineNumber), cols, source, lineNumber));
  });
  if (!cols)
    throw new CodeFileError(
      source.name,
      0,
      "wrong layout: no 'HCPCS/CPT Code … MUE' header row, so this is not a CMS MUE table",
    );
  if (edits.length === 0)
    throw new CodeFileError(source.name, 0, 'the file has an MUE header but no rows');
  return edits;
}

const jsonRow = z.object({
  code: z.string().regex(SERVICE_CODE, 'not a CPT/HCPCS code'),
  mue_value: z.number().int().min(0),
  description: z
    .string()
    .regex(/^[123](\s|$)/, 'must start with the MUE adjudication indicator 1, 2 or 3'),
  effective_date: z.iso.date().optional(),
  end_date: z.iso.date().optional(),
});

/** Line and column of a character offset, for JSON syntax errors. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function parseJsonText(source: TextSource): unknown {
  try {
    return JSON.parse(source.text) as unknown;
  } catch (err) {
    const message = errorMessage(err);
    const at = /position (\d+)/.exec(message)?.[1];
    throw new CodeFileError(
      source.name,
      at ? lineAt(source.text, Number(at)) : 0,
      `not valid JSON (${message}); the file looks truncated or is not an MUE export`,
    );
  }
}

/** The MUE rows of the JSON layout. */
export function parseMueJson(source: TextSource): MueEdit[] {
  if (source.text.trim() === '') throw new CodeFileError(source.name, 0, 'the file is empty');
  const data = parseJsonText(source);
  if (!Array.isArray(data))
    throw new CodeFileError(
      source.name,
      0,
      'wrong layout: expected a JSON array of MUE rows {code, mue_value, description}',
    );
  if (data.length === 0) throw new CodeFileError(source.name, 0, 'the file has no MUE rows');
  return data.map((raw, i): MueEdit => {
    const row = jsonRow.safeParse(raw);
    if (!row.success) {
      const issue = row.error.issues[0];
      const code = (raw as { code?: unknown } | null)?.code;
      throw new CodeFileError(
        source.name,
        0,
        `record ${String(i + 1)}${typeof code === 'string' ? ` (${code})` : ''}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}`,
      );
    }
    const {
      code,
      mue_value: value,
      description,
      effective_date: effective,
      end_date: end,
    } = row.data;
    return {
      code,
      value,
      mai: Number(description.charAt(0)) as MueAdjudicationIndicator,
      rationale: description.slice(1).trim(),
      ...(effective ? { effective } : {}),
      ...(end && end !== NO_END ? { end } : {}),
    };
  });
}

/** Either layout, by the first character (`[` → JSON). */
export function parseMue(source: TextSource): MueEdit[] {
  return source.text.trimStart().startsWith('[') ? parseMueJson(source) : parseMueCsv(source);
}
