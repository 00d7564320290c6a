import type { Claim, ClaimResponse, Task } from 'fhir/r4';
import { testWorker } from '../worker/test-worker.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { all, logger, startWorld, type World } from '../worker/worker-kit.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import { claimBundle, eligibilityBundle } from '../payer/payer-test-kit.ts';
import {
  faultsAtRates,
  seededRandom,
  startFaultProxy,
  type Fault,
  type FaultProxy,
} from './fault-proxy.ts';

let world: World | undefined;
const proxies: FaultProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await world?.close();
  world = undefined;
});

/** Small delays so the test is quick; the production defaults are in DEFAULT_RETRY. */
const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 40, timeoutMs: 400 };
const RATES = {
  'status-500': 0.04,
  'status-503': 0.04,
  'status-429': 0.02,
  slow: 0.03,
  'reset-before': 0.04,
  'reset-after': 0.04,
};

describe('worker under faults from the EHR and the payer', () => {
  it('retries 5xx, 429, timeouts and resets until every encounter has one claim, one adjudication and one final answer', async () => {
    world = await startWorld({ strict: true });
    const extra = await seedCodedEncounters(world.fhir, 15, 'faulty');
    const ehrProxy = await startFaultProxy({
      target: world.ehr.origin,
      choose: faultsAtRates(RATES, seededRandom(7)),
      slowMs: 700,
    });
    const payerProxy = await startFaultProxy({
      target: world.payer.url,
      choose: faultsAtRates(RATES, seededRandom(11)),
      slowMs: 700,
    });
    proxies.push(ehrProxy, payerProxy);
    const token = await world.ehr.issueSystemToken('system/*.cruds');
    const fhir = createFhirGateway({
      baseUrl: `${ehrProxy.origin}/fhir`,
      getToken: () => Promise.resolve(token),
      retry: FAST_RETRY,
    });
    const ledger = createMemoryLedger();
    const worker = testWorker(
      {
        CHARTBILL_WORKER_CONCURRENCY: '1',
        CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0',
        CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
        CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
        CHARTBILL_WORKER_MAX_ATTEMPTS: '100',
        CHARTBILL_WORKER_RETRY_BASE_SECONDS: '0.001',
      },
      {
        clinical: fhir,
        billing: fhir,
        ledger,
        logger,
        codes: starterCodeSet(),
        payer: createFhirPayerAdapter({ baseUrl: `${payerProxy.origin}/fhir`, retry: FAST_RETRY }),
      },
    );

    const submitted = [
      ...extra,
      ...SEED_SCENARIOS.clean,
      SEED_SCENARIOS.timelyFiling,
      SEED_SCENARIOS.notCovered,
    ];
    let tickErrors = 0;
    for (let tick = 0; tick < 60; tick++) {
      // As the scheduler does: a tick that fails as a whole is logged and the next one runs.
      await worker.tick().catch(() => {
        tickErrors += 1;
      });
      const answered = await ledger.listItems({ stages: ['answered'] });
      if (answered.length === submitted.length) break;
    }

    const counts = ehrProxy.counts();
    const payerCounts = payerProxy.counts();
    for (const fault of Object.keys(RATES) as Fault[])
      expect(counts[fault] + payerCounts[fault], fault).toBeGreaterThan(0);
    expect((await ledger.listItems({ stages: ['answered'] })).length).toBe(submitted.length);
    expect(await ledger.listItems({ stages: ['gave-up'] })).toEqual([]);

    const claims = await all<Claim>(world.fhir, 'Claim');
    const answers = await all<ClaimResponse>(world.fhir, 'ClaimResponse');
    const adjudicated = world.payer.audit().adjudicated;
    for (const id of submitted) {
      const mine = claims.filter((c) => c.identifier?.[0]?.value === `enc-${id}`);
      expect(mine, id).toHaveLength(1);
      expect(adjudicated[`${SYSTEM.claimId}|enc-${id}`], id).toBe(1);
      const final = answers.filter((r) => r.request?.reference === `Claim/${mine[0]?.id ?? ''}`);
      expect(
        final.map((r) => r.outcome === 'queued'),
        id,
      ).toEqual([false]);
    }
    expect(claims).toHaveLength(submitted.length);
    const tasks = await all<Task>(world.fhir, 'Task');
    const keys = tasks.map((t) => t.identifier?.[0]?.value);
    expect(new Set(keys).size).toBe(keys.length);
    expect(worker.metrics.status().ticks).toBeGreaterThan(tickErrors);
  }, 120_000);
});

describe('payer adapter retries', () => {
  it('backs off exponentially with jitter and never retries sooner than Retry-After', async () => {
    world = await startWorld({ strict: true });
    const plan: Fault[] = ['status-503', 'reset-before', 'status-500', 'status-429'];
    const proxy = await startFaultProxy({
      target: world.payer.url,
      choose: (n) => plan[n] ?? 'pass',
      retryAfterSeconds: 1,
    });
    proxies.push(proxy);
    const delays: number[] = [];
    const adapter = createFhirPayerAdapter({
      baseUrl: `${proxy.origin}/fhir`,
      retry: { attempts: 6, baseDelayMs: 100, maxDelayMs: 10_000, timeoutMs: 5000 },
      random: () => 0.5,
      onRetry: (info) => delays.push(info.delayMs),
    });
    const answer = await adapter.checkEligibility(eligibilityBundle());
    expect(answer.outcome).toBe('complete');
    // Full jitter at 0.5 of 100, 200, 400 ms; then the payer's Retry-After (1 s) wins.
    expect(delays).toEqual([50, 100, 200, 1000]);
    const [, , , limited, retried] = proxy.records;
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(990);
    expect(world.payer.audit().eligibilityChecks).toBe(1);
  });

  it('asks the payer before sending a claim again after a 5xx, and sends it once when the payer never got it', async () => {
    world = await startWorld({ strict: true });
    // The 503 comes from the proxy (the payer never saw the claim); the inquiry says so.
    const proxy = await startFaultProxy({
      target: world.payer.url,
      choose: (n) => (n === 0 ? 'status-503' : 'pass'),
    });
    proxies.push(proxy);
    const adapter = createFhirPayerAdapter({
      baseUrl: `${proxy.origin}/fhir`,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2000 },
    });
    // A visit of last week, inside the sandbox plan's 90-day filing window whenever this runs.
    const lastWeek = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    const answer = await adapter.submitClaim(claimBundle({ dateOfService: lastWeek }));
    expect(answer.outcome).toBe('complete');
    expect(proxy.records.map((r) => r.path)).toEqual([
      '/fhir/Claim/$submit',
      '/fhir/Claim/$inquire',
      '/fhir/Claim/$submit',
    ]);
    expect(Object.values(world.payer.audit().submits)).toEqual([1]);
  });

  it('gives up after the configured attempts with PAYER_UNAVAILABLE, so the worker retries the item later', async () => {
    world = await startWorld({ strict: true });
    const proxy = await startFaultProxy({ target: world.payer.url, choose: () => 'status-503' });
    proxies.push(proxy);
    const adapter = createFhirPayerAdapter({
      baseUrl: `${proxy.origin}/fhir`,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 1000 },
    });
    await expect(adapter.submitClaim(claimBundle())).rejects.toMatchObject({
      code: 'PAYER_UNAVAILABLE',
    });
    // One send, then only inquiries: whether the payer got it is unknown, so it is not sent again.
    expect(proxy.records.map((r) => r.path)).toEqual([
      '/fhir/Claim/$submit',
      ...Array<string>(3).fill('/fhir/Claim/$inquire'),
    ]);
  });

  it('says the payer timed out when it holds every answer past the timeout', async () => {
    world = await startWorld({ strict: true });
    const proxy = await startFaultProxy({
      target: world.payer.url,
      choose: () => 'slow',
      slowMs: 1500,
    });
    proxies.push(proxy);
    const adapter = createFhirPayerAdapter({
      baseUrl: `${proxy.origin}/fhir`,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 300 },
    });
    await expect(adapter.checkEligibility(eligibilityBundle())).rejects.toMatchObject({
      code: 'PAYER_UNAVAILABLE',
      message: expect.stringContaining('after 1 attempt: timed out') as unknown,
    });
    // A timed-out eligibility check is not asked again at once: the payer is still working on it.
    expect(proxy.records).toHaveLength(1);
    await expect(adapter.submitClaim(claimBundle())).rejects.toMatchObject({
      code: 'PAYER_UNAVAILABLE',
      message: expect.stringContaining('timed out') as unknown,
    });
    expect(proxy.records.filter((r) => r.path === '/fhir/Claim/$submit')).toHaveLength(1);
  });
});
