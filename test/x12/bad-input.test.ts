import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openX12 } from '../../src/x12/envelope-check.ts';
import { isAppError } from '../../src/errors/app-error.ts';

const SAMPLE = new URL('../../../shared/data/x12/835/managed-care.835', import.meta.url);

async function readAll(text: string | string[]): Promise<number> {
  let n = 0;
  for await (const segment of openX12(text).segments) n += segment.index > 0 ? 1 : 0;
  return n;
}

async function refusal(text: string | string[]): Promise<string> {
  const err = await readAll(text).then(
    () => new Error('read without complaint'),
    (e: unknown) => e,
  );
  expect(isAppError(err, 'X12_INVALID'), String(err)).toBe(true);
  return (err as Error).message;
}

describe('X12 files ChartBill refuses, naming the segment and position', () => {
  it('reads the intact file in any chunking', async () => {
    const text = await readFile(SAMPLE, 'utf8');
    const chunks = text.match(/[\s\S]{1,7}/g) ?? [];
    expect(await readAll(chunks)).toBe(30);
    expect(await readAll(text)).toBe(30);
  });

  it('a truncated file: its last segment has no terminator', async () => {
    const text = (await readFile(SAMPLE, 'utf8')).slice(0, 690);
    expect(await refusal(text)).toMatch(
      /truncated: its last segment '.*' has no segment terminator '~' \(segment 2\d \(\w+\) at character \d+\)/,
    );
  });

  it('a truncated file: it ends before its envelopes close', async () => {
    const text = (await readFile(SAMPLE, 'utf8')).split('GE*1*1~')[0] ?? '';
    expect(await refusal(text)).toMatch(
      /truncated: GS 1 \(segment 2\) is never closed by its GE \(segment 28 \(SE\)/,
    );
  });

  it('a wrong segment terminator: segments ended by line breaks', async () => {
    const text = (await readFile(SAMPLE, 'utf8'))
      .replace(/~\n(?=[A-Z])/g, '\n')
      .replace(/^(.{105})\n/, '$1~\n');
    expect(await refusal(text)).toMatch(
      /Segments are ended by line breaks, not by the terminator '~'.*\(segment 2 \(GS\) at character 107\)/,
    );
  });

  it('an ISA of the wrong length', async () => {
    const text = (await readFile(SAMPLE, 'utf8')).replace('000000005      *30', '000000005*30');
    expect(await refusal(text)).toMatch(
      /The ISA is 100 characters long; X12 5010 fixes it at 106 .*\(segment 1 \(ISA\) at character 0\)/,
    );
  });

  it('a segment count that does not match SE01', async () => {
    const text = (await readFile(SAMPLE, 'utf8')).replace('SE*26*', 'SE*25*');
    expect(await refusal(text)).toMatch(
      /SE01 says 25 segments from ST to SE but there are 26 \(segment 28 \(SE\)/,
    );
  });

  it('a file that is not X12', async () => {
    expect(await refusal('{"resourceType":"Bundle","entry":[]}'.padEnd(200, ' '))).toMatch(
      /^Not an X12 file: it starts with '\{"resourceTy' where an ISA \(or a bare ST\) must be \(segment 1 at character 0\)$/,
    );
  });
});
