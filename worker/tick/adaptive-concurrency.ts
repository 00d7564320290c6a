/**
 * How many encounters the worker keeps in flight, found as TCP finds its congestion window
 * (RFC 5681: slow start, then additive increase, multiplicative decrease): from 1, doubling while
 * the server answers well, then one more per window of good answers, up to the configured
 * ceiling; halved when the server pushes back (a 429, a serialization conflict, a 503, no answer
 * in time); held while its latency has grown well past what it was unloaded.
 */
export interface AdaptiveConcurrency {
  /** `CHARTBILL_WORKER_CONCURRENCY`: never more in flight than this. */
  readonly ceiling: number;
  /** The level now (1 … ceiling). */
  current(): number;
  /** Waits for a place under the current level; call the returned function when done. */
  acquire(): Promise<() => void>;
  /**
   * One exchange with the server: how long it took, and whether the server pushed back; a
   * `mild` pushback (a serialization conflict, retried at once) cuts the level by a quarter,
   * an overload (429, 503, no answer) by half.
   */
  observe(sample: { ms: number; pushback: boolean; mild?: boolean }): void;
}

export interface AdaptiveConcurrencyOptions {
  ceiling: number;
  /** Where the level starts; 1 by default (slow start finds the ceiling within a few windows). */
  initial?: number;
  /**
   * Latency (smoothed) past this many times the unloaded latency stops the level growing: the
   * server is queueing requests, and more in flight would only lengthen its queue.
   */
  latencyTolerance?: number;
  /** Told when the level changes (logs). */
  onChange?: (level: number, why: 'pushback' | 'growth') => void;
}

/** A fixed level: no adaptation (tests and tools that want exactly `n` in flight). */
export function fixedConcurrency(n: number): AdaptiveConcurrency {
  const adaptive = adaptiveConcurrency({ ceiling: n, initial: n });
  return { ...adaptive, observe: () => undefined };
}

export function adaptiveConcurrency(options: AdaptiveConcurrencyOptions): AdaptiveConcurrency {
  const ceiling = Math.max(1, Math.floor(options.ceiling));
  const tolerance = options.latencyTolerance ?? 4;
  let window = Math.min(ceiling, Math.max(1, options.initial ?? 1));
  let slowStart = window < ceiling;
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  // Good answers since the last cut: a second cut waits for one window of them, so one burst
  // of 429s (every lane hit the same quota) halves the level once, not once per lane.
  let sinceCut = Number.POSITIVE_INFINITY;
  let smoothed: number | undefined;
  let unloaded: number | undefined;
  const level = () => Math.max(1, Math.floor(window));

  function wake(): void {
    while (waiting.length > 0 && inFlight < level()) {
      inFlight += 1;
      waiting.shift()?.();
    }
  }

  function release(): void {
    inFlight -= 1;
    wake();
  }

  function change(next: number, why: 'pushback' | 'growth'): void {
    const before = level();
    window = Math.min(ceiling, Math.max(1, next));
    if (level() !== before) options.onChange?.(level(), why);
    wake();
  }

  return {
    ceiling,
    current: level,
    acquire() {
      if (inFlight < level()) {
        inFlight += 1;
        return Promise.resolve(onlyOnce(release));
      }
      return new Promise((resolve) => {
        waiting.push(() => resolve(onlyOnce(release)));
      });
    },
    observe({ ms, pushback, mild }) {
      if (pushback) {
        slowStart = false;
        if (sinceCut >= level()) {
          sinceCut = 0;
          change(mild ? window * 0.75 : window / 2, 'pushback');
        }
        return;
      }
      sinceCut += 1;
      smoothed = smoothed === undefined ? ms : 0.9 * smoothed + 0.1 * ms;
      // The unloaded latency: the lowest smoothed latency seen, let drift up slowly so that a
      // server that became slower for good is measured afresh.
      unloaded = unloaded === undefined ? smoothed : Math.min(unloaded * 1.001, smoothed);
      if (smoothed > tolerance * Math.max(unloaded, 1)) {
        slowStart = false;
        return;
      }
      if (window >= ceiling) return;
      change(slowStart ? window + 1 : window + 1 / window, 'growth');
    },
  };
}

function onlyOnce(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
