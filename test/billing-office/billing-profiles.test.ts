import { randomUUID } from 'node:crypto';
import type { Task } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import type { QueuePage } from '../../src/billing-office/billing-api.ts';
import type { ClaimDetail } from '../../src/billing-office/claim-detail-types.ts';
import {
  holdsClaims,
  sandboxEhrProfile,
  SANDBOX_EHR_PROFILES,
} from '../../sandbox/ehr-profiles.ts';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { startTestStack } from '../browser/sandbox-stack-fixture.ts';
import { billingApi, billingSignIn } from './billing-sign-in.ts';

/** A resource as the store that holds it has it (the admin's view, outside the app). */
async function readFrom<T>(store: SandboxEhr, path: string): Promise<T> {
  const token = await store.issueSystemToken('system/*.rs');
  const res = await fetch(`${store.fhirBase}/${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw new Error(`${path} answered ${String(res.status)}`);
  return (await res.json()) as T;
}

/**
 * The billing office works the same in every kind of EHR the sandbox plays: Epic- and
 * Oracle-like EHRs take no Claim or Task writes from apps, so the history, the work Tasks and the
 * workspace's actions live in the billing store beside them, where the worker keeps claims.
 */
describe.each(SANDBOX_EHR_PROFILES)(
  'the billing workspace against a %s EHR',
  { timeout: 90_000 },
  (name) => {
    const profile = sandboxEhrProfile(name);
    let stack: SandboxStack;
    let biller: string;
    /** Where the claims and their work Tasks are kept. */
    let claimStore: SandboxEhr;

    beforeAll(async () => {
      stack = await startTestStack(false, profile, { history: true });
      claimStore = stack.billing ?? stack.ehr;
      biller = await billingSignIn(stack, 'pr-biller');
    }, 180_000);
    afterAll(async () => {
      await stack.close();
    });

    const queue = async (query: string) => {
      const res = await billingApi(stack, biller, `/api/billing/queue${query}`);
      expect(res.status, res.text).toBe(200);
      return res.json as unknown as QueuePage;
    };

    it('keeps the claims where the EHR can hold them, else in the billing store', () => {
      expect(stack.billing === undefined).toBe(holdsClaims(profile));
    });

    it('shows the seeded history in the queue, with patients named from the EHR', async () => {
      const page = await queue('?kind=claim-denied&pageSize=50');
      const history = page.items.filter((i) => i.claimId?.startsWith('hist-c-'));
      expect(history.length).toBeGreaterThan(0);
      expect(history.every((i) => !i.patient.name.startsWith('Patient/'))).toBe(true);
      expect(history.every((i) => i.payer && !i.payer.name.startsWith('Organization/'))).toBe(true);
    });

    it('assigns a work item to the biller, written to the Task where it lives', async () => {
      const item = (await queue('?kind=claim-denied&assignee=none')).items.find((i) =>
        i.claimId?.startsWith('hist-c-'),
      );
      if (!item) throw new Error('no unassigned denial from the history');
      const res = await billingApi(stack, biller, '/api/billing/queue/assign', {
        method: 'POST',
        body: { taskIds: [item.taskId], assignee: 'me' },
      });
      expect(res.status, res.text).toBe(200);
      expect(res.json).toEqual({ assigned: 1 });
      const task = await readFrom<Task>(claimStore, `Task/${item.taskId}`);
      expect(task.owner?.reference).toBe('Practitioner/pr-biller');
      const mine = await queue('?assignee=me');
      expect(mine.items.map((i) => i.taskId)).toContain(item.taskId);
    });

    it('appeals a denied claim, tracked as a Task beside the claim', async () => {
      const item = (await queue('?kind=claim-denied&pageSize=50')).items.find((i) =>
        i.claimId?.startsWith('hist-c-'),
      );
      const claimId = item?.claimId ?? '';
      const res = await fetch(`${stack.appUrl}/api/billing/claims/${claimId}/appeal`, {
        method: 'POST',
        headers: { authorization: `Bearer ${biller}`, 'idempotency-key': randomUUID() },
      });
      const answer = (await res.json()) as { action?: string; status?: string; taskId?: string };
      expect(res.status, JSON.stringify(answer)).toBe(200);
      expect(answer).toMatchObject({ action: 'appeal', status: 'in-progress' });
      const task = await readFrom<Task>(claimStore, `Task/${answer.taskId ?? ''}`);
      expect(task.focus?.reference).toBe(`Claim/${claimId}`);
      const detail = await billingApi(stack, biller, `/api/billing/claims/${claimId}`);
      expect(detail.status).toBe(200);
      const { actions } = detail.json as unknown as ClaimDetail;
      expect(actions.find((a) => a.kind === 'appeal')?.status).toBe('in-progress');
    });
  },
);
