import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors/app-error.ts';
import { openFileLedger } from '../../worker/file-ledger.ts';
import { isFinal, recheckDelayMs, retryDelayMs, type Ledger, type LedgerItem } from '../../worker/ledger.ts';
import { createMemoryLedger } from '../../worker/memory-ledger.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-ledger-'));
  dirs.push(dir);
  return join(dir, 'nested', 'ledger.json');
}

function item(n: number, overrides: Partial<LedgerItem> = {}): LedgerItem {
  return { encounter: `Encounter/${n}`, stage: 'held', attempts: 0, updatedAt: '2026-03-01T00:00:00.000Z', nextAttemptAt: '2026-03-01T00:15:00.000Z', ...overrides };
}

const implementations: [string, () => Promise<Ledger>][] = [
  ['memory ledger', () => Promise.resolve(createMemoryLedger())],
  ['file ledger', async () => openFileLedger(await tempPath())],
];

describe.each(implementations)('%s', (_name, open) => {
  it('keeps the cursor and the latest state of each item', async () => {
    const ledger = await open();
    expect(await ledger.getCursor('c')).toBeUndefined();
    await ledger.setCursor('c', '2026-03-01T00:00:00Z');
    await ledger.putItem(item(1));
    await ledger.putItem(item(1, { stage: 'answered', claim: 'Claim/9', nextAttemptAt: undefined }));
    expect(await ledger.getCursor('c')).toBe('2026-03-01T00:00:00Z');
    expect(await ledger.getItem('Encounter/1')).toMatchObject({ stage: 'answered', claim: 'Claim/9' });
    expect(await ledger.getItem('Encounter/2')).toBeUndefined();
  });

  it('lists the items due by a time, never final ones', async () => {
    const ledger = await open();
    await ledger.putItem(item(1, { nextAttemptAt: '2026-03-01T00:10:00.000Z' }));
    await ledger.putItem(item(2, { stage: 'failed', nextAttemptAt: '2026-03-01T00:30:00.000Z' }));
    await ledger.putItem(item(3, { stage: 'answered', nextAttemptAt: undefined }));
    await ledger.putItem(item(4, { stage: 'gave-up', nextAttemptAt: '2026-03-01T00:00:00.000Z' }));
    const due = await ledger.listItems({ dueBy: '2026-03-01T00:20:00.000Z' });
    expect(due.map((i) => i.encounter)).toEqual(['Encounter/1']);
    expect((await ledger.listItems({ stages: ['failed'] })).map((i) => i.encounter)).toEqual(['Encounter/2']);
    expect(await ledger.listItems()).toHaveLength(4);
  });

  it('hands out copies, so callers cannot change its state behind its back', async () => {
    const ledger = await open();
    await ledger.putItem(item(1));
    const copy = await ledger.getItem('Encounter/1');
    if (copy) copy.stage = 'answered';
    expect((await ledger.getItem('Encounter/1'))?.stage).toBe('held');
  });
});

describe('file ledger', () => {
  it('survives a restart: a reopened ledger has the cursor and items', async () => {
    const path = await tempPath();
    const first = await openFileLedger(path);
    await first.setCursor('finished-encounters', '2026-03-01T10:00:00.000Z');
    await first.putItem(item(7, { stage: 'answered', claimResponse: 'ClaimResponse/3' }));
    const reopened = await openFileLedger(path);
    expect(await reopened.getCursor('finished-encounters')).toBe('2026-03-01T10:00:00.000Z');
    expect(await reopened.getItem('Encounter/7')).toMatchObject({ stage: 'answered', claimResponse: 'ClaimResponse/3' });
  });

  it('writes atomically: after many concurrent changes the file is whole and no temporary file is left', async () => {
    const path = await tempPath();
    const ledger = await openFileLedger(path);
    await Promise.all(Array.from({ length: 50 }, (_, n) => ledger.putItem(item(n))));
    const text = await readFile(path, 'utf8');
    expect(Object.keys((JSON.parse(text) as { items: object }).items)).toHaveLength(50);
    expect((await readdir(join(path, '..'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await (await openFileLedger(path)).listItems()).toHaveLength(50);
  });

  it('refuses to start on a corrupt ledger file instead of silently starting over', async () => {
    const path = await tempPath();
    await (await openFileLedger(path)).setCursor('c', 'x');
    await writeFile(path, '{"version":1,"cursors":{', 'utf8');
    await expect(openFileLedger(path)).rejects.toSatisfy((err: unknown) => isAppError(err, 'CONFIG_INVALID') && err.message.includes('not valid JSON'));
    await writeFile(path, JSON.stringify({ version: 1, cursors: {}, items: { a: { stage: 'sideways' } } }), 'utf8');
    await expect(openFileLedger(path)).rejects.toSatisfy((err: unknown) => isAppError(err, 'CONFIG_INVALID'));
  });
});

describe('ledger rules', () => {
  it('treats answered and given-up items as final', () => {
    expect(isFinal(item(1, { stage: 'answered' }))).toBe(true);
    expect(isFinal(item(1, { stage: 'gave-up' }))).toBe(true);
    expect(isFinal(item(1, { stage: 'held' }))).toBe(false);
    expect(isFinal(item(1, { stage: 'submitted' }))).toBe(false);
    expect(isFinal(undefined)).toBe(false);
  });

  it('backs off retries exponentially from 30 seconds up to an hour', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(retryDelayMs(20)).toBe(3_600_000);
  });

  it('rechecks a held item less often each time it is still held, at least once a day', () => {
    expect([0, 1, 2].map((n) => recheckDelayMs(15 * 60_000, n))).toEqual([900_000, 1_800_000, 3_600_000]);
    expect(recheckDelayMs(15 * 60_000, 50)).toBe(86_400_000);
  });
});
