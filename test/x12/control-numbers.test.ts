import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fileControlNumbers,
  memoryControlNumbers,
  type ControlNumberStore,
} from '../../src/x12/control-numbers.ts';
import { openPostgresControlNumbers } from '../../src/x12/postgres-control-numbers.ts';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `x12_cn_${process.pid}_${Date.now() % 100000}`;
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

/** Two stores over the same ledger stand for two workers. */
async function drawMany(a: ControlNumberStore, b: ControlNumberStore, n: number) {
  return Promise.all(Array.from({ length: n }, (_, i) => (i % 2 ? a : b).next()));
}

describe('X12 control numbers are unique and never reused', () => {
  it('in memory', async () => {
    const store = memoryControlNumbers();
    const got = await Promise.all(Array.from({ length: 20 }, () => store.next()));
    expect(new Set(got).size).toBe(20);
  });

  it('in a file shared by two writers, and after a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'x12-cn-'));
    dirs.push(dir);
    const path = join(dir, 'control-numbers.json');
    const got = await drawMany(fileControlNumbers(path), fileControlNumbers(path), 40);
    expect(new Set(got).size).toBe(40);
    expect(Math.max(...got)).toBe(40);
    expect(await fileControlNumbers(path).next()).toBe(41);
  });

  it('refuses a damaged file instead of starting again at 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'x12-cn-'));
    dirs.push(dir);
    const path = join(dir, 'control-numbers.json');
    await writeFile(path, '{"last":"lots"}');
    await expect(fileControlNumbers(path).next()).rejects.toThrow(/is damaged/);
  });

  it('in PostgreSQL shared by two workers', async () => {
    const a = await openPostgresControlNumbers({ url: PG_URL, schema, senderId: 'CHARTBILL01' });
    const b = await openPostgresControlNumbers({ url: PG_URL, schema, senderId: 'CHARTBILL01' });
    const got = await drawMany(a, b, 40);
    expect(new Set(got).size).toBe(40);
    const other = await openPostgresControlNumbers({ url: PG_URL, schema, senderId: 'OTHER' });
    expect(await other.next()).toBe(1);
    await Promise.all([a.close?.(), b.close?.(), other.close?.()]);
  });
});
