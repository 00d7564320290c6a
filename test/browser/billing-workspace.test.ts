import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import { billingSignIn, billingApi } from '../billing-office/billing-sign-in.ts';
import { scrollsSideways, signInToBilling } from './billing-sign-in.ts';
import { launchChromium } from './browser.ts';
import { startTestStack } from './sandbox-stack-fixture.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** Screenshots for a person to look at (gitignored). */
const SHOTS = 'test-output/billing';

let stack: SandboxStack;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [stack, browser] = await Promise.all([startTestStack(false), launchChromium()]);
  // bypassCSP only so the test can inject axe-core; the app's own CSP is asserted elsewhere.
  context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser.close();
  await stack.close();
});

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    (window as unknown as { axe: { run: () => Promise<AxeResult> } }).axe.run(),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** A screenshot at 1280 and at 400 px wide; at 400 px the page must not scroll sideways. */
async function shootBothWidths(page: Page, name: string): Promise<void> {
  for (const width of [1280, 400]) {
    await page.setViewportSize({ width, height: 900 });
    const file = `${SHOTS}/${name}-${width}.png`;
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size, file).toBeGreaterThan(5_000);
    if (width === 400) expect(await scrollsSideways(page), `${name} at 400 px`).toBe(false);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('the billing workspace in a browser', () => {
  it('shows a coder the queue without analytics or assignment, and the server refuses them', async () => {
    const page = await context.newPage();
    await signInToBilling(page, stack.ehrLaunchUrl, 'Rosa Delgado');
    const header = page.getByRole('banner');
    expect(await header.textContent()).toContain('Coder');
    await page.getByRole('heading', { name: 'Work queue', exact: true }).waitFor();
    await page.locator('.queue-table, .notice').first().waitFor();
    expect(await page.getByRole('button', { name: 'Assign' }).count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Workspace' }).textContent()).not.toContain(
      'Analytics',
    );
    await page.goto(`${stack.appUrl}/billing/analytics`);
    await page.getByRole('heading', { name: 'Analytics is for billing managers' }).waitFor();
    const handle = await billingSignIn(stack, 'pr-coder');
    const assign = await billingApi(stack, handle, '/api/billing/queue/assign', {
      method: 'POST',
      body: { taskIds: ['any'], assignee: 'me' },
    });
    expect(assign.status).toBe(403);
    expect(assign.json.error).toBe('BILLING_FORBIDDEN');
    await page.close();
  });

  it('lets a biller work the queue at 1280 and 400 px, with no serious accessibility violation', async () => {
    const page = await context.newPage();
    await signInToBilling(page, stack.ehrLaunchUrl, 'Marcus Webb');
    await page.getByRole('heading', { name: 'Work queue', exact: true }).waitFor();
    await page.locator('.queue-table, .notice').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shootBothWidths(page, 'queue');
    // A filter is an address: the kind filter reaches the server and survives a reload.
    await page.getByLabel('Kind').selectOption('claim-denied');
    await page.waitForURL(/kind=claim-denied/);
    await page.reload();
    expect(await page.getByLabel('Kind').inputValue()).toBe('claim-denied');
    await page.close();
  });
});
