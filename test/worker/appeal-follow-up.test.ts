import type { Claim, ClaimResponse, Task } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStatus } from '../../smart-app/status/build-status.ts';
import { buildActionTask } from '../../src/billing-office/action-tasks.ts';
import { createMemoryReadModel } from '../../src/billing-office/memory-read-model.ts';
import { createBillingReadModel } from '../../src/billing-office/read-model-sync.ts';
import { addDays } from '../../src/edits/timely-filing.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import {
  all,
  claimsOf,
  logger,
  startWorld,
  tasksOf,
  testClock,
  workerFor,
  MINUTE,
  type World,
} from './worker-kit.ts';

let world: World | undefined;
const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
  await world?.close();
  world = undefined;
});

const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const code = (t: Task) => t.code?.coding?.[0]?.code;

/** The seeded sandbox, its payer on the test's clock, and a worker that syncs a read model. */
async function appealWorld() {
  const clock = testClock();
  const w = (world = await startWorld({ now: clock.now }));
  const readModel = createBillingReadModel({
    store: await createMemoryReadModel(),
    fhir: w.fhir,
    logger,
    now: clock.now,
  });
  const worker = workerFor(w, {
    ledger: createMemoryLedger(),
    now: clock.now,
    readModel,
    settings: { CHARTBILL_WORKER_APPEAL_POLL_HOURS: '24' },
  });
  closing.push(
    () => worker.stop(),
    () => readModel.close(),
  );
  // Every seeded visit is sent and answered: CO-96 (not covered) and CO-29 (timely filing) denied.
  await worker.tick();
  const inquiries = () => w.payer.audit().inquiries;
  return { w, clock, readModel, worker, inquiries };
}

async function deniedClaim(w: World, encounter: string): Promise<Claim & { id: string }> {
  const [claim] = (await claimsOf(w.fhir, encounter)) as (Claim & { id: string })[];
  if (!claim) throw new Error(`${encounter} has no claim`);
  const denial = (await tasksOf(w.fhir, encounter)).find((t) => code(t) === 'claim-denied');
  expect(denial?.status).toBe('requested');
  return claim;
}

/** The appeal as the workspace's appeal action writes it (smart-app/billing/claim-actions.ts). */
async function appeal(
  w: World,
  claim: Claim & { id: string },
  encounter: string,
  now: Date,
  deadline: string,
) {
  const { resource } = await w.fhir.create(
    buildActionTask({
      kind: 'appeal',
      claimId: claim.id,
      key: `appeal-${claim.id}`,
      patient: claim.patient.reference ?? '',
      encounterId: encounter,
      requester: 'Practitioner/pr-biller',
      now,
      status: 'in-progress',
      description: 'First-level appeal.',
      deadline,
    }),
  );
  return resource;
}

/** The payer's appeals desk decides (the sandbox payer's admin endpoint). */
async function decide(w: World, claim: Claim, decision: 'overturn' | 'uphold') {
  const res = await fetch(`${w.payer.url}/admin/appeals`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ claim: claim.identifier?.[0], decision }),
  });
  expect(res.status).toBe(200);
}

describe('appeals to a FHIR payer', { timeout: 120_000 }, () => {
  it('asks about an appealed claim daily until the payer overturns the denial: the appeal completes as paid, the answer is on the claim', async () => {
    const { w, clock, readModel, worker, inquiries } = await appealWorld();
    const encounter = SEED_SCENARIOS.notCovered;
    const claim = await deniedClaim(w, encounter);

    // No appeal open: days of ticks ask the payer nothing about the final answers.
    const before = inquiries();
    for (let day = 0; day < 3; day++) {
      clock.advance(DAY);
      await worker.tick();
    }
    expect(inquiries()).toBe(before);

    const task = await appeal(
      w,
      claim,
      encounter,
      clock.now(),
      addDays(clock.now().toISOString().slice(0, 10), 60),
    );
    await worker.tick();
    expect(inquiries()).toBe(before);

    // A day on: asked once; the payer has not decided, so the appeal waits.
    clock.advance(DAY + HOUR);
    await worker.tick();
    expect(inquiries()).toBe(before + 1);
    expect((await w.fhir.read<Task>('Task', task.id ?? '')).status).toBe('in-progress');
    await worker.tick();
    expect(inquiries()).toBe(before + 1);

    await decide(w, claim, 'overturn');
    clock.advance(DAY + HOUR);
    await worker.tick();
    expect(inquiries()).toBe(before + 2);
    const closed = await w.fhir.read<Task>('Task', task.id ?? '');
    expect(closed.status).toBe('completed');
    expect(closed.businessStatus?.text).toMatch(
      /^Paid on appeal: the payer paid \$\d+\.\d\d on \d{4}-\d{2}-\d{2}\.$/,
    );
    const answers = await all<ClaimResponse>(w.fhir, 'ClaimResponse', {
      request: `Claim/${claim.id}`,
    });
    expect(answers).toHaveLength(2);
    const decision = answers.find(
      (r) => `ClaimResponse/${r.id ?? ''}` === closed.output?.at(-1)?.valueReference?.reference,
    );
    expect(decision?.disposition).toMatch(/^Appeal decided .*overturned/);
    expect(decision?.payment?.amount.value).toBeGreaterThan(0);
    const denial = (await tasksOf(w.fhir, encounter)).find((t) => code(t) === 'claim-denied');
    expect(denial?.status).toBe('completed');
    // What the clinician's chart shows of the visit: the payer's new answer, paid, no denial.
    const patient = claim.patient.reference?.replace(/^Patient\//, '') ?? '';
    const chart = await loadStatus(w.fhir, patient, encounter);
    const shown = chart.claims.find((c) => c.encounterId === encounter);
    expect(shown?.stage).toBe('paid');
    expect(shown?.paid).toBe(decision?.payment?.amount.value);
    expect(shown?.disposition).toMatch(/^Appeal decided .*overturned/);
    expect(shown?.denialReasons).toEqual([]);
    // What billing staff see of the claim: paid now.
    await readModel.sync();
    expect((await readModel.store.claim(claim.id))?.paid).toBe(decision?.payment?.amount.value);

    // Answered: never asked about again, and never sent again.
    clock.advance(3 * DAY);
    await worker.tick();
    expect(inquiries()).toBe(before + 2);
    expect(Object.values(w.payer.audit().submits).every((n) => n === 1)).toBe(true);
  });

  it('completes an upheld appeal as still denied, and stops asking at the appeal deadline', async () => {
    const { w, clock, worker, inquiries } = await appealWorld();
    const late = await deniedClaim(w, SEED_SCENARIOS.timelyFiling);
    const notCovered = await deniedClaim(w, SEED_SCENARIOS.notCovered);
    const today = clock.now().toISOString().slice(0, 10);
    const upheld = await appeal(
      w,
      late,
      SEED_SCENARIOS.timelyFiling,
      clock.now(),
      addDays(today, 60),
    );
    // Due today: the payer is never asked about it once the day is over.
    const expiring = await appeal(w, notCovered, SEED_SCENARIOS.notCovered, clock.now(), today);
    await worker.tick();
    const before = inquiries();
    await decide(w, late, 'uphold');

    clock.advance(DAY + HOUR);
    await worker.tick();
    expect(inquiries()).toBe(before + 1);
    const closed = await w.fhir.read<Task>('Task', upheld.id ?? '');
    expect(closed.status).toBe('completed');
    expect(closed.businessStatus?.text).toMatch(/^Still denied after the appeal \(CO-29\)/);
    const denials = (await tasksOf(w.fhir, SEED_SCENARIOS.timelyFiling)).filter(
      (t) => code(t) === 'claim-denied',
    );
    expect(denials.map((t) => t.status)).toEqual(['requested']);
    expect((await w.fhir.read<Task>('Task', expiring.id ?? '')).status).toBe('in-progress');

    clock.advance(3 * DAY);
    await worker.tick();
    expect(inquiries()).toBe(before + 1);
  });
});
