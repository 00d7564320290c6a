import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Zip, ZipDeflate, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HARNESS = fileURLToPath(new URL('./measured-cli.ts', import.meta.url));
/** A bomb's 600 MB would need more than this; a bounded import fits well inside it. */
const MAX_RSS = 400 * 1024 * 1024;
const BOMB_MB = 600;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  rss: number | undefined;
}

/** Runs `chartbill …` in a child with a small heap and reports its exit code, output and peak memory. */
async function chartbill(dir: string, ...args: string[]): Promise<Run> {
  const rssFile = join(dir, `rss-${String(Date.now())}-${String(Math.random()).slice(2)}`);
  const env = { ...process.env, CHARTBILL_TEST_RSS_FILE: rssFile };
  const { code, stdout, stderr } = await new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
  }>((resolve) => {
    execFile(
      process.execPath,
      ['--max-old-space-size=200', '--import', 'tsx', HARNESS, ...args],
      { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 },
      (err, out, errOut) => {
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : null) : 0,
          stdout: out,
          stderr: errOut,
        });
      },
    );
  });
  const rss = await readFile(rssFile, 'utf8').then(Number, () => undefined);
  return { code, stdout, stderr, rss };
}

/** A zip whose one member, named like the real file, is `mb` MB of zeros, made by streaming (never whole in memory). */
function zeroBomb(member: string, mb: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((err, data) => {
    if (err) throw err;
    parts.push(data);
  });
  const file = new ZipDeflate(member, { level: 1 });
  zip.add(file);
  const zeros = new Uint8Array(1024 * 1024);
  for (let i = 0; i < mb; i++) file.push(zeros, i === mb - 1);
  zip.end();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Every stored file under `dir` with a hash of its content: what "stored data unchanged" compares. */
async function storedState(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) await walk(path);
      else
        out[path] = `${createHash('sha256')
          .update(await readFile(path))
          .digest('hex')} ${String((await stat(path)).mtimeMs)}`;
    }
  };
  await walk(dir);
  return out;
}

const ORDER_LINES = [
  '00001 A00     0 Cholera                                                      Cholera',
  '00002 A000    1 Cholera due to Vibrio cholerae 01, biovar cholerae           Cholera due to Vibrio cholerae 01, biovar cholerae',
  '',
].join('\r\n');

const PTP_TEXT = [
  'Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\tModifier\tPTP Edit Rationale',
  '93000\t93005\t*\t19960101\t*\t0\tMutually exclusive procedures',
  '',
].join('\r\n');

let work: string;
let bomb: string;

// Each run starts Node with tsx: seconds when idle, far more on a busy machine.
describe('importing hostile files', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'chartbill-bombs-'));
    bomb = join(work, 'bomb.zip');
    // The member's name is what both importers look for (an ICD-10-CM order file is also a .txt).
    await writeFile(bomb, zeroBomb('icd10cm_order_2026.txt', BOMB_MB));
  }, 300_000);

  it('refuses a zip bomb in codes import in one line, within bounded memory, and keeps the stored release', async () => {
    const dataDir = join(work, 'codes-data');
    const good = join(work, '2026-code-descriptions-tabular-order.zip');
    await writeFile(
      good,
      zipSync({ 'icd10cm_order_2026.txt': new TextEncoder().encode(ORDER_LINES) }),
    );
    expect((await chartbill(work, 'codes', 'import', good, '--data-dir', dataDir)).code).toBe(0);
    const before = await storedState(dataDir);
    expect(Object.keys(before).length).toBeGreaterThan(0);

    const hostile = join(work, '2027-code-descriptions-tabular-order.zip');
    await copyFile(bomb, hostile);
    const run = await chartbill(work, 'codes', 'import', hostile, '--data-dir', dataDir);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^chartbill codes: 2027-code-descriptions-tabular-order\.zip: refused: it expands more than 100 times its size .* Nothing was imported\.$/,
      ),
    ]);
    expect(run.rss).toBeLessThan(MAX_RSS);
    expect(await storedState(dataDir)).toEqual(before);
  });

  it('refuses a zip bomb in ncci import in one line, within bounded memory, and keeps the stored table', async () => {
    const dataDir = join(work, 'ncci-data');
    const good = join(work, 'ccipra-v322r0-f1.zip');
    await writeFile(good, zipSync({ 'ccipra-v322r0-f1.txt': new TextEncoder().encode(PTP_TEXT) }));
    expect((await chartbill(work, 'ncci', 'import', good, '--data-dir', dataDir)).code).toBe(0);
    const before = await storedState(dataDir);
    expect(Object.keys(before).length).toBeGreaterThan(0);

    const hostile = join(work, 'ccipra-v323r0-f1.zip');
    await copyFile(bomb, hostile);
    const run = await chartbill(work, 'ncci', 'import', hostile, '--data-dir', dataDir);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^chartbill ncci: ccipra-v323r0-f1\.zip: refused: it expands more than 100 times its size .* Nothing was imported\.$/,
      ),
    ]);
    expect(run.rss).toBeLessThan(MAX_RSS);
    expect(await storedState(dataDir)).toEqual(before);
  });

  it('names a missing file or a folder in one line and exits non-zero, for both importers', async () => {
    const dataDir = join(work, 'missing-data');
    const folder = join(work, 'a-folder');
    await mkdir(folder, { recursive: true });
    const cases: [string[], RegExp][] = [
      [
        ['codes', 'import', join(work, 'nope.txt')],
        /^chartbill codes: nope\.txt: no such file\. Nothing was imported\.$/,
      ],
      [
        ['codes', 'import', folder],
        /^chartbill codes: a-folder: is a folder, not a file: name the file inside it\. Nothing was imported\.$/,
      ],
      [
        ['ncci', 'import', join(work, 'nope.zip')],
        /^chartbill ncci: nope\.zip: no such file\. Nothing was imported\.$/,
      ],
      [
        ['ncci', 'import', folder],
        /^chartbill ncci: a-folder: is a folder, not a file: name the file inside it\. Nothing was imported\.$/,
      ],
    ];
    for (const [args, line] of cases) {
      const run = await chartbill(work, ...args, '--data-dir', dataDir);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toEqual([expect.stringMatching(line)]);
      expect(run.stderr).not.toContain('    at ');
    }
    expect(await storedState(dataDir)).toEqual({});
  });
});
