import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import { startTestStack } from '../browser/sandbox-stack-fixture.ts';
import { launchSession } from '../app/launch-driver.ts';
import { APP_CLIENT_ID } from '../../cli/sandbox-stack.ts';
import { billingApi, billingSignIn } from './billing-sign-in.ts';

let stack: SandboxStack;
beforeAll(async () => {
  stack = await startTestStack(false);
}, 120_000);
afterAll(async () => {
  await stack.close();
});

describe('billing workspace sign-in', { timeout: 60_000 }, () => {
  it.each([
    ['pr-coder', 'Rosa Delgado', ['coder'], false],
    ['pr-biller', 'Marcus Webb', ['biller'], false],
    ['pr-manager', 'Helen Park', ['manager'], true],
  ])('signs in %s with the role the configuration gives', async (user, name, roles, analytics) => {
    const handle = await billingSignIn(stack, user);
    const me = await billingApi(stack, handle, '/api/billing/me');
    expect(me.status).toBe(200);
    expect(me.json.user).toEqual({ reference: `Practitioner/${user}`, name });
    expect(me.json.roles).toEqual(roles);
    expect((me.json.actions as string[]).includes('analytics.read')).toBe(analytics);
    expect(me.json.writeOffLimit).toBe(100);
  });

  it('gives the coder the role through the coders Group, not their own reference', async () => {
    const handle = await billingSignIn(stack, 'pr-coder');
    const me = await billingApi(stack, handle, '/api/billing/me');
    expect(me.json.actions).toEqual(['queue.read', 'claim.read', 'claim.correct']);
  });

  it('asks for a session when there is none', async () => {
    const me = await billingApi(stack, undefined, '/api/billing/me');
    expect(me.status).toBe(401);
    expect(me.json.error).toBe('SESSION_MISSING');
  });

  it('refuses a signed-in user who has no billing role, in words', async () => {
    const handle = await billingSignIn(stack, 'pr-2');
    const me = await billingApi(stack, handle, '/api/billing/me');
    expect(me.status).toBe(403);
    expect(me.json.error).toBe('BILLING_FORBIDDEN');
    expect(me.json.message).toMatch(/no billing role/);
    expect(me.json.hint).toMatch(/CHARTBILL_BILLING_ROLES/);
  });

  it('does not open the workspace to a session launched from a chart', async () => {
    const handle = await launchSession(stack.ehr, stack.appUrl, APP_CLIENT_ID);
    const me = await billingApi(stack, handle, '/api/billing/me');
    expect(me.status).toBe(403);
    expect(me.json.message).toMatch(/patient’s chart/);
  });

  it('lands the sign-in on the billing page', async () => {
    const res = await fetch(`${stack.appUrl}/billing`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('/assets/billing.js');
  });
});
