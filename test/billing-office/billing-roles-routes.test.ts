import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import type { Analytics, ClaimListPage } from '../../src/billing-office/billing-api.ts';
import { startTestStack } from '../browser/sandbox-stack-fixture.ts';
import { billingApi, billingSignIn } from './billing-sign-in.ts';

let stack: SandboxStack;
const handles: Record<string, string> = {};
beforeAll(async () => {
  stack = await startTestStack(false);
  for (let i = 0; i < 3; i++) await stack.worker.tick();
  await stack.billingReadModel.sync();
  for (const who of ['coder', 'biller', 'manager'])
    handles[who] = await billingSignIn(stack, `pr-${who}`);
}, 180_000);
afterAll(async () => {
  await stack.close();
});

/** Each route of this part of the workspace with the roles that may use it (roles.ts). */
const ROUTES: Array<{
  name: string;
  method: string;
  path: string;
  body?: unknown;
  allowed: string[];
}> = [
  { name: 'me', method: 'GET', path: '/api/billing/me', allowed: ['coder', 'biller', 'manager'] },
  {
    name: 'queue',
    method: 'GET',
    path: '/api/billing/queue',
    allowed: ['coder', 'biller', 'manager'],
  },
  {
    name: 'assign',
    method: 'POST',
    path: '/api/billing/queue/assign',
    body: { taskIds: ['none'], assignee: 'me' },
    allowed: ['biller', 'manager'],
  },
  {
    name: 'claims',
    method: 'GET',
    path: '/api/billing/claims?carc=CO-96',
    allowed: ['coder', 'biller', 'manager'],
  },
  { name: 'analytics', method: 'GET', path: '/api/billing/analytics', allowed: ['manager'] },
];

describe('roles on each billing route', { timeout: 60_000 }, () => {
  for (const route of ROUTES)
    for (const who of ['coder', 'biller', 'manager'])
      it(`${route.name} ${route.allowed.includes(who) ? 'serves' : 'refuses'} a ${who}`, async () => {
        const res = await billingApi(stack, handles[who], route.path, {
          method: route.method,
          ...(route.body ? { body: route.body } : {}),
        });
        if (route.allowed.includes(who)) expect(res.status).not.toBe(403);
        else {
          expect(res.status).toBe(403);
          expect(res.json.error).toBe('BILLING_FORBIDDEN');
        }
      });
});

describe('analytics over the sandbox', { timeout: 60_000 }, () => {
  it('shows the seeded denials by reason, and the claims behind a bar', async () => {
    const res = await billingApi(stack, handles.manager, '/api/billing/analytics');
    expect(res.status).toBe(200);
    const a = res.json as unknown as Analytics;
    const notCovered = a.denials.byReason.find((d) => d.label.startsWith('CO-96'));
    expect(notCovered?.amount).toBeGreaterThan(0);
    expect(a.definitions.denialRate).toMatch(/HFMA/);
    const list = (
      await billingApi(
        stack,
        handles.manager,
        `/api/billing/claims?${(notCovered?.drill ?? '').replace('view=claims&', '')}`,
      )
    ).json as unknown as ClaimListPage;
    expect(list.total).toBeGreaterThan(0);
    expect(list.items.every((c) => c.reasons.some((r) => r.code === 'CO-96'))).toBe(true);
    expect(list.totalDenied).toBeCloseTo(notCovered?.amount ?? 0, 2);
  });

  it('exports a table as CSV', async () => {
    const res = await billingApi(
      stack,
      handles.manager,
      '/api/billing/analytics?format=csv&table=denials-by-reason',
    );
    expect(res.status).toBe(200);
    expect(res.text.split('\r\n')[0]).toBe('table,series,label,value,amount');
    expect(res.text).toContain('CO-96');
  });

  it('refuses an unknown table in words', async () => {
    const res = await billingApi(
      stack,
      handles.manager,
      '/api/billing/analytics?format=csv&table=nope',
    );
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/no table "nope"/);
  });
});
