import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstancesStack, type InstancesStack } from '../app/instances-stack.ts';
import { addCode } from './app-frame.ts';
import { launchChromium } from './browser.ts';
import { appFrame } from './launch-fixture.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser.close();
});

/** Saves the draft and returns the status of the save the browser made. */
async function saveDraft(page: Page, frame: Frame): Promise<number> {
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/coding') && r.request().method() === 'PUT'),
    frame.getByRole('button', { name: 'Save draft' }).click(),
  ]);
  await frame.getByText('Saved.').waitFor();
  return answer.status();
}

async function codesIn(frame: Frame, list: string): Promise<string[]> {
  await frame.locator('.coding-panel').waitFor();
  return frame.locator(`${list} > li .code`).allTextContents();
}

describe.each(['postgres', 'redis'] as const)(
  'a clinician on two app instances sharing %s, in Chromium',
  (kind) => {
    let stack: InstancesStack;
    beforeAll(async () => {
      stack = await startInstancesStack({ store: kind });
    });
    afterAll(async () => {
      await stack.close();
    });

    it('launches on one, finishes on the other, saves on both, and notices no restart', async () => {
      // The launch on instance 0, the EHR's redirect back on instance 1, saves alternating,
      // everything else round-robin: a load balancer without sticky sessions.
      let saves = 0;
      stack.route = (method, path, rr) =>
        path === '/launch'
          ? 0
          : path === '/callback'
            ? 1
            : method === 'PUT' && path === '/api/coding'
              ? saves++ % 2
              : rr();
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${stack.ehr.launchPageUrl}/encounter/enc-today-05?client=cb`);
      const frame = await appFrame(page);
      await frame.locator('.encounter-line').waitFor({ timeout: 15_000 });

      await addCode(frame, 'Add diagnosis (ICD-10-CM)', 'htn', 'I10');
      await addCode(frame, 'Add service (CPT/HCPCS)', '99213', '99213');
      expect(await saveDraft(page, frame)).toBe(200);
      await addCode(frame, 'Add diagnosis (ICD-10-CM)', 'hyperlipidemia', 'E78.5');
      expect(await saveDraft(page, frame)).toBe(200);
      const seen = stack.routed.map(
        (r) => `${r.method} ${r.path} ${String(r.instance)} ${String(r.status)}`,
      );
      expect(seen).toContain('GET /launch 0 200');
      expect(seen).toContain('GET /callback 1 200');
      expect(seen).toContain('PUT /api/coding 0 200');
      expect(seen).toContain('PUT /api/coding 1 200');

      // A deploy: every instance stops and new ones start while the page stays open.
      await stack.restartAll();
      await addCode(frame, 'Add diagnosis (ICD-10-CM)', 'cough', 'R05.9');
      expect(await saveDraft(page, frame)).toBe(200);
      expect(await frame.getByRole('alert').count()).toBe(0);
      expect(await codesIn(frame, '.dx-list')).toEqual(['I10', 'E78.5', 'R05.9']);

      // What the EHR holds is what was saved, through every instance.
      await page.goto(`${stack.ehr.launchPageUrl}/encounter/enc-today-05?client=cb`);
      const again = await appFrame(page);
      await again.locator('.encounter-line').waitFor({ timeout: 15_000 });
      expect(await codesIn(again, '.dx-list')).toEqual(['I10', 'E78.5', 'R05.9']);
      expect(await codesIn(again, '.line-list')).toEqual(['99213']);
      await context.close();
      // One long journey (launch, three saves, a restart, a relaunch): room for a busy machine.
    }, 120_000);
  },
);
