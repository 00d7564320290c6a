import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDirectoryBatchTransport } from '../../src/x12/transport/directory-batch-transport.ts';
import { openPostgresX12Submissions } from '../../src/x12/postgres-x12-submissions.ts';
import { fileX12Submissions, memoryX12Submissions } from '../../src/x12/x12-submissions.ts';
import { dropSchema, freshSchemaName, PG_URL } from '../worker/pg-kit.ts';

const dirs: string[] = [];
const schemas: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  for (const schema of schemas) await dropSchema(schema);
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-x12-store-'));
  dirs.push(dir);
  return dir;
}

describe('the directory batch transport', () => {
  it('sends, lists the inbound oldest first without half-written files, archives once', async () => {
    const dir = await tempDir();
    const transport = createDirectoryBatchTransport(dir);
    await transport.upload('claim-1.000000001.837', 'ISA…');
    expect(await transport.exists('claim-1.000000001.837')).toBe(true);
    expect(await transport.exists('claim-2.000000002.837')).toBe(false);
    // No temporary file is left beside the sent one.
    expect(await readdir(join(dir, 'outbound'))).toEqual(['claim-1.000000001.837']);

    await writeFile(join(dir, 'inbound', 'b.999'), 'first');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(join(dir, 'inbound', 'a.835'), 'second');
    await writeFile(join(dir, 'inbound', '.c.277.tmp'), 'half a file');
    expect(await transport.listInbound()).toEqual(['b.999', 'a.835']);
    expect(await transport.download('b.999')).toBe('first');
    await transport.archiveInbound('b.999');
    await transport.archiveInbound('b.999');
    expect(await transport.listInbound()).toEqual(['a.835']);
    expect(await readdir(join(dir, 'archive'))).toEqual(['b.999']);
  });

  it('counts a sent file the clearinghouse moved to the archive as sent, and refuses paths', async () => {
    const dir = await tempDir();
    const transport = createDirectoryBatchTransport(dir);
    await transport.listInbound();
    await writeFile(join(dir, 'archive', 'claim-9.000000009.837'), 'taken');
    expect(await transport.exists('claim-9.000000009.837')).toBe(true);
    await expect(transport.upload('../escape.837', 'x')).rejects.toThrow(/not a usable file name/);
  });
});

describe('X12 submissions: one control number per claim, kept', () => {
  it('gives a claim the same number every time and other interchanges new ones (memory, file)', async () => {
    const path = join(await tempDir(), 'x12-submissions.json');
    for (const open of [() => memoryX12Submissions(), () => fileX12Submissions(path)]) {
      const store = open();
      const at = new Date('2026-03-04T08:00:00Z');
      const first = await store.take('enc-1', at);
      expect(await store.take('enc-1', new Date('2026-03-05T08:00:00Z'))).toEqual(first);
      const other = await store.next();
      expect(other).not.toBe(first.control);
      expect((await store.take('enc-2', at)).control).not.toBe(first.control);
      await store.markAsked('enc-1', new Date('2026-03-06T08:00:00Z'));
      expect((await store.find('enc-1'))?.askedAt).toBe('2026-03-06T08:00:00.000Z');
    }
    // A restarted worker reads what the file holds.
    expect((await fileX12Submissions(path).find('enc-1'))?.control).toBe(1);
    // A TA1 rejected enc-1's interchange: released, it takes a new number; a stale release of
    // the old interchange leaves the new one alone.
    for (const open of [() => memoryX12Submissions(), () => fileX12Submissions(path)]) {
      const store = open();
      const at = new Date('2026-03-04T08:00:00Z');
      const first = await store.take('enc-9', at);
      await store.release('enc-9', first.control);
      const again = await store.take('enc-9', at);
      expect(again.control).not.toBe(first.control);
      await store.release('enc-9', first.control);
      expect((await store.find('enc-9'))?.control).toBe(again.control);
    }
  });

  it('gives two workers racing on one claim the same number in PostgreSQL', async () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    const a = await openPostgresX12Submissions({ url: PG_URL, schema, senderId: 'CHARTBILL01' });
    const b = await openPostgresX12Submissions({ url: PG_URL, schema, senderId: 'CHARTBILL01' });
    try {
      const at = new Date('2026-03-04T08:00:00Z');
      const taken = await Promise.all([a.take('enc-7', at), b.take('enc-7', at)]);
      expect(taken[0]).toEqual(taken[1]);
      const plain = await Promise.all([a.next(), b.next()]);
      expect(new Set([...plain, taken[0].control]).size).toBe(3);
      await a.markAsked('enc-7', new Date('2026-03-07T00:00:00Z'));
      expect((await b.find('enc-7'))?.askedAt).toBe('2026-03-07T00:00:00.000Z');
      expect(await b.find('enc-8')).toBeUndefined();
      await a.release('enc-7', taken[0].control + 1000);
      expect((await b.find('enc-7'))?.control).toBe(taken[0].control);
      await a.release('enc-7', taken[0].control);
      expect(await b.find('enc-7')).toBeUndefined();
    } finally {
      await Promise.all([a.close?.(), b.close?.()]);
    }
  });
});
