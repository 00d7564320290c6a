import { randomUUID } from 'node:crypto';
import type { Task } from 'fhir/r4';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CLIENT_ID, type SandboxStack } from '../../cli/sandbox-stack.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { launchSession } from '../app/launch-driver.ts';
import { launchFromEhr } from './app-frame.ts';
import { launchChromium } from './browser.ts';
import { startTestStack } from './sandbox-stack-fixture.ts';

let stack: SandboxStack;
let browser: Browser;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(false), launchChromium()]);
  await stack.worker.tick();
}, 180_000);
afterAll(async () => {
  await browser.close();
  await stack.close();
});

async function chart(
  encounterId: string,
  path: string,
  init: { method: string; body: unknown; key?: string },
) {
  const handle = await launchSession(stack.ehr, stack.appUrl, APP_CLIENT_ID, encounterId);
  const res = await fetch(`${stack.appUrl}${path}`, {
    method: init.method,
    headers: {
      authorization: `Bearer ${handle}`,
      'content-type': 'application/json',
      ...(init.key ? { 'idempotency-key': init.key } : {}),
    },
    body: JSON.stringify(init.body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('coding after billing (issue 17, item 5)', { timeout: 120_000 }, () => {
  it('refuses a clinician’s save of billed coding on the server, in words', async () => {
    const id = SEED_SCENARIOS.clean[0];
    const res = await chart(id, '/api/coding', {
      method: 'PUT',
      body: {
        coding: {
          diagnoses: [{ code: 'I10' }],
          lines: [{ code: '99213', system: 'cpt', units: 1, modifiers: [], pointers: [1] }],
        },
        signOff: true,
        seen: { conditions: {}, chargeItems: {} },
      },
    });
    expect(res.status).toBe(409);
    expect(res.json.error).toBe('CODING_ALREADY_BILLED');
    expect(res.json.message).toMatch(/billed on \d{4}-\d{2}-\d{2}/);
    expect(res.json.hint).toMatch(/Request a correction/);
  });

  it('shows the coding as billed, read-only, and turns “Request a correction” into a Task for billing', async () => {
    const id = SEED_SCENARIOS.clean[4];
    const page = await browser.newPage();
    const frame = await launchFromEhr(page, stack.ehrLaunchUrl, id);
    const banner = frame.getByText(/Billed on \d{4}-\d{2}-\d{2}: claim .+ is paid/);
    await banner.waitFor();
    expect(await frame.getByRole('button', { name: 'Sign off' }).count()).toBe(0);
    expect(await frame.getByLabel('Add diagnosis (ICD-10-CM)').count()).toBe(0);
    await frame.getByRole('button', { name: 'Request a correction' }).click();
    await frame
      .getByLabel('What should billing correct, and why?')
      .fill('Add modifier 25: separate E/M documented.');
    await frame.getByRole('button', { name: 'Send to billing' }).click();
    await frame.getByText('Sent: billing staff will correct the claim.').waitFor();
    await page.close();

    const token = await stack.ehr.issueSystemToken('system/*.cruds');
    const fhir = createFhirGateway({
      baseUrl: stack.fhirBase,
      getToken: () => Promise.resolve(token),
    });
    const tasks = (await fhir.searchAll('Task', {
      code: `${SYSTEM.taskCode}|coding-correction`,
      encounter: `Encounter/${id}`,
    })) as Task[];
    expect(tasks).toHaveLength(1);
    expect(tasks[0]?.description).toBe('Add modifier 25: separate E/M documented.');
    expect(tasks[0]?.status).toBe('requested');
    expect(tasks[0]?.requester?.reference).toMatch(/^Practitioner\//);
  });

  it('makes one Task of a correction request sent twice with one key, and none before billing', async () => {
    const key = randomUUID();
    const body = { text: 'Wrong diagnosis order.' };
    const id = SEED_SCENARIOS.clean[0];
    const a = await chart(id, '/api/coding/correction-request', { method: 'POST', body, key });
    const b = await chart(id, '/api/coding/correction-request', { method: 'POST', body, key });
    expect(a.status).toBe(200);
    expect(b.json).toMatchObject({ taskId: a.json.taskId, repeated: true });
    const notBilled = await chart(SEED_SCENARIOS.inProgress[0], '/api/coding/correction-request', {
      method: 'POST',
      body,
      key: randomUUID(),
    });
    expect(notBilled.status).toBe(409);
  });
});
