/**
 * Streams an XML file through saxes (a small, well-kept, spec-conforming streaming parser), so the
 * full ICD-10-CM Tabular or Index XML (~10 MB each) is never held as a tree in memory. Parse
 * errors, an empty file and a truncated file become CodeFileError with the line saxes reports.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { SaxesParser } from 'saxes';
import { CodeFileError, type ImportProgress } from './code-file-error.ts';

export interface XmlHandlers {
  open(name: string, depth: number): void;
  close(name: string, depth: number): void;
  text(text: string): void;
}

/** The first element name of the file, read from its first chunk (to tell formats apart). */
export function rootElementOf(head: string): string | undefined {
  return /<([A-Za-z][\w.:-]*)[\s>/]/.exec(
    head.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g, ''),
  )?.[1];
}

/**
 * Feeds `path` through saxes, calling `handlers`. `expectedRoot` is checked on the first element.
 * Throws CodeFileError naming the file and line on malformed or truncated XML.
 */
export async function streamXml(
  path: string,
  name: string,
  expectedRoot: string,
  handlers: XmlHandlers,
  progress?: ImportProgress,
): Promise<void> {
  const total = (await stat(path)).size;
  if (total === 0) throw new CodeFileError(name, 0, 'the file is empty');
  const parser = new SaxesParser({ position: true });
  let depth = 0;
  let failure: CodeFileError | undefined;
  const fail = (problem: string): void => {
    failure ??= new CodeFileError(name, parser.line, problem);
  };
  parser.on('error', (err) => fail(err.message.replace(/^\d+:\d+: /, '')));
  parser.on('opentag', (tag) => {
    if (depth === 0 && tag.name !== expectedRoot)
      fail(`the root element is <${tag.name}>, not <${expectedRoot}>: wrong file or kind`);
    depth += 1;
    if (!failure) handlers.open(tag.name, depth);
  });
  parser.on('closetag', (tag) => {
    if (!failure) handlers.close(tag.name, depth);
    depth -= 1;
  });
  parser.on('text', (text) => {
    if (!failure) handlers.text(text);
  });
  let done = 0;
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 18 })) {
    parser.write(chunk as string);
    if (failure) throw failure;
    done += (chunk as string).length;
    progress?.(Math.min(done, total), total);
  }
  parser.close();
  if (failure) throw failure;
  if (depth !== 0)
    throw new CodeFileError(
      name,
      parser.line,
      'the file ends before its elements are closed (truncated)',
    );
}
