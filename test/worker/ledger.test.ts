import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors/app-error.ts';
import { openFileLedger } from '../../worker/ledger/file-ledger.ts';
import {
  isFinal,
  recheckDelayMs,
  retryDelayMs,
  type Ledger,
  type LedgerItem,
} from '../../worker/ledger/ledger.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import pg from 'pg';
import { fullDisk } from '../faults/full-disk-fs.ts';
import { PG_URL, postgresLedgers } from './pg-kit.ts';

const { Client } = pg;

const dirs: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A file ledger in a directory of its own, closed after the test. */
async function openFileInTemp(): Promise<Ledger> {
  const ledger = await openFileLedger(await tempPath());
  cleanups.push(() => ledger.close());
  return ledger;
}

/** A PostgreSQL ledger in a schema of its own, dropped after the test. */
function openPostgres(): Promise<Ledger> {
  const pg = postgresLedgers();
  cleanups.push(pg.cleanup);
  return pg.open();
}

async function tempPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-ledger-'));
  dirs.push(dir);
  return join(dir, 'nested', 'ledger.json');
}

function item(n: number, overrides: Partial<LedgerItem> = {}): LedgerItem {
  return {
    encounter: `Encounter/${n}`,
    stage: 'held',
    attempts: 0,
    updatedAt: '2026-03-01T00:00:00.000Z',
    nextAttemptAt: '2026-03-01T00:15:00.000Z',
    ...overrides,
  };
}

const implementations: [string, () => Promise<Ledger>][] = [
  ['memory ledger', () => Promise.resolve(createMemoryLedger())],
  ['file ledger', openFileInTemp],
  ['postgres ledger', openPostgres],
];

describe.each(implementations)('%s', (_name, open) => {
  it('keeps the cursor and the latest state of each item', async () => {
    const ledger = await open();
    expect(await ledger.getCursor('c')).toBeUndefined();
    await ledger.setCursor('c', '2026-03-01T00:00:00Z');
    await ledger.putItem(item(1));
    await ledger.putItem(
      item(1, { stage: 'answered', claim: 'Claim/9', nextAttemptAt: undefined }),
    );
    expect(await ledger.getCursor('c')).toBe('2026-03-01T00:00:00Z');
    expect(await ledger.getItem('Encounter/1')).toMatchObject({
      stage: 'answered',
      claim: 'Claim/9',
    });
    expect(await ledger.getItem('Encounter/2')).toBeUndefined();
  });

  it('lists the items due by a time, given-up ones included, never answered ones', async () => {
    const ledger = await open();
    await ledger.putItem(item(1, { nextAttemptAt: '2026-03-01T00:10:00.000Z' }));
    await ledger.putItem(item(2, { stage: 'failed', nextAttemptAt: '2026-03-01T00:30:00.000Z' }));
    await ledger.putItem(item(3, { stage: 'answered', nextAttemptAt: undefined }));
    await ledger.putItem(item(4, { stage: 'gave-up', nextAttemptAt: '2026-03-01T00:00:00.000Z' }));
    await ledger.putItem(item(5, { stage: 'gave-up', nextAttemptAt: '2026-03-02T00:00:00.000Z' }));
    const due = await ledger.listItems({ dueBy: '2026-03-01T00:20:00.000Z' });
    expect(due.map((i) => i.encounter).sort()).toEqual(['Encounter/1', 'Encounter/4']);
    expect((await ledger.listItems({ stages: ['failed'] })).map((i) => i.encounter)).toEqual([
      'Encounter/2',
    ]);
    expect(await ledger.listItems()).toHaveLength(5);
    // Given up is not done: it counts in the backlog until it is answered.
    expect(await ledger.countBacklog()).toBe(4);
  });

  it('lists the answered items whose appeal inquiry is due, and only those, kept across writes', async () => {
    const ledger = await open();
    const appeal = (n: number, nextAt: string) => ({
      task: `Task/a${String(n)}`,
      claim: `Claim/${String(n)}`,
      until: '2026-04-01',
      nextAt,
    });
    const answered = { stage: 'answered' as const, outcome: 'denied', nextAttemptAt: undefined };
    await ledger.putItem(item(1, { ...answered, appeal: appeal(1, '2026-03-02T00:00:00.000Z') }));
    await ledger.putItem(item(2, { ...answered, appeal: appeal(2, '2026-03-04T00:00:00.000Z') }));
    await ledger.putItem(item(3, answered));
    await ledger.putItem(item(4));
    const due = await ledger.listItems({ appealsDueBy: '2026-03-03T00:00:00.000Z' });
    expect(due.map((i) => i.encounter)).toEqual(['Encounter/1']);
    expect(due[0]?.appeal).toEqual(appeal(1, '2026-03-02T00:00:00.000Z'));
    // Answered items stay out of the pipeline's due list whatever their appeal says.
    const pipelineDue = await ledger.listItems({ dueBy: '2026-03-05T00:00:00.000Z' });
    expect(pipelineDue.map((i) => i.encounter)).toEqual(['Encounter/4']);
  });

  it('lists the items of named encounters and of named patients, each once, within the stages asked for', async () => {
    const ledger = await open();
    await ledger.putItem(item(1, { patient: 'Patient/a' }));
    await ledger.putItem(
      item(2, { patient: 'Patient/b', stage: 'answered', nextAttemptAt: undefined }),
    );
    await ledger.putItem(item(3, { patient: 'Patient/a', stage: 'failed' }));
    await ledger.putItem(item(4));
    const encounters = async (found: Promise<LedgerItem[]>) =>
      (await found).map((i) => i.encounter).sort();
    // An encounter named twice is listed once; one the ledger never saw is not listed.
    expect(
      await encounters(
        ledger.listItems({
          encounters: ['Encounter/2', 'Encounter/1', 'Encounter/2', 'Encounter/99'],
        }),
      ),
    ).toEqual(['Encounter/1', 'Encounter/2']);
    expect(
      await encounters(
        ledger.listItems({ encounters: ['Encounter/1', 'Encounter/2'], stages: ['held'] }),
      ),
    ).toEqual(['Encounter/1']);
    expect(await encounters(ledger.listItems({ patients: ['Patient/a', 'Patient/zz'] }))).toEqual([
      'Encounter/1',
      'Encounter/3',
    ]);
    expect(
      await encounters(ledger.listItems({ patients: ['Patient/a'], stages: ['held'] })),
    ).toEqual(['Encounter/1']);
    expect(await ledger.listItems({ encounters: [] })).toEqual([]);
  });

  it('hands out copies, so callers cannot change its state behind its back', async () => {
    const ledger = await open();
    await ledger.putItem(item(1));
    const copy = await ledger.getItem('Encounter/1');
    if (copy) copy.stage = 'answered';
    expect((await ledger.getItem('Encounter/1'))?.stage).toBe('held');
  });

  it('never moves the cursor backwards', async () => {
    const ledger = await open();
    await ledger.setCursor('c', '2026-03-01T10:00:00.000Z');
    await ledger.setCursor('c', '2026-03-01T09:00:00.000Z');
    expect(await ledger.getCursor('c')).toBe('2026-03-01T10:00:00.000Z');
  });

  it('gives a lease to one owner at a time, renews it for its holder and frees it on release', async () => {
    const ledger = await open();
    expect((await ledger.acquireLease('Encounter/1', 'a', 60_000)).acquired).toBe(true);
    expect((await ledger.acquireLease('Encounter/1', 'b', 60_000)).acquired).toBe(false);
    expect((await ledger.acquireLease('Encounter/1', 'a', 60_000)).acquired).toBe(true);
    expect(await ledger.renewLease('Encounter/1', 'a', 60_000)).toBe(true);
    expect(await ledger.renewLease('Encounter/1', 'b', 60_000)).toBe(false);
    await ledger.releaseLease('Encounter/1', 'b');
    expect((await ledger.acquireLease('Encounter/1', 'b', 60_000)).acquired).toBe(false);
    await ledger.releaseLease('Encounter/1', 'a');
    expect((await ledger.acquireLease('Encounter/1', 'b', 60_000)).acquired).toBe(true);
  });

  it('hands the item as it is now with the lease, so a worker sees what another did meanwhile', async () => {
    const ledger = await open();
    await ledger.putItem(item(1, { stage: 'answered', nextAttemptAt: undefined }));
    const lease = await ledger.acquireLease('Encounter/1', 'a', 60_000);
    expect(lease.item?.stage).toBe('answered');
    expect((await ledger.acquireLease('Encounter/2', 'a', 60_000)).item).toBeUndefined();
  });

  it('lets another owner take an expired lease, and lists an encounter whose worker died holding it as due', async () => {
    const ledger = await open();
    expect((await ledger.acquireLease('Encounter/5', 'dead', 150)).acquired).toBe(true);
    expect(await ledger.getItem('Encounter/5')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 400));
    const due = await ledger.listItems({ dueBy: new Date(Date.now() + 1000).toISOString() });
    expect(due.map((i) => [i.encounter, i.stage])).toEqual([['Encounter/5', 'pending']]);
    expect((await ledger.acquireLease('Encounter/5', 'alive', 60_000)).acquired).toBe(true);
    expect(await ledger.renewLease('Encounter/5', 'dead', 60_000)).toBe(false);
    await ledger.putItem(item(5, { stage: 'answered', nextAttemptAt: undefined }));
    await ledger.releaseLease('Encounter/5', 'alive');
    expect(await ledger.listItems({ dueBy: new Date(Date.now() + 1000).toISOString() })).toEqual(
      [],
    );
    expect(await ledger.countBacklog()).toBe(0);
  });
});

describe('postgres ledger', () => {
  it('gives each encounter to exactly one of many workers racing for it over separate connections', async () => {
    const pg = postgresLedgers();
    cleanups.push(pg.cleanup);
    const ledgers = await Promise.all([pg.open(), pg.open(), pg.open()]);
    const encounters = Array.from({ length: 20 }, (_, n) => `Encounter/${String(n)}`);
    const attempts = encounters.flatMap((e) =>
      ledgers.map((ledger, w) =>
        ledger
          .acquireLease(e, `worker-${String(w)}`, 60_000)
          .then((r) => (r.acquired ? e : undefined)),
      ),
    );
    const won = (await Promise.all(attempts)).filter((e): e is string => e !== undefined);
    expect(won.sort()).toEqual([...encounters].sort());
  });

  it('keeps the stage column to the declared stages, with one check however often it is opened', async () => {
    const pg = postgresLedgers();
    cleanups.push(pg.cleanup);
    await pg.open();
    await pg.open();
    const client = new Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ conname: string }>(
        `SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND conname LIKE 'ledger_items_stage%'`,
        [`"${pg.schema}".ledger_items`],
      );
      expect(rows).toHaveLength(1);
      await expect(
        client.query(
          `INSERT INTO "${pg.schema}".ledger_items (encounter, stage) VALUES ('Encounter/1', 'resubmitted')`,
        ),
      ).rejects.toThrow(/ledger_items_stage/);
    } finally {
      await client.end();
    }
  });

  it('creates its tables on start and keeps its state across a reopen', async () => {
    const pg = postgresLedgers();
    cleanups.push(pg.cleanup);
    const [first, second] = await Promise.all([pg.open(), pg.open()]);
    await first.putItem(item(3, { stage: 'submitted', claim: 'Claim/3', outbox: 'Claim/3' }));
    await first.setCursor('finished-encounters', '2026-03-01T10:00:00.000Z');
    const reopened = await pg.open();
    expect(await reopened.getItem('Encounter/3')).toMatchObject({
      stage: 'submitted',
      outbox: 'Claim/3',
    });
    expect(await second.getCursor('finished-encounters')).toBe('2026-03-01T10:00:00.000Z');
    expect(await reopened.countBacklog()).toBe(1);
  });
});

describe('file ledger', () => {
  it('survives a restart: a reopened ledger has the cursor and items', async () => {
    const path = await tempPath();
    const first = await openFileLedger(path);
    await first.setCursor('finished-encounters', '2026-03-01T10:00:00.000Z');
    await first.putItem(item(7, { stage: 'answered', claimResponse: 'ClaimResponse/3' }));
    await first.close();
    const reopened = await openFileLedger(path);
    expect(await reopened.getCursor('finished-encounters')).toBe('2026-03-01T10:00:00.000Z');
    expect(await reopened.getItem('Encounter/7')).toMatchObject({
      stage: 'answered',
      claimResponse: 'ClaimResponse/3',
    });
  });

  it('keeps every one of many concurrent changes, as one journal line each, with no temporary file left', async () => {
    const path = await tempPath();
    const ledger = await openFileLedger(path);
    await Promise.all(Array.from({ length: 50 }, (_, n) => ledger.putItem(item(n))));
    await ledger.close();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe('{"chartbill-ledger":2}');
    expect(
      lines
        .slice(1)
        .map((l) => (JSON.parse(l) as { item: LedgerItem }).item.encounter)
        .sort(),
    ).toEqual(Array.from({ length: 50 }, (_, n) => `Encounter/${String(n)}`).sort());
    expect((await readdir(join(path, '..'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await (await openFileLedger(path)).listItems()).toHaveLength(50);
  });

  it('writes changes made at once in the order they were made: the later change to an item wins after a restart', async () => {
    const path = await tempPath();
    const ledger = await openFileLedger(path);
    await Promise.all([
      ledger.putItem(item(1, { stage: 'failed' })),
      ledger.putItem(item(2)),
      ledger.putItem(item(1, { stage: 'submitting' })),
      ledger.putItem(item(1, { stage: 'answered' })),
    ]);
    await ledger.close();
    expect(await (await openFileLedger(path)).getItem('Encounter/1')).toMatchObject({
      stage: 'answered',
    });
  });

  it('drops a last line torn by a crash (never acknowledged) and keeps working after it', async () => {
    const path = await tempPath();
    const first = await openFileLedger(path);
    await first.putItem(item(1, { stage: 'answered' }));
    await first.close();
    await writeFile(
      path,
      `${await readFile(path, 'utf8')}{"item":{"encounter":"Encounter/2","sta`,
      'utf8',
    );
    const reopened = await openFileLedger(path);
    expect((await reopened.listItems()).map((i) => i.encounter)).toEqual(['Encounter/1']);
    await reopened.putItem(item(3));
    await reopened.close();
    expect((await (await openFileLedger(path)).listItems()).map((i) => i.encounter).sort()).toEqual(
      ['Encounter/1', 'Encounter/3'],
    );
  });

  it('rewrites a journal of mostly superseded lines as a snapshot, losing no change', async () => {
    const path = await tempPath();
    const ledger = await openFileLedger(path, { compactAfterLines: 40 });
    for (let round = 0; round < 30; round++) {
      for (let n = 0; n < 3; n++) await ledger.putItem(item(n, { attempts: round }));
    }
    await ledger.setCursor('finished-encounters', '2026-03-01T10:00:00.000Z');
    await ledger.close();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines.length).toBeLessThan(45);
    const reopened = await openFileLedger(path);
    expect((await reopened.listItems()).map((i) => i.attempts)).toEqual([29, 29, 29]);
    expect(await reopened.getCursor('finished-encounters')).toBe('2026-03-01T10:00:00.000Z');
  });

  it('reads a ledger in the older one-document format and carries on in the journal format', async () => {
    const path = await tempPath();
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(
      path,
      JSON.stringify({
        version: 1,
        cursors: { 'finished-encounters': '2026-03-01T10:00:00.000Z' },
        items: { 'Encounter/4': item(4, { stage: 'held', reason: 'no-coverage' }) },
      }),
      'utf8',
    );
    const ledger = await openFileLedger(path);
    expect(await ledger.getItem('Encounter/4')).toMatchObject({
      stage: 'held',
      reason: 'no-coverage',
    });
    await ledger.putItem(item(5));
    await ledger.close();
    expect((await readFile(path, 'utf8')).startsWith('{"chartbill-ledger":2}\n')).toBe(true);
    expect((await (await openFileLedger(path)).listItems()).map((i) => i.encounter).sort()).toEqual(
      ['Encounter/4', 'Encounter/5'],
    );
  });

  it('recovers a journal torn in the middle up to the damaged line, moves the rest aside and reports it', async () => {
    const path = await tempPath();
    const first = await openFileLedger(path);
    await first.setCursor('c', '2026-03-01T10:00:00.000Z');
    await first.putItem(item(1, { stage: 'answered' }));
    await first.close();
    // A write cut short by a full disk, then the next change appended onto it, then one more.
    const rest = `{"item":{"encounter":"Encounter/2","sta${JSON.stringify({ item: item(3) })}\n${JSON.stringify({ item: item(4) })}\n`;
    await writeFile(path, `${await readFile(path, 'utf8')}${rest}`, 'utf8');
    const recovered = await openFileLedger(path);
    expect((await recovered.listItems()).map((i) => i.encounter)).toEqual(['Encounter/1']);
    expect(await recovered.getCursor('c')).toBe('2026-03-01T10:00:00.000Z');
    const quarantine = recovered.health?.().quarantine;
    expect(quarantine).toMatchObject({ line: 4, lines: 2 });
    expect(await readFile(quarantine?.file ?? '', 'utf8')).toBe(rest);
    await recovered.putItem(item(5));
    await recovered.close();
    const reopened = await openFileLedger(path);
    expect((await reopened.listItems()).map((i) => i.encounter).sort()).toEqual([
      'Encounter/1',
      'Encounter/5',
    ]);
    expect(reopened.health?.().quarantine).toBeUndefined();
    // An entry of an unexpected shape is damage too: recovered up to it, never a refusal to start.
    await writeFile(
      path,
      '{"chartbill-ledger":2}\n{"item":{"encounter":"Encounter/1","stage":"sideways"}}\n',
      'utf8',
    );
    expect((await openFileLedger(path)).health?.().quarantine).toMatchObject({ line: 2, lines: 1 });
  });

  it('refuses to start on a ledger in the older one-document format that does not parse', async () => {
    const path = await tempPath();
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, '{"version":1,"cursors":{', 'utf8');
    await expect(openFileLedger(path)).rejects.toSatisfy(
      (err: unknown) => isAppError(err, 'CONFIG_INVALID') && err.message.includes('not valid JSON'),
    );
    await writeFile(
      path,
      JSON.stringify({ version: 1, cursors: {}, items: { a: { stage: 'sideways' } } }),
      'utf8',
    );
    await expect(openFileLedger(path)).rejects.toSatisfy((err: unknown) =>
      isAppError(err, 'CONFIG_INVALID'),
    );
  });

  it('finishes short writes, so every change lands whole', async () => {
    const path = await tempPath();
    const disk = fullDisk();
    disk.maxChunk = 7;
    const ledger = await openFileLedger(path, { fs: disk.fs });
    await Promise.all(Array.from({ length: 20 }, (_, n) => ledger.putItem(item(n))));
    await ledger.close();
    expect(disk.short).toBeGreaterThan(0);
    const reopened = await openFileLedger(path);
    expect(await reopened.listItems()).toHaveLength(20);
    expect(reopened.health?.().quarantine).toBeUndefined();
  });

  it('refuses a write the disk has no room for, leaving the file and memory as they were, until space comes back', async () => {
    const path = await tempPath();
    const disk = fullDisk();
    const ledger = await openFileLedger(path, { fs: disk.fs });
    await ledger.putItem(item(1));
    const before = await readFile(path, 'utf8');
    disk.room = 10;
    await expect(ledger.putItem(item(2))).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(ledger.setCursor('c', '2026-03-01T10:00:00.000Z')).rejects.toMatchObject({
      code: 'ENOSPC',
    });
    expect(disk.short).toBe(1);
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(await ledger.getItem('Encounter/2')).toBeUndefined();
    expect(await ledger.getCursor('c')).toBeUndefined();
    expect(ledger.health?.()).toMatchObject({
      writable: false,
      error: expect.stringContaining('ENOSPC') as unknown,
    });
    // No new work while nothing can be recorded.
    await expect(ledger.acquireLease('Encounter/3', 'w', 60_000)).rejects.toSatisfy(
      (err: unknown) => isAppError(err, 'LEDGER_UNAVAILABLE'),
    );
    await expect(ledger.ensureWritable?.()).rejects.toSatisfy((err: unknown) =>
      isAppError(err, 'LEDGER_UNAVAILABLE'),
    );
    disk.room = Number.POSITIVE_INFINITY;
    await ledger.ensureWritable?.();
    expect(ledger.health?.()).toEqual({ writable: true });
    expect(await readFile(path, 'utf8')).toBe(before);
    await ledger.putItem(item(2));
    expect((await ledger.acquireLease('Encounter/3', 'w', 60_000)).acquired).toBe(true);
    await ledger.close();
    const reopened = await openFileLedger(path);
    expect((await reopened.listItems()).map((i) => i.encounter)).toEqual([
      'Encounter/1',
      'Encounter/2',
    ]);
    expect(reopened.health?.().quarantine).toBeUndefined();
  });
});

describe('ledger rules', () => {
  it('treats only answered items as final: a given-up item is tried again later', () => {
    expect(isFinal(item(1, { stage: 'answered' }))).toBe(true);
    expect(isFinal(item(1, { stage: 'gave-up' }))).toBe(false);
    expect(isFinal(item(1, { stage: 'held' }))).toBe(false);
    expect(isFinal(item(1, { stage: 'submitted' }))).toBe(false);
    expect(isFinal(undefined)).toBe(false);
  });

  it('backs off retries exponentially from 30 seconds up to an hour', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(retryDelayMs(20)).toBe(3_600_000);
  });

  it('rechecks a held item less often each time it is still held, at least once a day', () => {
    // 15 min, 1 h, 4 h, 16 h, then daily: five checks on the first day, not 96.
    expect([0, 1, 2, 3, 4, 5].map((n) => recheckDelayMs(15 * 60_000, n) / 60_000)).toEqual([
      15, 60, 240, 960, 1440, 1440,
    ]);
    expect(recheckDelayMs(15 * 60_000, 50)).toBe(86_400_000);
    // The cap is a setting (CHARTBILL_WORKER_RECHECK_MAX_HOURS).
    expect(recheckDelayMs(15 * 60_000, 50, 6 * 3_600_000)).toBe(6 * 3_600_000);
  });
});
