import type { AuditEvent, Bundle } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { createAuditSink } from '../../src/audit/audit-sink.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createLogger } from '../../src/log/create-logger.ts';

const event = (n: number): AuditEvent => ({
  resourceType: 'AuditEvent',
  id: `e${String(n)}`,
  type: { code: 'rest' },
  recorded: '2026-03-02T10:00:00Z',
  agent: [{ requestor: true }],
  source: { observer: { display: 'worker' } },
});

/** An audit store whose batches are answered only when the test lets them go. */
function slowStore() {
  const sent: number[] = [];
  const waiting: (() => void)[] = [];
  const store = {
    baseUrl: 'http://ehr.test/fhir',
    batch(bundle: Bundle): Promise<Bundle> {
      sent.push(bundle.entry?.length ?? 0);
      return new Promise((resolve) => {
        waiting.push(() => {
          resolve({
            resourceType: 'Bundle',
            type: 'batch-response',
            entry: (bundle.entry ?? []).map(() => ({ response: { status: '201 Created' } })),
          });
        });
      });
    },
  } as unknown as FhirGateway;
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  /** Waits for the sink to send its `count`th batch. */
  const sentCount = async (count: number) => {
    while (sent.length < count) await turn();
  };
  /** Answers every batch sent until `flushed` is done. */
  const answerUntil = async (flushed: Promise<void>) => {
    const state = { done: false };
    void flushed.then(() => {
      state.done = true;
    });
    while (!state.done) {
      waiting.shift()?.();
      await turn();
    }
  };
  return { store, sent, sentCount, answerUntil };
}

describe("the worker's audit batches", () => {
  it(
    'go out full while the worker is busy, and the rest at the end of the tick: nothing is lost',
    { timeout: 10_000 },
    async () => {
      const { store, sent, sentCount, answerUntil } = slowStore();
      const sink = createAuditSink({
        store,
        logger: createLogger('silent', 'test'),
        batchSize: 10,
        flushBy: 'caller',
      });
      let n = 0;
      sink.record(Array.from({ length: 10 }, () => event(n++)));
      expect(sink.due()).toBe(true);
      const first = sink.flushFull();
      await sentCount(1);
      // Records keep coming while the first batch is in flight (other encounters in other lanes).
      for (let i = 0; i < 13; i++) sink.record([event(n++)]);
      await answerUntil(first);
      // A whole batch of them goes out; the 3 left over wait for more instead of going out alone.
      expect(sent).toEqual([10, 10]);
      expect(sink.due()).toBe(false);
      // The end of the tick sends what is left.
      await answerUntil(sink.flush());
      expect(sent).toEqual([10, 10, 3]);
      expect(sent.reduce((a, b) => a + b, 0)).toBe(n);
    },
  );
});
