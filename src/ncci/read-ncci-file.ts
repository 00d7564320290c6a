/**
 * Reads one CMS NCCI file as an admin downloads it: a quarterly zip (PTP `ccipra-v322r0-f1.zip`
 * holds a .txt; the MUE zip holds a .csv), or the .txt/.csv/.json itself. Node only.
 * Whether it is PTP or MUE is read from its header, not guessed from its name.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { checkImportFile } from '../codes/import/check-import-file.ts';
import { CodeFileError, type TextSource } from '../codes/import/code-file-error.ts';
import { unzipBounded } from '../codes/import/unzip-bounded.ts';
import type { MueEdit, PtpEdit } from './ncci-tables.ts';
import { parseMue } from './parse-mue.ts';
import { parsePtpText } from './parse-ptp.ts';

export type NcciFile =
  { kind: 'ptp'; name: string; edits: PtpEdit[] } | { kind: 'mue'; name: string; edits: MueEdit[] };

/** The text members of a zip worth reading (.txt, .csv, .json), decoded as Latin-1 like CMS files, within the import limits. */
async function unzipTexts(path: string): Promise<TextSource[]> {
  const files = await unzipBounded(
    path,
    (name) => /\.(txt|csv|json)$/i.test(name) && !/readme/i.test(name),
  );
  const names = Object.keys(files).sort();
  if (names.length === 0)
    throw new CodeFileError(basename(path), 0, 'the zip holds no .txt, .csv or .json file');
  return names.map((name) => ({
    name: `${basename(path)}:${name}`,
    text: new TextDecoder('latin1').decode(files[name]),
  }));
}

/** PTP when a `Column 1 … Column 2` header appears near the top; MUE otherwise. */
function kindOf(source: TextSource): 'ptp' | 'mue' {
  const head = source.text.slice(0, 20_000);
  return /column 1/i.test(head) && /column 2/i.test(head) ? 'ptp' : 'mue';
}

function parseSource(source: TextSource): NcciFile {
  return kindOf(source) === 'ptp'
    ? { kind: 'ptp', name: source.name, edits: parsePtpText(source) }
    : { kind: 'mue', name: source.name, edits: parseMue(source) };
}

/** Reads and checks every table in `path`; throws CodeFileError naming the file and line. */
export async function readNcciFile(path: string): Promise<NcciFile[]> {
  await checkImportFile(path);
  if (extname(path).toLowerCase() === '.zip') return (await unzipTexts(path)).map(parseSource);
  const bytes = await readFile(path);
  const encoding = extname(path).toLowerCase() === '.json' ? 'utf-8' : 'latin1';
  return [parseSource({ name: basename(path), text: new TextDecoder(encoding).decode(bytes) })];
}
