import { describe, expect, it } from 'vitest';
import {
  createInterchangeGuard,
  releaseInterchangeHold,
  type GuardCursors,
} from '../../src/x12/interchange-guard.ts';
import { testX12Config } from './x12-fixtures.ts';

const HOUR = 3_600_000;
const T0 = new Date('2026-03-02T10:00:00Z');
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);
const ta1 = (control: number) => ({ control, note: '008', noteText: 'receiver id invalid' });

function cursors(): GuardCursors {
  const map = new Map<string, string>();
  return {
    getCursor: (name) => Promise.resolve(map.get(name)),
    setCursor: (name, value) => (map.set(name, value), Promise.resolve()),
  };
}

const guardOver = (store: GuardCursors, settings: Record<string, string> = {}) =>
  createInterchangeGuard({
    cursors: store,
    config: testX12Config(settings),
    transport: 'sftp://clearinghouse/send',
    retryMs: HOUR,
  });

describe('the TA1 guard', () => {
  it('lets the first rejection go again once after the back-off and holds at the second, counting a TA1 read twice once', async () => {
    const guard = guardOver(cursors());
    expect(await guard.maySend(T0)).toEqual({ send: true });
    expect(await guard.rejected(ta1(1), T0)).toMatchObject({ kind: 'retry' });
    expect(await guard.rejected(ta1(1), T0)).toEqual({ kind: 'seen' });
    expect(await guard.maySend(at(0.5))).toMatchObject({ send: false, held: false });
    expect(await guard.maySend(at(1))).toEqual({ send: true });
    expect(await guard.rejected(ta1(2), at(1))).toMatchObject({ kind: 'held', first: true });
    const held = await guard.maySend(at(100));
    expect(held).toMatchObject({ send: false, held: true });
    expect(guard.check('008')).toMatch(/CHARTBILL_X12_RECEIVER_ID CLEARHOUSE/);
  });

  it('ends a hold when an interchange is accepted, so a later TA1 starts again at one', async () => {
    const store = cursors();
    const guard = guardOver(store);
    await guard.rejected(ta1(1), T0);
    await guard.rejected(ta1(2), T0);
    expect(await guard.accepted()).toEqual([T0.toISOString()]);
    expect(await guard.maySend(T0)).toEqual({ send: true });
    expect(await guard.accepted()).toEqual([]);
    expect(await guard.rejected(ta1(3), at(5))).toMatchObject({ kind: 'retry' });
  });

  it('lets claims go when the interchange settings change, and an admin release holds again at the next TA1 under the same hold', async () => {
    const store = cursors();
    const guard = guardOver(store);
    await guard.rejected(ta1(1), T0);
    await guard.rejected(ta1(2), T0);
    const fixed = guardOver(store, { CHARTBILL_X12_RECEIVER_ID: 'SBXCLEARING' });
    expect(fixed.fingerprint).not.toBe(guard.fingerprint);
    expect(await fixed.maySend(T0)).toEqual({ send: true });

    expect(await releaseInterchangeHold(store, at(2))).toBeDefined();
    expect(await guard.maySend(at(2))).toEqual({ send: true });
    expect(await guard.rejected(ta1(3), at(2))).toMatchObject({ kind: 'held', first: false });
    expect(await guard.maySend(at(3))).toMatchObject({ send: false, held: true });
  });
});
