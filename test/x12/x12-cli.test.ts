import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.ts';
import { x12Command } from '../../cli/x12-command.ts';
import { INBOUND_RETRY_CURSOR } from '../../worker/pipeline/stages/read-inbound.ts';
import { openLedger } from '../../worker/runtime/open-ledger.ts';
import { createInterchangeGuard } from '../../src/x12/interchange-guard.ts';
import { testX12Config } from './x12-fixtures.ts';

const DIR = new URL('../../../shared/data/x12/835/', import.meta.url).pathname;
let out: string[] = [];
let err: string[] = [];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('chartbill x12 read', () => {
  it('shows an ERA as a biller reads it: who paid what and why each adjustment', async () => {
    expect(await main(['x12', 'read', `${DIR}medicare-part-a.835`])).toBe(0);
    const text = out.join('\n');
    expect(text).toContain(
      'EFT (automated clearing house) 150000.00 on 2002-09-13, trace 12345; 2 claims.',
    );
    expect(text).toContain('Provider adjustment CV (CP): 1.27 — capital passthru');
    expect(text).toContain(
      'Balance: claims paid 149998.73 less provider adjustments -1.27 = payment 150000.00.',
    );
  });

  it('refuses a damaged file in words, naming the segment, with exit code 1', async () => {
    expect(await main(['x12', 'read', `${DIR}nevada_medicaid.835`])).toBe(1);
    expect(err.join('\n')).toMatch(
      /chartbill x12: The ISA is 72 characters long; .*\(segment 1 \(ISA\) at character 0\)/,
    );
  });

  it('reads the same file with --lenient, saying what it accepted', async () => {
    expect(await main(['x12', 'read', '--lenient', `${DIR}nevada_medicaid.835`])).toBe(0);
    expect(out.join('\n')).toMatch(/Warning: IEA02 '100000301' does not match ISA13 '100000300'/);
    expect(out.join('\n')).toMatch(/denied; billed 72232.00, paid 0.00/);
  });
});

describe('chartbill x12 inbound retry', () => {
  it('asks the worker, through its ledger, to read its held files again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-x12-retry-'));
    try {
      const ledgerPath = join(dir, 'ledger.json');
      const code = await x12Command(['inbound', 'retry'], { CHARTBILL_LEDGER_PATH: ledgerPath });
      expect(code).toBe(0);
      expect(out.join('\n')).toMatch(/read again on the worker's next read/);
      const ledger = await openLedger({
        ledgerPath,
        ledgerUrl: undefined,
        ledgerSchema: 'chartbill',
      });
      try {
        expect(await ledger.getCursor(INBOUND_RETRY_CURSOR)).toBeDefined();
      } finally {
        await ledger.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('chartbill x12 interchange release', () => {
  it('releases claims held after TA1 rejections, through the worker ledger, and says when nothing is held', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-x12-release-'));
    try {
      const ledgerPath = join(dir, 'ledger.json');
      const env = { CHARTBILL_LEDGER_PATH: ledgerPath };
      expect(await x12Command(['interchange', 'release'], env)).toBe(0);
      expect(out.join('\n')).toMatch(/No claims are held/);
      const open = () =>
        openLedger({ ledgerPath, ledgerUrl: undefined, ledgerSchema: 'chartbill' });
      const ledger = await open();
      const guard = createInterchangeGuard({
        cursors: ledger,
        config: testX12Config(),
        transport: 'test',
      });
      const at = new Date('2026-03-02T10:00:00Z');
      await guard.rejected({ control: 1, note: '024', noteText: 'invalid' }, at);
      await guard.rejected({ control: 2, note: '024', noteText: 'invalid' }, at);
      expect(await guard.maySend(at)).toMatchObject({ send: false, held: true });
      await ledger.close();

      expect(await x12Command(['interchange', 'release'], env)).toBe(0);
      expect(out.join('\n')).toMatch(
        /Released: the claims held since 2026-03-02T10:00:00.000Z \(TA1 note 024/,
      );
      const after = await open();
      try {
        const fresh = createInterchangeGuard({
          cursors: after,
          config: testX12Config(),
          transport: 'test',
        });
        expect(await fresh.maySend(at)).toEqual({ send: true });
      } finally {
        await after.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
