import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Claim } from 'fhir/r4';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { billingApi, billingSignIn } from '../billing-office/billing-sign-in.ts';
import { signInToBilling } from './billing-sign-in.ts';
import { launchChromium } from './browser.ts';
import { startTestStack } from './sandbox-stack-fixture.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** Screenshots for a person to look at (gitignored). */
const SHOTS = 'test-output/billing';

let stack: SandboxStack;
let browser: Browser;
let context: BrowserContext;
let fhir: FhirGateway;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [stack, browser] = await Promise.all([
    startTestStack(false, undefined, { history: true }),
    launchChromium(),
  ]);
  context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const token = await stack.ehr.issueSystemToken('system/*.cruds');
  fhir = createFhirGateway({ baseUrl: stack.fhirBase, getToken: () => Promise.resolve(token) });
  await stack.worker.tick();
}, 180_000);
afterAll(async () => {
  await browser.close();
  await stack.close();
});

async function claimIdOf(encounterId: string, suffix = ''): Promise<string> {
  const found = await fhir.searchAll('Claim', {
    identifier: `${SYSTEM.claimId}|enc-${encounterId}${suffix}`,
  });
  const id = (found[0] as Claim | undefined)?.id;
  if (!id) throw new Error(`no claim for ${encounterId}${suffix}`);
  return id;
}

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    (
      window as unknown as {
        axe: { run: () => Promise<{ violations: { id: string; impact: string | null }[] }> };
      }
    ).axe.run(),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id);
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const width of [1280, 400]) {
    await page.setViewportSize({ width, height: 900 });
    const file = `${SHOTS}/${name}-${String(width)}.png`;
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size, file).toBeGreaterThan(5_000);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('the claim detail in a browser', { timeout: 180_000 }, () => {
  it('a biller works a denial from the queue to a paid replacement', async () => {
    const claimId = await claimIdOf(SEED_SCENARIOS.notCovered);
    const page = await context.newPage();
    await signInToBilling(page, stack.ehrLaunchUrl, 'Marcus Webb');
    await page.locator(`a[href="/billing/claims/${claimId}"]`).first().click();
    await page.getByRole('heading', { name: new RegExp(`Claim ${claimId}`) }).waitFor();
    expect(await page.getByTestId('claim-state').textContent()).toContain('partly denied');
    expect(await page.locator('tr[data-code="S9986"]').textContent()).toMatch(/96: Not covered/);
    expect(await seriousViolations(page)).toEqual([]);
    await shoot(page, 'claim-detail');

    await page.getByRole('button', { name: 'Correct and resubmit' }).click();
    const line2 = page.locator('fieldset[data-line="2"]');
    await line2.getByLabel('Code').fill('36415');
    await line2.getByLabel('Modifiers').fill('');
    await page.getByRole('button', { name: 'Resubmit', exact: true }).click();
    await page.getByText('Corrected: the worker sends the replacement claim.').waitFor();

    await stack.worker.tick();
    await page.reload();
    await page.getByRole('link', { name: /^Claim\// }).click();
    await page.getByTestId('claim-state').filter({ hasText: 'paid' }).waitFor();
    expect(await page.getByTestId('claim-state').textContent()).toContain('frequency 7');
    await page.close();
  });

  it('shows the appeal letter with Print and PDF, accessible', async () => {
    const claimId = await claimIdOf(SEED_SCENARIOS.timelyFiling);
    const page = await context.newPage();
    await signInToBilling(page, stack.ehrLaunchUrl, 'Marcus Webb');
    await page.goto(`${stack.appUrl}/billing/claims/${claimId}`);
    await page.getByRole('button', { name: 'Appeal' }).click();
    const letter = page.locator('article.appeal-letter');
    await letter.waitFor();
    expect(await letter.textContent()).toMatch(/Respond by \d{4}-\d{2}-\d{2}/);
    expect(await letter.textContent()).toMatch(/29: Filed too late/);
    expect(await page.getByRole('button', { name: 'Print' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Download PDF' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await shoot(page, 'appeal-letter');
    await page.close();
  });

  it('a coder has no write-off button, and the server refuses the write-off', async () => {
    const claimId = await claimIdOf(SEED_SCENARIOS.timelyFiling);
    const page = await context.newPage();
    await signInToBilling(page, stack.ehrLaunchUrl, 'Rosa Delgado');
    await page.goto(`${stack.appUrl}/billing/claims/${claimId}`);
    await page.getByRole('heading', { name: 'Actions' }).waitFor();
    expect(await page.getByRole('button', { name: 'Write off' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Correct and resubmit' }).count()).toBe(1);
    const handle = await billingSignIn(stack, 'pr-coder');
    const res = await fetch(`${stack.appUrl}/api/billing/claims/${claimId}/write-off`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${handle}`,
        'content-type': 'application/json',
        'idempotency-key': 'coder-write-off-1',
      },
      body: JSON.stringify({ amount: 5, reason: 'small-balance' }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe('BILLING_FORBIDDEN');
    expect((await billingApi(stack, handle, `/api/billing/claims/${claimId}`)).status).toBe(200);
    await page.close();
  });
});
