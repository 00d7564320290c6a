import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chargesCommand } from '../../cli/charges-command.ts';
import { chargeFor } from '../../src/pricing/charge-master.ts';
import { loadChargeMaster } from '../../src/pricing/charge-master-store.ts';

afterEach(() => vi.restoreAllMocks());

async function fixture(csv: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-charges-'));
  const file = join(dir, 'charge-master.csv');
  await writeFile(file, csv);
  return { dir, file };
}

describe('chartbill charges import', () => {
  it('stores the practice’s prices by code, modifier and dates, and the worker’s loader reads them', async () => {
    const { dir, file } = await fixture(
      'code,modifier,price,effective_from,effective_to,description\n' +
        '99213,,185.00,2026-01-01,,"Office visit, est. 3"\n' +
        '71046,26,"$1,040.50",2026-01-01,2026-12-31,\n' +
        '99213,,170,2025-01-01,2025-12-31,\n',
    );
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await chargesCommand(['import', file, '--data-dir', dir])).toBe(0);
    expect(log.mock.calls[0]?.[0]).toContain('3 prices for 2 codes');
    const master = await loadChargeMaster(dir);
    if (!master) throw new Error('not stored');
    expect(chargeFor(master, '99213', [], '2026-03-02')).toBe(185);
    expect(chargeFor(master, '99213', [], '2025-06-01')).toBe(170);
    expect(chargeFor(master, '71046', ['26'], '2026-03-02')).toBe(1040.5);
    expect(chargeFor(master, '71046', [], '2026-03-02')).toBeUndefined();
    expect(chargeFor(master, '99214', [], '2026-03-02')).toBeUndefined();
  });

  it('refuses a bad row with its line and stores nothing', async () => {
    const { dir, file } = await fixture('code,price\n99213,185\n99214,\n');
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await chargesCommand(['import', file, '--data-dir', dir])).toBe(1);
    expect(err.mock.calls[0]?.[0]).toContain('charge-master.csv line 3: 99214 has no valid price');
    expect(await loadChargeMaster(dir)).toBeUndefined();
    await expect(readFile(join(dir, 'charges', 'charge-master.json'))).rejects.toThrow();
  });

  it('refuses overlapping prices for one code and a file without the price column', async () => {
    const overlap = await fixture(
      'code,price,effective_from\n99213,185,2026-01-01\n99213,190,2026-06-01\n',
    );
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await chargesCommand(['import', overlap.file, '--data-dir', overlap.dir])).toBe(1);
    expect(err.mock.calls[0]?.[0]).toContain('line 3: 99213 is priced twice');
    const noPrice = await fixture('code,amount_due\n99213,185\n');
    expect(await chargesCommand(['import', noPrice.file, '--data-dir', noPrice.dir])).toBe(1);
    expect(err.mock.calls[1]?.[0]).toContain(
      'line 1: the header must name the columns code and price',
    );
  });
});
