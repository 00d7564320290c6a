/**
 * Idle, the worker need not ask the server every tick: each poll that finds nothing doubles the
 * wait before the next (from `firstMs` up to `maxMs`); a poll that finds work, or a `wake` (an
 * admin's tick, a notification), resets it. Due retries wait at most `maxMs` longer.
 */
export interface IdleBackoff {
  /** Whether a scheduled tick should poll the server now. */
  due(): boolean;
  /** A poll finished: `changed` when it found anything to do (or failed as a whole). */
  polled(changed: boolean): void;
  /** Poll at the next tick. */
  wake(): void;
  /** Polls in a row that found nothing. */
  idlePolls(): number;
}

export function createIdleBackoff(options: {
  /** 0 turns the backoff off: every tick polls. */
  maxMs: number;
  /** Milliseconds on a monotonic clock. */
  now: () => number;
  firstMs?: number;
}): IdleBackoff {
  const firstMs = options.firstMs ?? 1000;
  let idle = 0;
  let nextAt = 0;
  return {
    due: () => options.maxMs <= 0 || idle === 0 || options.now() >= nextAt,
    polled(changed) {
      idle = changed ? 0 : idle + 1;
      const wait = idle === 0 ? 0 : Math.min(options.maxMs, firstMs * 2 ** (idle - 1));
      nextAt = options.now() + wait;
    },
    wake() {
      idle = 0;
      nextAt = 0;
    },
    idlePolls: () => idle,
  };
}
