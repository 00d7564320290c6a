import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { addCode, launchFromEhr } from './app-frame.ts';
import { launchChromium } from './browser.ts';
import { startTestStack } from './sandbox-stack-fixture.ts';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const [ENC_SUGGEST, ENC_KEYBOARD, ENC_CONFLICT] = SEED_SCENARIOS.inProgress;

let stack: SandboxStack;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startTestStack(false), launchChromium()]);
  // bypassCSP only so the test can inject axe-core; the app's own CSP is asserted elsewhere.
  context = await browser.newContext({ bypassCSP: true });
});

afterAll(async () => {
  await browser.close();
  await stack.close();
});

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}

/** axe-core's serious and critical violations on the frame's current screen. */
async function seriousViolations(frame: Frame): Promise<string[]> {
  await frame.evaluate(AXE);
  const result = await frame.evaluate(() =>
    (window as unknown as { axe: { run: () => Promise<AxeResult> } }).axe.run(),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** The codes in a list, once the panel has loaded the encounter's saved coding (it renders after the banner). */
async function codesIn(frame: Frame, list: string): Promise<string[]> {
  await frame.locator('.coding-panel').waitFor();
  return frame.locator(`${list} > li .code`).allTextContents();
}

describe('the coding panel', () => {
  it('offers what the chart documents, one click to add', async () => {
    const page = await context.newPage();
    const frame = await launchFromEhr(page, stack.ehrLaunchUrl, ENC_SUGGEST);
    const fromChart = frame.getByRole('group', { name: 'From the chart' });
    await fromChart.waitFor();
    expect(await fromChart.textContent()).toContain('I10');
    expect(await fromChart.textContent()).toContain('E78.5');
    await frame
      .getByRole('group', { name: 'Documented procedures' })
      .getByRole('button', { name: /93000/ })
      .click();
    await fromChart.getByRole('button', { name: /I10/ }).click();
    expect(await codesIn(frame, '.dx-list')).toEqual(['I10']);
    expect(await codesIn(frame, '.line-list')).toEqual(['93000']);
    await page.close();
  });

  it('codes a visit with the keyboard alone: add, make primary, units, pointers, sign off', async () => {
    const page = await context.newPage();
    const frame = await launchFromEhr(page, stack.ehrLaunchUrl, ENC_KEYBOARD);
    await frame.locator('.coding-panel').press('Alt+d');
    await addCode(frame, 'Add diagnosis (ICD-10-CM)', 'uri', 'J06.9');
    await addCode(frame, 'Add diagnosis (ICD-10-CM)', 'cough', 'R05.9');
    await frame.locator('.dx[data-code="R05.9"]').press('p');
    expect(await codesIn(frame, '.dx-list')).toEqual(['R05.9', 'J06.9']);

    await frame.locator('.coding-panel').press('Alt+s');
    await addCode(frame, 'Add service (CPT/HCPCS)', '87880', '87880');
    const line = frame.locator('.line[data-code="87880"]');
    await line.press('2'); // stop pointing at diagnosis 2
    expect(await line.locator('.pointers input:checked').count()).toBe(1);
    await line.press('u');
    await frame.locator('.line[data-code="87880"] input.units').fill('2');
    await addCode(frame, 'Add service (CPT/HCPCS)', '99213', '99213');
    await frame.locator('.coding-panel').press('Control+Enter');
    await frame.getByText('Signed off: the charges are ready for billing.').waitFor();
    // What was saved is what the panel shows after a reload from the EHR.
    const again = await launchFromEhr(page, stack.ehrLaunchUrl, ENC_KEYBOARD);
    expect(await codesIn(again, '.dx-list')).toEqual(['R05.9', 'J06.9']);
    expect(await again.locator('.line[data-code="87880"] input.units').inputValue()).toBe('2');
    await page.close();
  });

  it('never lets two tabs silently overwrite each other: the second save merges', async () => {
    const [pageA, pageB] = await Promise.all([context.newPage(), context.newPage()]);
    const a = await launchFromEhr(pageA, stack.ehrLaunchUrl, ENC_CONFLICT);
    const b = await launchFromEhr(pageB, stack.ehrLaunchUrl, ENC_CONFLICT);
    await addCode(a, 'Add diagnosis (ICD-10-CM)', 'htn', 'I10');
    await addCode(a, 'Add service (CPT/HCPCS)', '99213', '99213');
    await a.getByRole('button', { name: 'Save draft' }).click();
    await a.getByText('Saved.').waitFor();

    await addCode(b, 'Add diagnosis (ICD-10-CM)', 'hyperlipidemia', 'E78.5');
    await b.getByRole('button', { name: 'Save draft' }).click();
    await b.getByText('merged their changes with yours').waitFor();
    expect(await codesIn(b, '.dx-list')).toEqual(['I10', 'E78.5']);
    await b.getByRole('button', { name: 'Save draft' }).click();
    await b.getByText('Saved.').waitFor();

    const fresh = await launchFromEhr(pageA, stack.ehrLaunchUrl, ENC_CONFLICT);
    expect(await codesIn(fresh, '.dx-list')).toEqual(['I10', 'E78.5']);
    expect(await codesIn(fresh, '.line-list')).toEqual(['99213']);
    await Promise.all([pageA.close(), pageB.close()]);
  });

  it('shows an NCCI bundling edit as the services are added, and clears it with the bypass modifier', async () => {
    const page = await context.newPage();
    const frame = await launchFromEhr(page, stack.ehrLaunchUrl, SEED_SCENARIOS.inProgress[5]);
    await addCode(frame, 'Add diagnosis (ICD-10-CM)', 'knee osteoarthritis', 'M17.11');
    await addCode(frame, 'Add service (CPT/HCPCS)', '99213', '99213');
    await addCode(frame, 'Add service (CPT/HCPCS)', '20610', '20610');
    const ptp = frame.locator('.finding[data-rule="ncci-ptp"]');
    await ptp.waitFor();
    expect(await ptp.textContent()).toContain('99213 is bundled into 20610');
    await frame.locator('.line[data-code="99213"] input.modifiers').fill('25');
    await frame.locator('.line[data-code="99213"] input.modifiers').press('Tab');
    await ptp.waitFor({ state: 'detached' });
    await page.close();
  });

  it('fits an EHR sidebar 400 px wide without sideways scrolling, in the EHR’s style', async () => {
    const page = await context.newPage();
    const frame = await launchFromEhr(page, stack.ehrLaunchUrl, SEED_SCENARIOS.inProgress[3]);
    await page.locator('iframe[title="ChartBill"]').evaluate((el) => {
      (el as HTMLIFrameElement).style.width = '400px';
    });
    await addCode(frame, 'Add diagnosis (ICD-10-CM)', 'dm2', 'E11.9');
    await addCode(frame, 'Add service (CPT/HCPCS)', '99214', '99214');
    const overflow = await frame.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    // The EHR's smart_style_url (sandbox highlight #1d3557) styles the app's primary action.
    const signOff = frame.getByRole('button', { name: 'Sign off' });
    expect(await signOff.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(29, 53, 87)',
    );
    await page.close();
  });

  it('has no serious or critical accessibility violations on the coding, status and error screens', async () => {
    const page = await context.newPage();
    const frame = await launchFromEhr(page, stack.ehrLaunchUrl, SEED_SCENARIOS.inProgress[4]);
    await addCode(frame, 'Add diagnosis (ICD-10-CM)', 'E11', 'E11');
    await frame.locator('.finding').first().waitFor();
    await frame.getByRole('combobox', { name: 'Add service (CPT/HCPCS)' }).fill('office');
    await frame.locator('[role="option"]').first().waitFor();
    expect(await seriousViolations(frame)).toEqual([]);

    await frame.getByRole('tab', { name: 'Claim status' }).click();
    await frame.locator('.status-panel').waitFor();
    expect(await seriousViolations(frame)).toEqual([]);

    const finished = await launchFromEhr(page, stack.ehrLaunchUrl, SEED_SCENARIOS.clean[0]);
    await finished.getByRole('tab', { name: 'Claim status' }).click();
    await finished.locator('.status-panel').waitFor();
    expect(await seriousViolations(finished)).toEqual([]);

    await page.goto(`${stack.appUrl}/launch?iss=https%3A%2F%2Funknown.example%2Ffhir&launch=x`);
    expect(await seriousViolations(page.mainFrame())).toEqual([]);
    await page.close();
  });
});
