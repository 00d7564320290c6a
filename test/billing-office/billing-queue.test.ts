import type { Bundle, Provenance, Task } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import { AGING_BUCKETS } from '../../src/billing-office/ar-aging.ts';
import type {
  Analytics,
  ClaimListPage,
  QueuePage,
  WorkItem,
} from '../../src/billing-office/billing-api.ts';
import type { ReadModelStore } from '../../src/billing-office/read-model.ts';
import { startTestStack } from '../browser/sandbox-stack-fixture.ts';
import { billingApi, billingSignIn } from './billing-sign-in.ts';
import { READ_MODEL_STORES, type ReadModelPlace } from './read-model-stores.ts';

// The same workspace over each store the read model lives in (issue 17, item 7): memory beside a
// file ledger, and PostgreSQL shared by several workers and app instances.
describe.each(READ_MODEL_STORES)('the billing office over the $store read model', ({ place }) => {
  let stack: SandboxStack | undefined;
  let where: ReadModelPlace;
  let store: ReadModelStore;
  const handles: Record<string, string> = {};
  beforeAll(async () => {
    where = await place();
    store = await where.open();
    stack = await startTestStack(false, undefined, { billingReadModelStore: store, history: true });
    // The seeded visits become claims, answers and work items (denials with CARC 29 and 96).
    for (let i = 0; i < 3; i++) await stack.worker.tick();
    await stack.billingReadModel.sync();
    for (const who of ['coder', 'biller', 'manager'])
      handles[who] = await billingSignIn(stack, `pr-${who}`);
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
    await where.cleanup();
  });

  const running = (): SandboxStack => {
    if (!stack) throw new Error('the stack was closed by an earlier test');
    return stack;
  };

  async function fhirGet<T>(path: string): Promise<T> {
    const s = running();
    const token = await s.ehr.issueSystemToken('system/*.rs');
    const res = await fetch(`${s.fhirBase}/${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return (await res.json()) as T;
  }

  const queue = async (who: string, query = '') =>
    (await billingApi(running(), handles[who], `/api/billing/queue${query}`))
      .json as unknown as QueuePage;

  /** Every open item in the order `query` sorts them, read page by page of `pageSize`. */
  async function everyPage(query: string, pageSize: number): Promise<WorkItem[]> {
    const items: WorkItem[] = [];
    for (let page = 1; ; page++) {
      const got = await queue(
        'biller',
        `?${query}&pageSize=${String(pageSize)}&page=${String(page)}`,
      );
      items.push(...got.items);
      if (got.items.length === 0 || items.length >= got.total) return items;
    }
  }

  describe('the work queue', { timeout: 60_000 }, () => {
    it('lists open work across patients, largest amount at stake first, with reasons in words and codes', async () => {
      const page = await queue('biller');
      expect(page.total).toBeGreaterThan(2);
      const amounts = page.items.map((i) => i.amountAtStake);
      expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
      expect(new Set(page.items.map((i) => i.patient.reference)).size).toBeGreaterThan(1);
      const denial = page.items.find((i) => i.codes.some((c) => c.code === 'CO-96'));
      expect(denial?.kind).toBe('claim-denied');
      expect(denial?.deadline?.kind).toBe('appeal');
      expect(denial?.amountAtStake).toBeGreaterThan(0);
      expect(denial?.codes.find((c) => c.code === 'CO-96')?.display).toMatch(/Not covered/);
      expect(denial?.reason.length).toBeGreaterThan(10);
      expect(page.totalAtStake).toBeGreaterThanOrEqual(amounts.reduce((s, a) => s + a, 0) - 0.01);
    });

    it('filters by kind, searches by code, and pages', async () => {
      const denials = await queue('biller', '?kind=claim-denied');
      expect(denials.items.every((i) => i.kind === 'claim-denied')).toBe(true);
      const co29 = await queue('biller', '?q=co-29');
      expect(co29.items.length).toBeGreaterThan(0);
      expect(co29.items.every((i) => i.codes.some((c) => c.code === 'CO-29'))).toBe(true);
      const first = await queue('biller', '?pageSize=1&sort=age');
      const second = await queue('biller', '?pageSize=1&sort=age&page=2');
      expect(first.items[0]?.taskId).not.toBe(second.items[0]?.taskId);
      expect(second.total).toBe(first.total);
    });

    it('assigns to self in FHIR with a Provenance, once however often it is asked', async () => {
      const item = (await queue('biller', '?kind=claim-denied')).items[0];
      if (!item) throw new Error('no denial in the queue');
      const assign = () =>
        billingApi(running(), handles.biller, '/api/billing/queue/assign', {
          method: 'POST',
          body: { taskIds: [item.taskId], assignee: 'me' },
        });
      expect((await assign()).json).toEqual({ assigned: 1 });
      const task = await fhirGet<Task>(`Task/${item.taskId}`);
      expect(task.owner?.reference).toBe('Practitioner/pr-biller');
      await assign();
      expect((await fhirGet<Task>(`Task/${item.taskId}`)).meta?.versionId).toBe(
        task.meta?.versionId,
      );
      const provenance = await fhirGet<Bundle<Provenance>>(
        `Provenance?target=Task/${item.taskId}/_history/${task.meta?.versionId ?? ''}`,
      );
      expect(
        provenance.entry?.some((e) =>
          e.resource?.agent.some((a) => a.who.reference === 'Practitioner/pr-biller'),
        ),
      ).toBe(true);
      const mine = await queue('biller', '?assignee=me');
      expect(mine.items.map((i) => i.taskId)).toContain(item.taskId);
      expect(mine.items.find((i) => i.taskId === item.taskId)?.assignee?.name).toBe('Marcus Webb');
    });

    it('assigns in bulk to another member of the office, and unassigns', async () => {
      const items = (await queue('manager', '?assignee=none&pageSize=3')).items;
      const taskIds = items.map((i) => i.taskId);
      const res = await billingApi(running(), handles.manager, '/api/billing/queue/assign', {
        method: 'POST',
        body: { taskIds, assignee: 'Practitioner/pr-coder' },
      });
      expect(res.json).toEqual({ assigned: taskIds.length });
      const coders = await queue('coder', '?assignee=me');
      expect(coders.items.map((i) => i.taskId).sort()).toEqual([...taskIds].sort());
      await billingApi(running(), handles.manager, '/api/billing/queue/assign', {
        method: 'POST',
        body: { taskIds, assignee: null },
      });
      expect((await queue('coder', '?assignee=me')).total).toBe(0);
      const task = await fhirGet<Task>(`Task/${taskIds[0] ?? ''}`);
      expect(task.owner).toBeUndefined();
    });

    it('refuses to assign to someone outside the billing office, in words', async () => {
      const item = (await queue('biller')).items[0];
      const res = await billingApi(running(), handles.biller, '/api/billing/queue/assign', {
        method: 'POST',
        body: { taskIds: [item?.taskId ?? ''], assignee: 'Practitioner/pr-2' },
      });
      expect(res.status).toBe(400);
      expect(res.json.message).toMatch(/not a member of the billing office/);
    });

    it('lets a coder read the queue but not assign', async () => {
      const item = (await queue('coder')).items[0];
      const res = await billingApi(running(), handles.coder, '/api/billing/queue/assign', {
        method: 'POST',
        body: { taskIds: [item?.taskId ?? ''], assignee: 'me' },
      });
      expect(res.status).toBe(403);
      expect(res.json.message).toMatch(/needs biller or manager/);
    });
  });

  describe('sorts, filters and pages on the server', { timeout: 120_000 }, () => {
    const SORTS = ['amount', 'deadline', 'age', 'service-date', 'patient', 'payer'] as const;
    const keyOf: Record<(typeof SORTS)[number], (i: WorkItem) => number | string> = {
      amount: (i) => i.amountAtStake,
      // No deadline sorts last whichever way.
      deadline: (i) => i.deadline?.date ?? '9999-12-31',
      // Older first when descending.
      age: (i) => -Date.parse(i.createdAt),
      'service-date': (i) => i.serviceDate ?? '',
      patient: (i) => i.patient.name.toLowerCase(),
      payer: (i) => i.payer?.name.toLowerCase() ?? '',
    };
    /** The order the queue promises: by the key, ties by task id ascending whichever the order. */
    const promised = (items: WorkItem[], sort: (typeof SORTS)[number], desc: boolean) =>
      [...items].sort((a, b) => {
        const [ka, kb] = [keyOf[sort](a), keyOf[sort](b)];
        if (ka !== kb) return (ka < kb ? -1 : 1) * (desc ? -1 : 1);
        return a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0;
      });

    it.each(SORTS)(
      'sorts by %s either way, the same items on small pages as on one',
      async (sort) => {
        for (const order of ['asc', 'desc'] as const) {
          const whole = await everyPage(`sort=${sort}&order=${order}`, 200);
          expect(whole.length).toBeGreaterThan(5);
          const ids = (items: WorkItem[]) => items.map((i) => i.taskId);
          expect(ids(whole)).toEqual(ids(promised(whole, sort, order === 'desc')));
          expect(ids(await everyPage(`sort=${sort}&order=${order}`, 4))).toEqual(ids(whole));
        }
      },
    );

    it('filters by payer, deadline and owner, searches by name, and totals what matches', async () => {
      const all = await everyPage('sort=amount', 200);
      const page = await queue('biller', '?pageSize=3');
      expect(page.total).toBe(all.length);
      const atStake = all.reduce((sum, i) => sum + i.amountAtStake, 0);
      expect(page.totalAtStake).toBeCloseTo(atStake, 2);

      const payer = all.find((i) => i.payer)?.payer;
      if (!payer) throw new Error('no work item names a payer');
      const ofPayer = await everyPage(`payer=${encodeURIComponent(payer.id)}`, 200);
      expect(ofPayer.map((i) => i.taskId).sort()).toEqual(
        all
          .filter((i) => i.payer?.id === payer.id)
          .map((i) => i.taskId)
          .sort(),
      );

      const last = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
      const due = await everyPage('dueWithinDays=30', 200);
      expect(due.map((i) => i.taskId).sort()).toEqual(
        all
          .filter((i) => i.deadline && i.deadline.date <= last)
          .map((i) => i.taskId)
          .sort(),
      );

      const unassigned = await everyPage('assignee=none', 200);
      expect(unassigned.every((i) => !i.assignee)).toBe(true);
      expect(unassigned.length).toBe(all.filter((i) => !i.assignee).length);

      // q looks in the patient's name, the ids, the payer, the reason and the codes, any case.
      const q = (all[all.length - 1]?.patient.name ?? '').toUpperCase();
      const words = (i: WorkItem) =>
        [
          i.patient.name,
          i.claimId,
          i.taskId,
          i.payer?.name,
          i.reason,
          ...i.codes.map((c) => c.code),
        ]
          .join(' ')
          .toLowerCase();
      const found = await everyPage(`q=${encodeURIComponent(q)}`, 200);
      expect(found.length).toBeGreaterThan(0);
      expect(found.map((i) => i.taskId).sort()).toEqual(
        all
          .filter((i) => words(i).includes(q.toLowerCase()))
          .map((i) => i.taskId)
          .sort(),
      );
      const beyond = await queue('biller', '?pageSize=50&page=99');
      expect(beyond.items).toEqual([]);
      expect(beyond.total).toBe(all.length);
      expect(beyond.totalAtStake).toBeCloseTo(atStake, 2);
    });
  });

  describe('the claims behind an A/R aging bar', { timeout: 120_000 }, () => {
    it('lists, for each payer and bucket, exactly the claims and dollars the bar counts', async () => {
      const analytics = (await billingApi(running(), handles.manager, '/api/billing/analytics'))
        .json as unknown as Analytics;
      const segments = analytics.arAging.flatMap((row) =>
        AGING_BUCKETS.map((bucket) => ({ row, bucket })),
      );
      // The seeded history spans 120 days, with balances still open in most buckets.
      const drawn = segments.filter(({ row, bucket }) => row.claims[bucket] > 0);
      expect(new Set(drawn.map((s) => s.bucket)).size).toBeGreaterThanOrEqual(4);
      expect(new Set(drawn.map((s) => s.row.payerId)).size).toBeGreaterThan(1);
      for (const { row, bucket } of segments) {
        const res = await billingApi(
          running(),
          handles.manager,
          `/api/billing/claims?${row.drills[bucket]}&pageSize=200`,
        );
        const page = res.json as unknown as ClaimListPage;
        const where = `${row.payer} ${bucket}`;
        expect(page.total, where).toBe(row.claims[bucket]);
        expect(page.totalBalance, where).toBeCloseTo(row.buckets[bucket], 2);
        expect(
          page.items.every((c) => c.payer.id === row.payerId && c.balance > 0),
          where,
        ).toBe(true);
      }
    });

    it('refuses an aging bucket the chart does not have, in words', async () => {
      const res = await billingApi(running(), handles.manager, '/api/billing/claims?aging=0-29');
      expect(res.status).toBe(400);
      expect(res.json.message).toMatch(/aging/);
    });
  });

  /** What the store holds, in an order that does not depend on the store. */
  async function contents(s: ReadModelStore) {
    const byId = <T>(rows: T[], id: (r: T) => string) =>
      [...rows].sort((a, b) => (id(a) < id(b) ? -1 : 1));
    const marks: Record<string, string | undefined> = {};
    for (const type of ['Claim', 'ClaimResponse', 'Task', 'PaymentReconciliation'])
      marks[type] = await s.getMark(type);
    return {
      queue: await s.queue(
        { sort: 'amount', order: 'desc', page: 1, pageSize: 200 },
        new Date('2030-01-01T00:00:00Z'),
      ),
      claims: byId(await s.claims(), (c) => c.claimId),
      payments: byId(await s.payments(), (p) => p.paymentId),
      marks,
    };
  }

  it('changes nothing when it reads the same facts again, by sync or claim by claim', async () => {
    const readModel = running().billingReadModel;
    await readModel.sync();
    const before = await contents(store);
    expect(before.claims.length).toBeGreaterThan(100);
    expect(before.queue.total).toBeGreaterThan(5);
    await readModel.sync();
    expect(await contents(store)).toEqual(before);
    for (const c of before.claims.slice(0, 10)) await readModel.refreshClaim(c.claimId);
    expect(await contents(store)).toEqual(before);
  });

  // Last: it stops this stack.
  it('keeps the queue, the claims and how far the sync reached when the worker restarts', async () => {
    await running().billingReadModel.sync();
    const before = await contents(store);
    await running().close();
    stack = undefined;
    await store.close();
    const reopened = await where.open();
    expect(await contents(reopened)).toEqual(before);
    expect(before.marks.Claim).toBeDefined();
  });
});
