import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY,
  QUOTA_WINDOW_MS,
  retryDecision,
  type RetryCounts,
} from '../../src/http/retry-policy.ts';

const fresh = (): RetryCounts => ({ attempts: 1, conflicts: 0, quotaWaits: 0 });
const outcome = (text: string, where: 'diagnostics' | 'details' = 'diagnostics') => ({
  resourceType: 'OperationOutcome',
  issue: [
    {
      severity: 'error',
      code: 'conflict',
      ...(where === 'diagnostics' ? { diagnostics: text } : { details: { text } }),
    },
  ],
});
const conditional = { repeatable: true, conditionalCreate: true };
const plainCreate = { repeatable: false, conditionalCreate: false };
const read = { repeatable: true, conditionalCreate: false };

describe('the retry decision', () => {
  it('sends a conditional create that met a 409 or 412 again at once, a few times', () => {
    for (const status of [409, 412]) {
      const decision = retryDecision({ status }, conditional, fresh(), DEFAULT_RETRY, () => 0.5);
      expect(decision).toMatchObject({ retry: true, reason: 'serialization-conflict' });
      expect(decision.retry && decision.delayMs).toBeLessThan(50);
    }
    const spent = { ...fresh(), conflicts: DEFAULT_RETRY.conflictRetries ?? 0 };
    expect(retryDecision({ status: 409 }, conditional, spent, DEFAULT_RETRY, Math.random)).toEqual({
      retry: false,
    });
  });

  it('repeats an update whose 409 says "could not serialize access", never a plain create or another 409', () => {
    const pg = outcome('could not serialize access due to concurrent update', 'details');
    expect(
      retryDecision({ status: 409, body: pg }, read, fresh(), DEFAULT_RETRY, Math.random),
    ).toMatchObject({ retry: true, reason: 'serialization-conflict' });
    expect(
      retryDecision({ status: 409, body: pg }, plainCreate, fresh(), DEFAULT_RETRY, Math.random),
    ).toEqual({ retry: false });
    expect(
      retryDecision(
        { status: 409, body: outcome('version conflict') },
        read,
        fresh(),
        DEFAULT_RETRY,
        Math.random,
      ),
    ).toEqual({ retry: false });
  });

  it('waits a whole per-minute quota window after a 429 with no Retry-After and no wait named', () => {
    const decision = retryDecision(
      { status: 429, body: outcome('Too Many Requests') },
      plainCreate,
      fresh(),
      DEFAULT_RETRY,
      () => 0,
    );
    expect(decision).toMatchObject({ retry: true, reason: 'quota', detail: 'quota-window' });
    expect(decision.retry && decision.delayMs).toBeGreaterThanOrEqual(QUOTA_WINDOW_MS);
  });

  it("waits what Medplum's 429 names in its diagnostics (msBeforeNext), then gives up after its quota retries", () => {
    const body = outcome(JSON.stringify({ remainingPoints: 0, msBeforeNext: 12_345, limit: 50 }));
    const decision = retryDecision({ status: 429, body }, read, fresh(), DEFAULT_RETRY, () => 0);
    expect(decision).toMatchObject({ retry: true, reason: 'quota', detail: 'outcome' });
    expect(decision.retry && decision.delayMs).toBeGreaterThanOrEqual(12_345);
    expect(decision.retry && decision.delayMs).toBeLessThan(QUOTA_WINDOW_MS);
    const spent = { ...fresh(), quotaWaits: DEFAULT_RETRY.quotaRetries ?? 0 };
    expect(retryDecision({ status: 429, body }, read, spent, DEFAULT_RETRY, () => 0)).toEqual({
      retry: false,
    });
  });
});
