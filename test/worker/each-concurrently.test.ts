import { describe, expect, it } from 'vitest';
import { eachConcurrently } from '../../worker/tick/each-concurrently.ts';

describe('eachConcurrently', () => {
  it('settles only when every lane has stopped, even when one lane fails early', async () => {
    const finished: number[] = [];
    let releaseSlow: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    let settled = false;
    const run = eachConcurrently([0, 1, 2, 3], 2, async (n) => {
      if (n === 0) {
        await slow;
        finished.push(n);
        return;
      }
      if (n === 1) throw new Error('lane failed');
      finished.push(n);
    }).finally(() => {
      settled = true;
    });
    // The failing lane stops; the others go on. Until the slow item ends, nothing is settled.
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    releaseSlow();
    await expect(run).rejects.toThrow('lane failed');
    expect(finished.sort()).toEqual([0, 2, 3]);
  });
});
