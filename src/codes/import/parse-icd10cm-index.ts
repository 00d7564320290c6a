/**
 * The ICD-10-CM Alphabetic Index, in the official XML (CDC `icd10cm_index_YYYY.xml` and the
 * External Cause index `icd10cm_eindex_YYYY.xml`, schema icd10cm-index-YYYY.xsd: letter →
 * mainTerm → term level=1..n, each with title, code, see, seeAlso) and as a flattened CSV
 * (`RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code`). Both become code → term paths.
 */
import {
  CodeFileError,
  eachLine,
  type ImportProgress,
  type TextSource,
} from './code-file-error.ts';
import { parseCsvLine } from './parse-csv-line.ts';
import { collectIndexTerms } from './index-terms.ts';
import { streamXml } from './xml-source.ts';

export interface IndexFile {
  version: string | undefined;
  terms: Record<string, string[]>;
}

interface TermNode {
  title: string;
  code?: string;
  see?: string;
}

/** Streams an index XML file. Non-essential modifiers (<nemod>) are left out of the synonyms. */
export async function parseIcd10cmIndexXml(
  path: string,
  name: string,
  progress?: ImportProgress,
): Promise<IndexFile> {
  const collector = collectIndexTerms();
  const stack: TermNode[] = [];
  let version: string | undefined;
  let text = '';
  let inNemod = false;
  const flush = (): void => {
    const node = stack[stack.length - 1];
    if (node)
      collector.add(
        stack.map((n) => n.title),
        node.code,
        node.see,
      );
  };
  await streamXml(
    path,
    name,
    'ICD10CM.index',
    {
      open(element) {
        if (element === 'mainTerm' || element === 'term') {
          flush();
          stack.push({ title: '' });
        }
        if (element === 'nemod') inNemod = true;
        else text = '';
      },
      text(chunk) {
        if (!inNemod) text += chunk;
      },
      close(element, depth) {
        const node = stack[stack.length - 1];
        if (element === 'nemod') inNemod = false;
        else if (element === 'version' && depth === 2) version = text.trim();
        else if (node && element === 'title') node.title = text.replace(/\s+/g, ' ').trim();
        else if (node && element === 'code') node.code = text.trim();
        else if (node && element === 'see') node.see = text.trim();
        else if (element === 'mainTerm' || element === 'term') {
          // A term's own code is recorded when its first child opens or, for a leaf, here.
          if (node && (node.code ?? node.see) !== undefined)
            collector.add(
              stack.map((n) => n.title),
              node.code,
              node.see,
            );
          stack.pop();
        }
        if (element !== 'nemod') text = '';
      },
    },
    progress,
  );
  return { version, terms: collector.result() };
}

const CSV_HEADER = ['RowID', 'Letter', 'Level', 'Term', 'See', 'SeeAlso', 'NonEssModif', 'Code'];

/** Parses the flattened index CSV; each row's Level places it under the rows above it. */
export function parseIcd10cmIndexCsv(source: TextSource, progress?: ImportProgress): IndexFile {
  const collector = collectIndexTerms();
  const path: string[] = [];
  eachLine(
    source,
    (line, n) => {
      const cells = parseCsvLine(line, source.name, n);
      if (n === 1) {
        if (cells.join(',') !== CSV_HEADER.join(','))
          throw new CodeFileError(source.name, 1, `the header is not ${CSV_HEADER.join(',')}`);
        return;
      }
      if (cells.length !== CSV_HEADER.length)
        throw new CodeFileError(
          source.name,
          n,
          `${String(cells.length)} columns, ${String(CSV_HEADER.length)} expected (truncated line?)`,
        );
      const [, , level = '', term = '', see = '', seeAlso = '', nonEssential = '', code = ''] =
        cells;
      const depth = Number(level);
      if (!Number.isInteger(depth) || depth < 0 || depth > path.length)
        throw new CodeFileError(source.name, n, `level '${level}' does not follow the row above`);
      path.length = depth;
      path.push(term);
      // A term with no code of its own follows its "see also" like a "see" (Flu → Influenza).
      collector.add(path, code || undefined, see || seeAlso || undefined, nonEssential);
    },
    progress,
  );
  return { version: /(20\d\d)/.exec(source.name)?.[1], terms: collector.result() };
}
