import { describe, expect, it } from 'vitest';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import type { SubscriptionState } from '../../worker/runtime/fhir-subscriptions.ts';
import { subscriptionWatch } from '../../worker/runtime/subscription-watch.ts';

const HOUR = 3_600_000;
const fhir = {} as FhirGateway;

/** A watch over a keeper that answers `repaired` in turn, on a clock the test moves. */
function watched(repairs: number[]) {
  let now = 0;
  const checks: number[] = [];
  const warnings: string[] = [];
  const logger = createLogger('warn', 'watch-test', {
    write: (line: string) => {
      warnings.push(String((JSON.parse(line) as { msg?: unknown }).msg));
    },
  });
  const watch = subscriptionWatch({
    keeper: {
      everyMs: HOUR,
      ensure: () => {
        checks.push(now);
        const repaired = repairs.shift() ?? 0;
        return Promise.resolve({
          state: 'active',
          reason: '',
          ids: ['a'],
          repaired,
        } satisfies SubscriptionState);
      },
    },
    clock: () => now,
    logger,
  });
  return {
    watch,
    checks,
    warnings,
    at: (ms: number) => {
      now = ms;
    },
  };
}

describe('when the worker checks its Subscriptions again', () => {
  it('hourly while all is quiet, not on every tick', async () => {
    const w = watched([5]);
    await w.watch.check(fhir);
    for (const t of [1_000, 60_000, HOUR - 1]) {
      w.at(t);
      await w.watch.afterTick(fhir, { seen: 0 });
    }
    expect(w.checks).toEqual([0]);
    w.at(HOUR);
    await w.watch.afterTick(fhir, { seen: 0 });
    expect(w.checks).toEqual([0, HOUR]);
  });

  it('at once when polling finds changes no notification announced, and logs a repair once', async () => {
    const w = watched([5, 2, 0, 1]);
    await w.watch.check(fhir);
    w.at(1_000);
    await w.watch.afterTick(fhir, { seen: 0 });
    // Announced: a notification came since the last tick.
    w.at(2_000);
    w.watch.notified();
    w.at(3_000);
    await w.watch.afterTick(fhir, { seen: 1 });
    expect(w.checks).toEqual([0]);
    // Not announced: checked, repaired, said once.
    w.at(4_000);
    await w.watch.afterTick(fhir, { seen: 1 });
    expect(w.checks).toEqual([0, 4_000]);
    expect(w.warnings.filter((m) => /were off/.test(m))).toHaveLength(1);
    // Nothing to fix next time: the next suspicious check waits a minute.
    w.at(5_000);
    await w.watch.afterTick(fhir, { seen: 1 });
    w.at(6_000);
    await w.watch.afterTick(fhir, { seen: 1 });
    expect(w.checks).toEqual([0, 4_000, 5_000]);
    w.at(66_000);
    await w.watch.afterTick(fhir, { seen: 1 });
    expect(w.checks).toEqual([0, 4_000, 5_000, 66_000]);
    // A new outage after a clean check is said again.
    expect(w.warnings.filter((m) => /were off/.test(m))).toHaveLength(2);
  });
});
