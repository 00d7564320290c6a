/**
 * The error every code-file importer throws for a file it cannot read: it names the file and the
 * line (1-based), so an admin can open the file at the right place. Nothing is imported then.
 */
import { basename } from 'node:path';
import { AppError } from '../../errors/app-error.ts';

export class CodeFileError extends AppError {
  readonly file: string;
  /** 1-based line of the problem; 0 when it concerns the whole file (empty, unknown format). */
  readonly line: number;

  constructor(file: string, line: number, problem: string, hint?: string) {
    const where = line > 0 ? `${basename(file)} line ${String(line)}` : basename(file);
    super('INPUT_INVALID', `${where}: ${problem}. Nothing was imported.`, hint ? { hint } : {});
    this.name = 'CodeFileError';
    this.file = file;
    this.line = line;
  }
}

/** Reports how far an import has got (bytes or records done out of total). */
export type ImportProgress = (done: number, total: number) => void;

/** A source file's text and name (the name is used in error messages). */
export interface TextSource {
  name: string;
  text: string;
}

/**
 * Calls `visit(line, lineNumber)` for each line of `source` (CRLF or LF), reporting progress
 * every 4,096 lines. A final empty line (the file's last newline) is not visited.
 */
export function eachLine(
  source: TextSource,
  visit: (line: string, lineNumber: number) => void,
  progress?: ImportProgress,
): void {
  const { text } = source;
  if (text.trim().length === 0) throw new CodeFileError(source.name, 0, 'the file is empty');
  let start = 0;
  let lineNumber = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line =
      text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    lineNumber += 1;
    visit(line, lineNumber);
    start = end + 1;
    if (progress && (lineNumber & 4095) === 0) progress(start, text.length);
  }
  progress?.(text.length, text.length);
}
