import type { Claim } from 'fhir/r4';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/fhir/systems.ts';
import {
  expectedForClaim,
  sandboxExpectedPricing,
  underpaidLines,
} from '../../src/pricing/expected-reimbursement.ts';
import { loadMedicarePfs } from '../../src/pricing/load-pfs.ts';
import type { MedicareFeeSchedule } from '../../src/pricing/medicare-fee-schedule.ts';

const PFS_DIR = '../shared/data/cms-pfs/rvu25d';
let medicare: MedicareFeeSchedule;
beforeAll(async () => {
  medicare = await loadMedicarePfs(PFS_DIR);
}, 60_000);

function claim(payerId: string, lines: [string, number][]): Claim {
  return {
    resourceType: 'Claim',
    status: 'active',
    use: 'claim',
    insurer: { reference: 'Organization/p', identifier: { value: payerId } },
    item: lines.map(([code, units], i) => ({
      sequence: i + 1,
      productOrService: { coding: [{ system: SYSTEM.cpt, code }] },
      quantity: { value: units },
      locationCodeableConcept: { coding: [{ code: '11' }] },
    })),
  } as unknown as Claim;
}

describe('expected reimbursement per line per payer', () => {
  it('prices a percent-of-Medicare contract by locality: 99213 in Alabama at 120%', () => {
    const expected = expectedForClaim(
      claim('ACME', [
        ['99213', 1],
        ['36415', 2],
      ]),
      {
        schedules: { ACME: { kind: 'percent-of-medicare', name: 'Acme PPO', percent: 120 } },
        medicare,
        mac: '10112',
        locality: '00',
      },
    );
    // CY2025 PFS: 99213 non-facility in MAC 10112 locality 00 is $81.86; 120% = $98.23.
    expect(expected?.lines[0]).toMatchObject({ amount: 98.23 });
    expect(expected?.lines[0]?.basis).toContain('120% of Medicare ($81.86)');
    // 36415 is on the lab fee schedule, not the PFS: no expected amount, and the reason says so.
    expect(expected?.lines[1]?.amount).toBeUndefined();
    expect(expected?.total).toBe(98.23);
  });

  it('prices a table contract by code and units; a payer without a schedule gets none', () => {
    const expected = expectedForClaim(
      claim('SBXHP', [
        ['99214', 1],
        ['36415', 2],
      ]),
      sandboxExpectedPricing(),
    );
    expect(expected?.lines.map((l) => l.amount)).toEqual([130, 6]);
    expect(
      expectedForClaim(claim('OTHER', [['99214', 1]]), sandboxExpectedPricing()),
    ).toBeUndefined();
  });

  it('says why a percent-of-Medicare contract cannot be priced without the PFS locality', () => {
    const expected = expectedForClaim(claim('ACME', [['99213', 1]]), {
      schedules: { default: { kind: 'percent-of-medicare', name: 'Acme', percent: 110 } },
    });
    expect(expected?.lines[0]?.basis).toContain('CHARTBILL_PFS_LOCALITY');
  });

  it('an underpayment is a line allowed below expected; equal, above and denied lines are not', () => {
    const expected = expectedForClaim(
      claim('SBXHP', [
        ['99214', 1],
        ['99213', 1],
        ['93000', 1],
      ]),
      sandboxExpectedPricing(),
    );
    if (!expected) throw new Error('no schedule');
    const allowed = new Map([
      [1, 120],
      [2, 92],
      [3, 0],
    ]);
    expect(underpaidLines(expected, allowed, new Set([3]))).toEqual([
      { sequence: 1, expected: 130, allowed: 120 },
    ]);
    expect(underpaidLines(expected, new Map([[1, 130]]), new Set())).toEqual([]);
  });
});
