import type { Bundle, Provenance, Task } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import type { QueuePage } from '../../src/billing-office/billing-api.ts';
import { startTestStack } from '../browser/sandbox-stack-fixture.ts';
import { billingApi, billingSignIn } from './billing-sign-in.ts';

let stack: SandboxStack;
const handles: Record<string, string> = {};
beforeAll(async () => {
  stack = await startTestStack(false);
  // The seeded visits become claims, answers and work items (denials with CARC 29 and 96).
  for (let i = 0; i < 3; i++) await stack.worker.tick();
  await stack.billingReadModel.sync();
  for (const who of ['coder', 'biller', 'manager'])
    handles[who] = await billingSignIn(stack, `pr-${who}`);
}, 180_000);
afterAll(async () => {
  await stack.close();
});

async function fhirGet<T>(path: string): Promise<T> {
  const token = await stack.ehr.issueSystemToken('system/*.rs');
  const res = await fetch(`${stack.fhirBase}/${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await res.json()) as T;
}

const queue = async (who: string, query = '') =>
  (await billingApi(stack, handles[who], `/api/billing/queue${query}`))
    .json as unknown as QueuePage;

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
      billingApi(stack, handles.biller, '/api/billing/queue/assign', {
        method: 'POST',
        body: { taskIds: [item.taskId], assignee: 'me' },
      });
    expect((await assign()).json).toEqual({ assigned: 1 });
    const task = await fhirGet<Task>(`Task/${item.taskId}`);
    expect(task.owner?.reference).toBe('Practitioner/pr-biller');
    await assign();
    expect((await fhirGet<Task>(`Task/${item.taskId}`)).meta?.versionId).toBe(task.meta?.versionId);
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
    const res = await billingApi(stack, handles.manager, '/api/billing/queue/assign', {
      method: 'POST',
      body: { taskIds, assignee: 'Practitioner/pr-coder' },
    });
    expect(res.json).toEqual({ assigned: taskIds.length });
    const coders = await queue('coder', '?assignee=me');
    expect(coders.items.map((i) => i.taskId).sort()).toEqual([...taskIds].sort());
    await billingApi(stack, handles.manager, '/api/billing/queue/assign', {
      method: 'POST',
      body: { taskIds, assignee: null },
    });
    expect((await queue('coder', '?assignee=me')).total).toBe(0);
    const task = await fhirGet<Task>(`Task/${taskIds[0] ?? ''}`);
    expect(task.owner).toBeUndefined();
  });

  it('refuses to assign to someone outside the billing office, in words', async () => {
    const item = (await queue('biller')).items[0];
    const res = await billingApi(stack, handles.biller, '/api/billing/queue/assign', {
      method: 'POST',
      body: { taskIds: [item?.taskId ?? ''], assignee: 'Practitioner/pr-2' },
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/not a member of the billing office/);
  });

  it('lets a coder read the queue but not assign', async () => {
    const item = (await queue('coder')).items[0];
    const res = await billingApi(stack, handles.coder, '/api/billing/queue/assign', {
      method: 'POST',
      body: { taskIds: [item?.taskId ?? ''], assignee: 'me' },
    });
    expect(res.status).toBe(403);
    expect(res.json.message).toMatch(/needs biller or manager/);
  });
});
