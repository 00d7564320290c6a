import { afterAll, describe, expect, it } from 'vitest';
import { analyticsCsv } from '../../src/billing-office/analytics-csv.ts';
import { medianAndP90 } from '../../src/billing-office/analytics-figures.ts';
import { computeAnalytics } from '../../src/billing-office/analytics.ts';
import type { ClaimRow } from '../../src/billing-office/read-model.ts';
import { READ_MODEL_STORES, type ReadModelPlace } from './read-model-stores.ts';

const NOW = new Date('2026-10-15T12:00:00Z');
let n = 0;
function claim(over: Partial<ClaimRow>): ClaimRow {
  n += 1;
  return {
    claimId: `c${String(n)}`,
    patient: { reference: 'Patient/p1', name: 'Ana Diaz' },
    payer: { id: 'org-a', name: 'Plan A' },
    serviceDate: '2026-09-01',
    createdAt: '2026-09-03T00:00:00Z',
    cpts: ['99213'],
    billed: 100,
    allowed: 80,
    paid: 80,
    patientResponsibility: 0,
    adjusted: 20,
    denied: 0,
    denials: [],
    state: 'paid',
    submittedAt: '2026-09-03T00:00:00Z',
    answeredAt: '2026-09-10T00:00:00Z',
    firstPass: true,
    clean: true,
    paidAt: '2026-09-13',
    frequency: '1',
    version: 0,
    updatedAt: NOW.toISOString(),
    ...over,
  };
}
const denied = (carc: string, amount: number, over: Partial<ClaimRow> = {}) =>
  claim({
    paid: 0,
    allowed: 0,
    adjusted: 0,
    denied: amount,
    billed: amount,
    state: 'denied',
    firstPass: false,
    denials: [{ group: 'CO', carc, amount }],
    ...over,
  });
const period = { from: '2026-09', to: '2026-10' };

// The figures over the rows each store gives back (issue 17, item 7): memory and PostgreSQL.
describe.each(READ_MODEL_STORES)('billing analytics over the $store read model', ({ place }) => {
  const places: ReadModelPlace[] = [];
  afterAll(async () => {
    await Promise.all(places.map((p) => p.cleanup()));
  });
  /** The figures as the route computes them: over the claims a fresh store gives back. */
  async function analyticsOf(
    claims: ClaimRow[],
    input: Parameters<typeof computeAnalytics>[1],
    now: Date,
  ) {
    const where = await place();
    places.push(where);
    const store = await where.open();
    await store.upsertClaims(claims);
    return computeAnalytics(await store.claims(), input, now);
  }

  it('counts clean claims and first-pass acceptance by the month the claim was made', async () => {
    const a = await analyticsOf(
      [claim({}), claim({ clean: false }), denied('97', 50), claim({ frequency: '7' })],
      period,
      NOW,
    );
    const [clean, firstPass] = a.cleanClaimRate;
    // Originals only: the replacement (frequency 7) is not a second claim for the visit.
    expect(clean?.data).toEqual([
      { label: '2026-09', value: 0.6667, drill: 'view=claims&month=2026-09' },
      { label: '2026-10', value: 0, drill: 'view=claims&month=2026-10' },
    ]);
    expect(firstPass?.data[0]?.value).toBe(0.6667);
  });

  it('gives the denial rate and dollars by reason, group and payer, with the claims behind each bar', async () => {
    const claims = [
      claim({}),
      claim({ payer: { id: 'org-b', name: 'Plan B' } }),
      denied('97', 120),
      denied('29', 300, { payer: { id: 'org-b', name: 'Plan B' } }),
    ];
    const a = await analyticsOf(claims, period, NOW);
    expect(
      a.denials.byReason.map((d) => [d.label.slice(0, 5), d.value, d.amount, d.drill]),
    ).toEqual([
      ['CO-29', 0.25, 300, 'view=claims&carc=CO-29'],
      ['CO-97', 0.25, 120, 'view=claims&carc=CO-97'],
    ]);
    expect(a.denials.byGroup).toEqual([
      { label: 'CO', value: 0.5, amount: 420, drill: 'view=claims&carc=CO-' },
    ]);
    expect(a.denials.byPayer.map((d) => [d.label, d.value, d.amount])).toEqual([
      ['Plan B', 0.5, 300],
      ['Plan A', 0.5, 120],
    ]);
    expect(a.denials.rateByMonth[0]).toMatchObject({ label: '2026-09', value: 0.5, amount: 420 });
  });

  it('leaves claims answered outside the period out of the denial rate', async () => {
    const a = await analyticsOf(
      [denied('97', 100, { answeredAt: '2026-08-31T23:00:00Z' })],
      period,
      NOW,
    );
    expect(a.denials.byReason).toEqual([]);
    expect(a.denials.rateByMonth.every((d) => d.value === 0)).toBe(true);
  });

  it('puts balances in aging buckets by days since the date of service, at the bucket edges', async () => {
    const open = (serviceDate: string) =>
      claim({ serviceDate, paid: 0, adjusted: 0, state: 'submitted', billed: 10 });
    const a = await analyticsOf(
      [open('2026-09-15'), open('2026-09-14'), open('2026-06-17'), open('2026-06-16'), claim({})],
      period,
      NOW,
    );
    // 15 Oct − 15 Sep = 30 days: still 0-30; 31 days: 31-60; 120 days: 91-120; 121: 120+.
    expect(a.arAging).toEqual([
      {
        payer: 'Plan A',
        payerId: 'org-a',
        buckets: { '0-30': 10, '31-60': 10, '61-90': 0, '91-120': 10, '120+': 10 },
        claims: { '0-30': 1, '31-60': 1, '61-90': 0, '91-120': 1, '120+': 1 },
        drills: {
          '0-30': 'view=claims&payer=org-a&aging=0-30',
          '31-60': 'view=claims&payer=org-a&aging=31-60',
          '61-90': 'view=claims&payer=org-a&aging=61-90',
          '91-120': 'view=claims&payer=org-a&aging=91-120',
          '120+': 'view=claims&payer=org-a&aging=120%2B',
        },
      },
    ]);
  });

  it('computes days in A/R from net A/R and the last 90 days of net charges', async () => {
    const charges = Array.from({ length: 9 }, () =>
      claim({ billed: 1000, adjusted: 0, paid: 1000, createdAt: '2026-09-20T00:00:00Z' }),
    );
    const owed = claim({
      billed: 1000,
      adjusted: 0,
      paid: 0,
      state: 'submitted',
      createdAt: '2026-10-01T00:00:00Z',
    });
    const a = await analyticsOf([...charges, owed], period, NOW);
    // A/R 1000 ÷ (10 000 net charges ÷ 90 days) = 9 days.
    expect(a.daysInAr).toBe(9);
    expect((await analyticsOf([], period, NOW)).daysInAr).toBe(0);
  });

  it('computes the net collection rate against charges less contractual adjustments', async () => {
    const a = await analyticsOf([claim({ billed: 1000, adjusted: 200, paid: 600 })], period, NOW);
    expect(a.netCollectionRate).toBe(0.75);
  });

  it('gives charge lag and claim-to-payment days as median and 90th percentile', async () => {
    const a = await analyticsOf(
      [claim({ serviceDate: '2026-09-01', createdAt: '2026-09-03T00:00:00Z' })],
      period,
      NOW,
    );
    expect(a.chargeLagDays).toEqual({ median: 2, p90: 2 });
    expect(a.claimToPaymentDays).toEqual({ median: 10, p90: 10 });
  });
});

describe('billing analytics, the parts that need no store', () => {
  it('gives the median and 90th percentile of a list of days', () => {
    expect(medianAndP90([1, 2, 3, 4])).toEqual({ median: 2.5, p90: 4 });
    expect(medianAndP90([])).toEqual({ median: 0, p90: 0 });
  });

  it('exports CSV with one header, quoting and formulas defused', () => {
    const a = computeAnalytics([denied('97', 120)], period, NOW);
    const csv = analyticsCsv(a, 'denials-by-reason');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('table,series,label,value,amount');
    expect(lines[1]).toMatch(
      /^denials-by-reason,denial rate,CO-97: Bundled: paid as part of another service on the claim\.,1,120$/,
    );
    const owed = a.arAging[0];
    if (!owed) throw new Error('the denied claim still owes its charge');
    const hostile = analyticsCsv(
      {
        ...a,
        arAging: [
          {
            ...owed,
            payer: '=HYPERLINK("x")',
            buckets: { '0-30': 1, '31-60': 0, '61-90': 0, '91-120': 0, '120+': 0 },
          },
        ],
      },
      'ar-aging',
    );
    expect(hostile).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
