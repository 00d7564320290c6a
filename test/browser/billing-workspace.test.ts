import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import { AGING_BUCKETS } from '../../src/billing-office/ar-aging.ts';
import type { Analytics, ClaimListPage } from '../../src/billing-office/billing-api.ts';
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
  [stack, browser] = await Promise.all([
    startTestStack(false, undefined, { history: true }),
    launchChromium(),
  ]);
  // The seeded claims worked by the worker, so the queue and the charts have something to show.
  for (let i = 0; i < 3; i++) await stack.worker.tick();
  await stack.billingReadModel.sync();
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
    const analytics = await billingApi(stack, handle, '/api/billing/analytics');
    expect(analytics.status).toBe(403);
    expect(analytics.json.error).toBe('BILLING_FORBIDDEN');
    await page.close();
  });

  it('lets a biller work the queue at 1280 and 400 px, with no serious accessibility violation', async () => {
    const page = await context.newPage();
    await signInToBilling(page, stack.ehrLaunchUrl, 'Marcus Webb');
    await page.getByRole('heading', { name: 'Work queue', exact: true }).waitFor();
    await page.locator('.queue-table, .notice').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shootBothWidths(page, 'queue');
    // Take the first unassigned item: it comes back from the server with the biller's name.
    const row = page
      .locator('tr[data-task-id]', { has: page.getByRole('button', { name: /^Take it/ }) })
      .first();
    const taskId = await row.getAttribute('data-task-id');
    await row.getByRole('button', { name: /^Take it/ }).click();
    await page.getByText(/1 item assigned to you/).waitFor();
    expect(
      await page.locator(`tr[data-task-id="${taskId}"] td[data-label="Assignee"]`).textContent(),
    ).toContain('Marcus Webb');
    // A filter is an address: the kind filter reaches the server and survives a reload.
    await page.getByLabel('Kind').selectOption('claim-denied');
    await page.waitForURL(/kind=claim-denied/);
    await page.reload();
    expect(await page.getByLabel('Kind').inputValue()).toBe('claim-denied');
    await page.close();
  });

  it('lets a manager read the denial chart and its table, then open exactly the claims behind a bar', async () => {
    const handle = await billingSignIn(stack, 'pr-manager');
    const figures = (await billingApi(stack, handle, '/api/billing/analytics'))
      .json as unknown as Analytics;
    const top = figures.denials.byReason[0];
    if (!top?.drill) throw new Error('the sandbox seed has no denial to chart');
    const page = await context.newPage();
    await signInToBilling(page, stack.ehrLaunchUrl, 'Helen Park');
    await page.getByRole('link', { name: 'Analytics' }).click();
    const chart = page.locator('[data-chart="denials-by-reason"]');
    await chart.getByRole('img', { name: /Top denial reasons/ }).waitFor();
    // The picture says its numbers in words (desc), and the table view has the same numbers.
    const desc = await chart.locator('svg[role="img"] desc').textContent();
    expect(desc).toContain(top.label);
    await chart.getByRole('button', { name: 'Show table' }).click();
    const firstRow = chart.getByRole('table').locator('tbody tr').first();
    expect(await firstRow.locator('th').textContent()).toBe(top.label);
    const dollars = (top.amount ?? 0).toLocaleString('en-US', {
      style: 'currency',
      currency: 'USD',
    });
    expect(await firstRow.locator('td').first().textContent()).toBe(dollars);
    expect(await seriousViolations(page)).toEqual([]);
    await shootBothWidths(page, 'analytics');

    // The keyboard way: the bar is a link; Enter opens the claims behind it.
    const bar = chart.getByRole('link', { name: new RegExp(`^${escapeRegExp(top.label)}:`) });
    await bar.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/billing\?/);
    expect(new URL(page.url()).search.slice(1)).toBe(top.drill);
    await page.getByTestId('claims-total').waitFor();
    const behind = (
      await billingApi(stack, handle, `/api/billing/claims?${top.drill}&pageSize=200`)
    ).json as unknown as ClaimListPage;
    expect(behind.total).toBeGreaterThan(0);
    expect(behind.totalDenied).toBeCloseTo(top.amount ?? 0, 2);
    const shown = await page
      .locator('tr[data-claim-id]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-claim-id')));
    expect(shown.sort()).toEqual(behind.items.map((c) => c.claimId).sort());
    expect(await seriousViolations(page)).toEqual([]);
    await shootBothWidths(page, 'claims-behind-a-bar');
    await page.close();
  });

  it('lets a manager click an A/R aging bar and see exactly the claims that owe it, or reach them from the table', async () => {
    const handle = await billingSignIn(stack, 'pr-manager');
    const figures = (await billingApi(stack, handle, '/api/billing/analytics'))
      .json as unknown as Analytics;
    // The segment with the most claims (the seeded history leaves balances in several buckets).
    const segments = figures.arAging.flatMap((row) =>
      AGING_BUCKETS.map((bucket) => ({ row, bucket, claims: row.claims[bucket] })),
    );
    const biggest = segments.sort((a, b) => b.claims - a.claims)[0];
    if (!biggest || biggest.claims === 0) throw new Error('the sandbox seed has no balance to age');
    const { row, bucket } = biggest;
    const drill = row.drills[bucket];
    const name = new RegExp(`^${escapeRegExp(`${row.payer}, ${bucket} days:`)}`);
    const dollars = row.buckets[bucket].toLocaleString('en-US', {
      style: 'currency',
      currency: 'USD',
    });

    const page = await context.newPage();
    await signInToBilling(page, stack.ehrLaunchUrl, 'Helen Park');
    await page.getByRole('link', { name: 'Analytics' }).click();
    const chart = page.locator('[data-chart="ar-aging"]');
    await chart.getByRole('img', { name: /A\/R aging by payer/ }).waitFor();
    // The bar names its dollars and how many claims owe them; a click opens those claims.
    const bar = chart.getByRole('group').getByRole('link', { name });
    expect(await bar.getAttribute('aria-label')).toContain(
      `in ${String(biggest.claims)} claim${biggest.claims === 1 ? '' : 's'}`,
    );
    await bar.click();
    await page.waitForURL(/\/billing\?/);
    expect(new URL(page.url()).search.slice(1)).toBe(drill);
    const total = page.getByTestId('claims-total');
    await total.waitFor();
    expect(await total.textContent()).toBe(
      `${String(biggest.claims)} ${biggest.claims === 1 ? 'claim' : 'claims'}`,
    );
    expect(await page.getByTestId('claims-balance').textContent()).toBe(`${dollars} outstanding`);
    const behind = (await billingApi(stack, handle, `/api/billing/claims?${drill}&pageSize=50`))
      .json as unknown as ClaimListPage;
    const shown = await page
      .locator('tr[data-claim-id]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-claim-id')));
    expect(shown.sort()).toEqual(behind.items.map((c) => c.claimId).sort());
    expect(await seriousViolations(page)).toEqual([]);
    await shootBothWidths(page, 'claims-behind-an-aging-bar');

    // The keyboard way, from the table view: the segment's number is a link too.
    await page.goBack();
    await chart.getByRole('button', { name: 'Show table' }).click();
    const cell = chart.getByRole('table').getByRole('link', { name });
    await cell.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.search.slice(1) === drill);
    await total.waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
