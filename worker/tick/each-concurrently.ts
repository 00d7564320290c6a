/** Admits work one item at a time: `acquire` resolves with the function that gives the place back. */
export interface Gate {
  acquire(): Promise<() => void>;
}

/**
 * Runs `fn` over the items with at most `limit` at once, in order of start; with a `gate`
 * (adaptive concurrency), each item also waits for a place under the gate's level. Resolves
 * only when every lane has stopped, even when one fails (a lane that fails stops taking items;
 * the others go on): a caller never moves on while work it started is still running. Rejects
 * with the first failure, if any.
 */
export async function eachConcurrently<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
  gate?: Gate,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const release = gate ? await gate.acquire() : undefined;
      try {
        if (next >= items.length) return;
        const item = items[next++] as T;
        await fn(item);
      } finally {
        release?.();
      }
    }
  };
  const lanes = await Promise.allSettled(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane),
  );
  const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failed) throw failed.reason;
}
