import type { ClaimResponse, Task } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_PAYER_FEE_SCHEDULE } from '../../src/claims/fee-schedule.ts';
import type { ExpectedPricing } from '../../src/pricing/expected-reimbursement.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { all, startWorld, tasksOf, workerFor, type World } from './worker-kit.ts';

/**
 * Expected reimbursement end to end (issue 16, item 8): the real sandbox payer adjudicates with
 * its own fee schedule; the practice's contract with that payer (what ChartBill expects) says
 * more for 99213 and less for 99214. The worker raises an underpayment work item with the
 * expected and allowed amounts where the payer allowed less, and none where it allowed as much
 * or more.
 */

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const PAYER = SANDBOX_PAYER_FEE_SCHEDULE.prices;
const CONTRACT: ExpectedPricing = {
  schedules: {
    SBXHP: {
      kind: 'table',
      name: 'Sandbox Health Plan contract 2026',
      prices: {
        ...PAYER,
        // The contract pays 99213 at $104.50; the payer's schedule still allows its old $92.
        '99213': (PAYER['99213'] ?? 0) + 12.5,
        // 99214 is contracted below what the payer allows: paid above expected, nothing to chase.
        '99214': (PAYER['99214'] ?? 0) - 5,
      },
    },
  },
};

const codeOf = (t: Task): string | undefined => t.code?.coding?.[0]?.code;

describe('underpayments, from the payer’s answer to a work item', () => {
  it('raises an underpayment Task with expected and allowed amounts only where the payer allowed less', async () => {
    world = await startWorld();
    const worker = workerFor(world, { editReference: { expected: CONTRACT } });
    await worker.tick();
    const { fhir } = world;

    // enc-clean-3 and enc-clean-4 bill 99213: allowed $92.00, expected $104.50.
    for (const id of [SEED_SCENARIOS.clean[2], SEED_SCENARIOS.clean[3]]) {
      const underpaid = (await tasksOf(fhir, id)).filter((t) => codeOf(t) === 'claim-underpaid');
      expect(underpaid, id).toHaveLength(1);
      expect(underpaid[0]?.businessStatus?.text).toBe('underpaid');
      expect(underpaid[0]?.description).toContain(
        'line 1: allowed $92.00, expected $104.50 (Sandbox Health Plan contract 2026',
      );
      expect(underpaid[0]?.description).toContain('allowed $12.50 less');
      // The work item points at the payer's answer it is about.
      const response = await fhir.read<ClaimResponse>(
        'ClaimResponse',
        underpaid[0]?.focus?.reference?.split('/')[1] ?? '',
      );
      expect(response.outcome).toBe('complete');
    }

    // 99214 allowed above its contract price, G0439 exactly at it, the labs and the wart removal
    // at theirs: paid at or above expected. enc-not-covered's 99213 is underpaid too (its
    // S9986 line is a denial, not an underpayment); enc-timely-filing was denied as a whole
    // (CARC 29): a denial Task, never an underpayment of $0.
    const tasks = await all<Task>(fhir, 'Task');
    const underpaidEncounters = tasks
      .filter((t) => codeOf(t) === 'claim-underpaid')
      .map((t) => t.encounter?.reference)
      .sort();
    expect(underpaidEncounters).toEqual([
      `Encounter/${SEED_SCENARIOS.clean[2]}`,
      `Encounter/${SEED_SCENARIOS.clean[3]}`,
      `Encounter/${SEED_SCENARIOS.notCovered}`,
    ]);
    const notCovered = (await tasksOf(fhir, SEED_SCENARIOS.notCovered)).find(
      (t) => codeOf(t) === 'claim-underpaid',
    );
    expect(notCovered?.description).toContain('line 1: allowed $92.00');
    expect(notCovered?.description).not.toContain('line 2');
    const timely = (await tasksOf(fhir, SEED_SCENARIOS.timelyFiling)).map(codeOf);
    expect(timely).toContain('claim-denied');
    expect(timely).not.toContain('claim-underpaid');
    for (const id of [SEED_SCENARIOS.clean[0], SEED_SCENARIOS.clean[1], SEED_SCENARIOS.clean[4]])
      expect((await tasksOf(fhir, id)).map(codeOf), id).not.toContain('claim-underpaid');

    // A second tick raises nothing new: one work item per underpaid answer.
    await worker.tick();
    expect(
      (await all<Task>(fhir, 'Task')).filter((t) => codeOf(t) === 'claim-underpaid'),
    ).toHaveLength(3);
  });
});
