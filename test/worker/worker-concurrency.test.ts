import { testWorker } from './test-worker.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { startFaultProxy, type FaultProxy } from '../faults/fault-proxy.ts';
import { seedCodedEncounters } from './seed-encounters.ts';
import { claimsOf, logger, startWorld, type World } from './worker-kit.ts';

let world: World | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await world?.close();
  world = undefined;
  proxy = undefined;
});

/** The seeded sandbox behind a proxy that adds network latency, with `extra` same-day visits of two patients. */
async function distantWorld(
  extra: number,
): Promise<{ world: World; proxy: FaultProxy; ids: string[] }> {
  const w = await startWorld();
  const ids = await seedCodedEncounters(w.fhir, extra, 'busy', new Date(), {
    patients: 2,
    days: 1,
  });
  const p = await startFaultProxy({ target: w.ehr.origin, choose: () => 'pass', latencyMs: 15 });
  return { world: w, proxy: p, ids };
}

function workerThrough(w: World, p: FaultProxy, concurrency: number) {
  const token = w.ehr.issueSystemToken('system/*.cruds');
  const fhir = createFhirGateway({ baseUrl: `${p.origin}/fhir`, getToken: () => token });
  return testWorker(
    {
      CHARTBILL_WORKER_CONCURRENCY: String(concurrency),
      CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '60',
      CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
      CHARTBILL_WORKER_MAX_ATTEMPTS: '3',
    },
    {
      clinical: fhir,
      billing: fhir,
      payer: createFhirPayerAdapter({ baseUrl: w.payer.fhirBase }),
      codes: starterCodeSet(),
      ledger: createMemoryLedger(),
      logger,
    },
  );
}

describe('encounters in flight at once', () => {
  it('keeps several encounters in flight against a distant server, still one claim, one submission and one answer each', async () => {
    const distant = await distantWorld(24);
    ({ world, proxy } = distant);
    const summary = await workerThrough(world, proxy, 4).tick();
    expect(summary).toMatchObject({ submitted: 7 + 24, held: 2, failed: 0 });
    expect(proxy.maxInFlight()).toBeGreaterThanOrEqual(2);
    // Four encounters' requests, and the next chunk's context read going out ahead of them.
    expect(proxy.maxInFlight()).toBeLessThanOrEqual(4 + 1);
    for (const id of distant.ids) expect(await claimsOf(world.fhir, id), id).toHaveLength(1);
    const audit = world.payer.audit();
    expect(Object.values(audit.submits).every((count) => count === 1)).toBe(true);
    expect(Object.values(audit.adjudicated)).toHaveLength(31);
    // 8 seeded patients with coverage + the two busy patients' one day: visits in flight together ask once;
    // + 7 for today's visits under way (enc-today-*, the patients with a coverage), checked early.
    expect(audit.eligibilityChecks).toBe(10 + 7);
  });

  it('processes one encounter at a time when the concurrency is 1', async () => {
    ({ world, proxy } = await distantWorld(8));
    const summary = await workerThrough(world, proxy, 1).tick();
    expect(summary).toMatchObject({ submitted: 7 + 8, failed: 0 });
    expect(proxy.maxInFlight()).toBe(1);
  });

  it("reads the next chunk of encounters' contexts while the current chunk is worked on, each chunk once", async () => {
    // 9 seeded + 30 = 39 finished encounters: two chunks of context reads (25 per read).
    const distant = await distantWorld(30);
    ({ world, proxy } = distant);
    const summary = await workerThrough(world, proxy, 1).tick();
    expect(summary).toMatchObject({ submitted: 7 + 30, failed: 0 });
    const contextReads = proxy.records.filter(
      (r) => r.method === 'GET' && r.path.startsWith('/fhir/Encounter?_id='),
    );
    expect(contextReads).toHaveLength(2);
    const firstClaim = proxy.records.findIndex(
      (r) => r.method === 'POST' && r.path === '/fhir/Claim',
    );
    expect(proxy.records.indexOf(contextReads[1] as (typeof proxy.records)[number])).toBeLessThan(
      firstClaim,
    );
    // One encounter at a time, and the read ahead beside it.
    expect(proxy.maxInFlight()).toBe(2);
    for (const id of distant.ids) expect(await claimsOf(world.fhir, id), id).toHaveLength(1);
  });
});
