import { afterAll, describe, expect, it } from 'vitest';
import type { ClaimRow, WorkItemRow } from '../../src/billing-office/read-model.ts';
import { READ_MODEL_STORES, type ReadModelPlace } from './read-model-stores.ts';

const NOW = new Date('2026-12-05T12:00:00Z');

function item(over: Partial<WorkItemRow>): WorkItemRow {
  return {
    taskId: 't1',
    kind: 'claim-denied',
    status: 'open',
    claimId: 'c1',
    patient: { reference: 'Patient/p1', name: 'Ana Diaz' },
    amountAtStake: 100,
    reason: 'Denied: bundled',
    codes: [{ system: 'CARC', code: 'CO-97', display: 'Bundled' }],
    createdAt: '2026-11-01T00:00:00Z',
    ...over,
  };
}

function claim(over: Partial<ClaimRow>): ClaimRow {
  return {
    claimId: 'c1',
    patient: { reference: 'Patient/p1', name: 'Ana Diaz' },
    payer: { id: 'org-a', name: 'Plan A' },
    serviceDate: '2026-11-01',
    createdAt: '2026-11-02T00:00:00Z',
    cpts: ['99213'],
    billed: 100,
    allowed: 0,
    paid: 0,
    patientResponsibility: 0,
    adjusted: 0,
    denied: 0,
    denials: [],
    state: 'submitted',
    clean: true,
    frequency: '1',
    version: 0,
    updatedAt: '2026-11-02T00:00:00Z',
    ...over,
  };
}

// What the sync writes, each store keeps the same way (issue 17, item 7).
describe.each(READ_MODEL_STORES)('the $store read model', ({ place }) => {
  const places: ReadModelPlace[] = [];
  afterAll(async () => {
    await Promise.all(places.map((p) => p.cleanup()));
  });
  const open = async () => {
    const where = await place();
    places.push(where);
    return where.open();
  };

  it('keeps the last of two rows for one work item, claim or payment given in one write', async () => {
    // A first sync gives an encounter's work item once for the claim and once for its replacement.
    const store = await open();
    await store.upsertWorkItems([
      item({ claimId: 'c1' }),
      item({ taskId: 't2', amountAtStake: 5 }),
      item({ claimId: 'c1-r1', amountAtStake: 80 }),
    ]);
    await store.upsertClaims([claim({}), claim({ state: 'replaced' })]);
    const payment = { paymentId: 'p1', claimId: 'c1', payerId: 'org-a', date: '2026-11-20' };
    await store.upsertPayments([
      { ...payment, amount: 10 },
      { ...payment, amount: 20 },
    ]);
    const page = await store.queue({ sort: 'amount', order: 'desc', page: 1, pageSize: 10 }, NOW);
    expect(page.items.map((i) => [i.taskId, i.claimId, i.amountAtStake])).toEqual([
      ['t1', 'c1-r1', 80],
      ['t2', 'c1', 5],
    ]);
    expect(page.totalAtStake).toBe(85);
    expect((await store.claims()).map((c) => c.state)).toEqual(['replaced']);
    expect((await store.payments()).map((p) => p.amount)).toEqual([20]);
  });

  it('takes a closed work item out of the queue, and gives work items in the order asked', async () => {
    const store = await open();
    await store.upsertWorkItems([item({}), item({ taskId: 't2' }), item({ taskId: 't3' })]);
    await store.upsertWorkItems([item({ taskId: 't2', status: 'closed' })]);
    const page = await store.queue({ sort: 'amount', order: 'desc', page: 1, pageSize: 10 }, NOW);
    expect(page.items.map((i) => i.taskId)).toEqual(['t1', 't3']);
    expect((await store.workItems(['t3', 'nope', 't1'])).map((i) => i.taskId)).toEqual([
      't3',
      't1',
    ]);
  });
});

describe('the PostgreSQL read model, shared by a worker and an app in other processes', () => {
  const postgres = READ_MODEL_STORES.find((s) => s.store === 'PostgreSQL');
  let where: ReadModelPlace | undefined;
  afterAll(async () => {
    await where?.cleanup();
  });

  it("shows the app the worker's latest claims and work items, though it keeps the claims it read", async () => {
    if (!postgres) throw new Error('no PostgreSQL store to test');
    where = await postgres.place();
    const [worker, app] = [await where.open(), await where.open()];
    await worker.upsertClaims([claim({})]);
    await worker.upsertWorkItems([item({})]);
    expect((await app.claims()).map((c) => c.state)).toEqual(['submitted']);
    await worker.upsertClaims([claim({ state: 'paid', paid: 100 })]);
    expect((await app.claims()).map((c) => c.state)).toEqual(['paid']);
    await worker.upsertWorkItems([item({ status: 'closed' })]);
    const page = await app.queue({ sort: 'amount', order: 'desc', page: 1, pageSize: 10 }, NOW);
    expect(page.total).toBe(0);
    expect(await app.claim('c1')).toMatchObject({ state: 'paid' });
  });
});
