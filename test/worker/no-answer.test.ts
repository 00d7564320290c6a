import type { Claim, Provenance, Task } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { queueQuery } from '../../src/billing-office/billing-api.ts';
import { createMemoryReadModel } from '../../src/billing-office/memory-read-model.ts';
import { createBillingReadModel } from '../../src/billing-office/read-model-sync.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import {
  all,
  claimsOf,
  logger,
  startWorld,
  testClock,
  workerFor,
  MINUTE,
  type World,
} from './worker-kit.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const DAY = 24 * 60 * MINUTE;
const code = (t: Task) => t.code?.coding?.[0]?.code;

async function noAnswerTasks(w: World): Promise<Task[]> {
  return (await all<Task>(w.fhir, 'Task')).filter((t) => code(t) === 'claim-no-answer');
}

describe('claims the payer does not answer', () => {
  it('raises one "no answer" work item per claim after 30 days, keeps it single across ticks and a restart, and closes it when the answer comes', async () => {
    // The payer pends every claim and answers on the fourth status inquiry.
    const w = (world = await startWorld({ queueClaimsOver: 0, queuedPolls: 4 }));
    const ledger = createMemoryLedger();
    const clock = testClock();
    const options = { ledger, now: clock.now, pollMs: 60 * MINUTE };
    const first = workerFor(w, options);
    const readModel = createBillingReadModel({
      store: await createMemoryReadModel(),
      fhir: w.fhir,
      logger,
      now: clock.now,
    });
    const queue = async () => {
      await readModel.sync();
      return readModel.store.queue(queueQuery.parse({ kind: 'claim-no-answer' }), clock.now());
    };

    await first.tick();
    const [id] = SEED_SCENARIOS.clean;
    const [claim] = (await claimsOf(w.fhir, id)) as (Claim & { id: string })[];
    if (!claim) throw new Error('the clean visit has no claim');
    const submittedOn = clock.now().toISOString().slice(0, 10);
    const sent = (await all<Claim>(w.fhir, 'Claim')).filter((c) => c.status === 'active');
    expect(sent.length).toBeGreaterThan(1);

    // 29 days on, asked again (still pended): not yet a work item.
    clock.advance(29 * DAY);
    await first.tick();
    expect(await noAnswerTasks(w)).toEqual([]);
    expect((await queue()).total).toBe(0);

    // Day 30: one work item per unanswered claim, about the claim, in words, with a deadline.
    clock.advance(DAY);
    await first.tick();
    const raised = await noAnswerTasks(w);
    expect(raised.map((t) => t.focus?.reference).sort()).toEqual(
      sent.map((c) => `Claim/${c.id ?? ''}`).sort(),
    );
    const mine = raised.find((t) => t.focus?.reference === `Claim/${claim.id}`);
    expect(mine?.status).toBe('requested');
    expect(mine?.description).toMatch(
      new RegExp(`^No answer from .+ 30 days after submission on ${submittedOn}; \\$\\d+\\.\\d\\d`),
    );
    expect(Date.parse(mine?.restriction?.period?.end ?? '')).toBeGreaterThan(clock.now().getTime());
    // Written like every worker write: with its Provenance.
    const provenance = await all<Provenance>(w.fhir, 'Provenance', {
      target: `Task/${mine?.id ?? ''}/_history/${mine?.meta?.versionId ?? ''}`,
    });
    expect(provenance.length).toBeGreaterThan(0);

    const page = await queue();
    expect(page.total).toBe(sent.length);
    const row = page.items.find((i) => i.claimId === claim.id);
    expect(row).toMatchObject({ kind: 'claim-no-answer', status: 'open' });
    expect(row?.amountAtStake).toBe(claim.total?.value);
    expect(row?.reason).toMatch(/^No answer from /);
    expect(row?.deadline?.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // Another tick, then a restarted worker on the same ledger: still one per claim.
    clock.advance(2 * 60 * MINUTE);
    await first.tick();
    expect(await noAnswerTasks(w)).toHaveLength(sent.length);
    await first.stop();

    const restarted = workerFor(w, options);
    clock.advance(2 * 60 * MINUTE);
    await restarted.tick();
    const closed = await noAnswerTasks(w);
    expect(closed).toHaveLength(sent.length);
    // The fourth inquiry brought the answers: every item completed, the queue empty of them.
    expect(closed.map((t) => t.status)).toEqual(closed.map(() => 'completed'));
    expect(closed.find((t) => t.id === mine?.id)?.businessStatus?.text).toMatch(
      /^the payer answered on \d{4}-\d{2}-\d{2}$/,
    );
    expect((await queue()).total).toBe(0);
    expect(Object.values(w.payer.audit().submits).every((n) => n === 1)).toBe(true);
    await readModel.close();
    await restarted.stop();
  });
});
