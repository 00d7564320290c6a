import type { Claim } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueQuery } from '../../src/billing-office/billing-api.ts';
import { createMemoryReadModel } from '../../src/billing-office/memory-read-model.ts';
import { createBillingReadModel } from '../../src/billing-office/read-model-sync.ts';
import { addDays, timelyFilingFromEnv } from '../../src/edits/timely-filing.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { buildTask, taskIdentifierQuery } from '../../worker/pipeline/build-task.ts';
import { claimsOf, logger, startWorld, workerFor, type World } from '../worker/worker-kit.ts';

let world: World;
let claim: Claim & { id: string };
let serviceDate: string;
beforeAll(async () => {
  world = await startWorld();
  const worker = workerFor(world);
  await worker.tick();
  await worker.stop();
  const [encounter] = SEED_SCENARIOS.clean;
  const [found] = await claimsOf(world.fhir, encounter);
  if (!found?.id) throw new Error('the clean visit has no claim');
  claim = found as Claim & { id: string };
  serviceDate = claim.billablePeriod?.start?.slice(0, 10) ?? '';
  // A claim the payer has not answered: the queue gives it the timely filing limit as deadline
  // (the payer may never have received it), unless the work item's own deadline comes first.
  const now = new Date();
  await world.fhir.create(
    buildTask({
      code: 'claim-no-answer',
      description: 'No answer from Sandbox Health Plan 30 days after submission.',
      encounterId: encounter,
      patient: claim.patient.reference ?? '',
      focus: `Claim/${claim.id}`,
      now,
    }),
    { ifNoneExist: taskIdentifierQuery(encounter, 'claim-no-answer') },
  );
}, 120_000);
afterAll(async () => {
  await world.close();
});

async function noAnswerRow(setting: string | undefined) {
  const readModel = createBillingReadModel({
    store: await createMemoryReadModel(),
    fhir: world.fhir,
    logger,
    ...(setting !== undefined ? { timelyFiling: timelyFilingFromEnv(setting) } : {}),
  });
  await readModel.sync();
  const page = await readModel.store.queue(
    queueQuery.parse({ kind: 'claim-no-answer' }),
    new Date(),
  );
  await readModel.close();
  return page.items.find((i) => i.claimId === claim.id);
}

describe('timely filing deadlines in the work queue', { timeout: 60_000 }, () => {
  it("uses the payer's window from CHARTBILL_TIMELY_FILING, as the scrubber does", async () => {
    expect(serviceDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The sandbox plan's payer id is SBXHP: its own window applies, not the default. (Short
    // windows, so the limit comes before the work item's own deadline.)
    const short = await noAnswerRow('SBXHP=3,default=400');
    expect(short?.deadline).toEqual({ date: addDays(serviceDate, 3), kind: 'timely-filing' });
    const other = await noAnswerRow('OTHERPAYER=3,default=4');
    expect(other?.deadline).toEqual({ date: addDays(serviceDate, 4), kind: 'timely-filing' });
  });

  it("keeps the work item's own deadline when the filing limit is further away (365 days unset)", async () => {
    const row = await noAnswerRow(undefined);
    expect(row?.deadline?.kind).toBe('work-item');
    expect((row?.deadline?.date ?? '9999') < addDays(serviceDate, 365)).toBe(true);
  });
});
