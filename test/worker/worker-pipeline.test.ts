import type { ClaimResponse, CoverageEligibilityResponse } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { claimResponseSummary } from '../../src/claims/claim-response-summary.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { startSandboxPayer } from '../../sandbox/payer-server.ts';
import {
  addEncounterWithUnknownCode,
  all,
  claimsOf,
  logger,
  startWorld,
  tasksOf,
  workerFor,
  writeCounts,
  type World,
} from './worker-kit.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

function taskCode(task: { code?: { coding?: { code?: string }[] } }): string | undefined {
  return task.code?.coding?.[0]?.code;
}

describe('worker against the sandbox EHR and payer', () => {
  it('turns each finished, coded encounter into exactly one claim and one answer, and holds the rest with a Task', async () => {
    world = await startWorld();
    const { fhir } = world;
    const unknownCode = await addEncounterWithUnknownCode(fhir);
    const worker = workerFor(world);

    const summary = await worker.tick();
    expect(summary).toMatchObject({ submitted: 7, paid: 6, denied: 2, held: 3, failed: 0 });

    const responses = await all<ClaimResponse>(fhir, 'ClaimResponse');
    for (const id of SEED_SCENARIOS.clean) {
      const claims = await claimsOf(fhir, id);
      expect(claims, id).toHaveLength(1);
      expect(claims[0]?.status).toBe('active');
      const answers = responses.filter(
        (r) => r.request?.reference === `Claim/${claims[0]?.id ?? ''}`,
      );
      expect(answers, id).toHaveLength(1);
      expect(answers[0]?.outcome).toBe('complete');
      expect(answers[0]?.payment?.amount.value ?? 0).toBeGreaterThan(0);
      expect(answers[0]?.meta?.tag).toContainEqual({ system: SYSTEM.writer, code: 'worker' });
    }

    expect(await claimsOf(fhir, SEED_SCENARIOS.noCoverage)).toHaveLength(0);
    const noCoverageTasks = await tasksOf(fhir, SEED_SCENARIOS.noCoverage);
    expect(noCoverageTasks.map(taskCode)).toEqual(['no-coverage']);
    expect(noCoverageTasks[0]).toMatchObject({
      status: 'requested',
      intent: 'order',
      for: { reference: 'Patient/pat-21' },
      focus: { reference: `Encounter/${SEED_SCENARIOS.noCoverage}` },
    });
    expect(noCoverageTasks[0]?.restriction?.period?.end).toBeDefined();

    expect(await claimsOf(fhir, SEED_SCENARIOS.lapsedCoverage)).toHaveLength(0);
    const lapsedTasks = await tasksOf(fhir, SEED_SCENARIOS.lapsedCoverage);
    expect(lapsedTasks.map(taskCode)).toEqual(['coverage-inactive']);
    expect(lapsedTasks[0]?.description).toContain('ended');
    const eligibility = await all<CoverageEligibilityResponse>(fhir, 'CoverageEligibilityResponse');
    // The finished lapsed visit, and today's visit of pat-20 (lapsed too), checked while under way.
    expect(eligibility.filter((e) => e.insurance?.[0]?.inforce === false)).toHaveLength(2);
    const todayLapsed = SEED_SCENARIOS.inProgress[6];
    expect((await tasksOf(fhir, todayLapsed)).map(taskCode)).toEqual(['coverage-inactive']);

    const [lateClaim] = await claimsOf(fhir, SEED_SCENARIOS.timelyFiling);
    const late = responses.find((r) => r.request?.reference === `Claim/${lateClaim?.id ?? ''}`);
    // An adjudicated denial (835 CLP02 4) is `complete`, its reasons on the lines.
    expect(late?.outcome).toBe('complete');
    expect(
      new Set(claimResponseSummary(late ?? ({} as ClaimResponse)).denials.map((d) => d.carc)),
    ).toEqual(new Set(['29']));
    const lateTasks = await tasksOf(fhir, SEED_SCENARIOS.timelyFiling);
    expect(lateTasks.map(taskCode)).toEqual(['claim-denied']);
    expect(lateTasks[0]?.description).toContain('CO-29');
    expect(lateTasks[0]?.description).toContain(
      `Act by ${lateTasks[0]?.restriction?.period?.end?.slice(0, 10) ?? '?'}`,
    );
    // The next step for CO-29 is proof of timely filing or a write-off, not "correct and resubmit".
    expect(lateTasks[0]?.description).toContain(
      'send proof of timely filing (an earlier acceptance report or rejection within the window)',
    );
    expect(lateTasks[0]?.focus?.reference).toBe(`ClaimResponse/${late?.id ?? ''}`);

    const [nonCoveredClaim] = await claimsOf(fhir, SEED_SCENARIOS.notCovered);
    const partial = responses.find(
      (r) => r.request?.reference === `Claim/${nonCoveredClaim?.id ?? ''}`,
    );
    expect(partial?.outcome).toBe('complete');
    expect(partial?.payment?.amount.value).toBeGreaterThan(0);
    expect((await tasksOf(fhir, SEED_SCENARIOS.notCovered)).map((t) => t.description)).toEqual([
      expect.stringContaining('CO-96'),
    ]);

    const drafts = await claimsOf(fhir, unknownCode);
    expect(drafts.map((c) => c.status)).toEqual(['draft']);
    const scrubTasks = await tasksOf(fhir, unknownCode);
    expect(scrubTasks.map(taskCode)).toEqual(['claim-scrub-errors']);
    expect(scrubTasks[0]?.description).toContain('99999');
    expect(responses.some((r) => r.request?.reference === `Claim/${drafts[0]?.id ?? ''}`)).toBe(
      false,
    );
  });

  it("writes nothing new on a second tick, nor after a restart that lost the ledger and the payer's memory", async () => {
    world = await startWorld();
    await addEncounterWithUnknownCode(world.fhir);
    const worker = workerFor(world);
    await worker.tick();
    const before = await writeCounts(world.fhir);

    const second = await worker.tick();
    expect(second).toMatchObject({ submitted: 0, held: 0, failed: 0 });
    expect(await writeCounts(world.fhir)).toEqual(before);

    // Both the worker's ledger and the payer's memory are lost: the claims are still not resubmitted.
    const freshPayer = await startSandboxPayer({ port: 0, logger });
    const restarted = workerFor(world, {
      ledger: createMemoryLedger(),
      payerBase: freshPayer.fhirBase,
      eligibilityReuseMs: 3_600_000,
    });
    const third = await restarted.tick().finally(() => freshPayer.close());
    expect(third).toMatchObject({ failed: 0, denied: 2, paid: 6 });
    // A fresh ledger and an empty eligibility cache: the answers stored before still stand (no
    // second CoverageEligibilityResponse), and no second Claim, ClaimResponse, Task or request.
    expect(await writeCounts(world.fhir)).toEqual(before);
  });
});
