/**
 * One line of a CSV file (RFC 4180 quoting: `"a, b"`, `""` for a quote). The code files CMS
 * ships have no line breaks inside fields, so an unclosed quote means the line was cut short.
 */
import { CodeFileError } from './code-file-error.ts';

export function parseCsvLine(
  line: string,
  file: string,
  lineNumber: number,
  delimiter = ',',
): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  if (quoted)
    throw new CodeFileError(file, lineNumber, 'a quoted field is not closed (truncated line?)');
  cells.push(cell);
  return cells;
}
