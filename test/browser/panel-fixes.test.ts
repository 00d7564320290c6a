import type { Browser, Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxStack, type SandboxStack } from '../../cli/sandbox-stack.ts';
import { loadCodeSets } from '../../src/codes/load-code-sets.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { sandboxNcciTables } from '../../src/ncci/sandbox-ncci.ts';
import { sandboxPfsIndicators } from '../../src/pricing/sandbox-pfs-indicators.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { addCode, launchFromEhr } from './app-frame.ts';
import { launchChromium } from './browser.ts';

/**
 * One-click fixes that change a code (issue 16, item 3), clicked by a clinician in real Chromium:
 * a category becomes the billable code chosen, one code of an Excludes1 pair is kept, a visit
 * billed above its documented level becomes the supported level, and 57 replaces 25 on the visit
 * that decided on major surgery; the line keeps pointing at the same diagnoses throughout, and
 * what is saved is what the panel shows when reopened. On the shipped full code sets.
 */

const ENCOUNTER = SEED_SCENARIOS.inProgress[3];
let stack: SandboxStack;
let browser: Browser;

beforeAll(async () => {
  const { codes } = await loadCodeSets('/nonexistent-chartbill-data');
  [stack, browser] = await Promise.all([
    startSandboxStack({
      host: '127.0.0.1',
      ports: { app: 0, ehr: 0, payer: 0, worker: 0 },
      logger: createLogger('silent', 'test'),
      codes,
      editReference: { ncci: sandboxNcciTables(), indicators: sandboxPfsIndicators() },
      workerSchedule: '*/1 * * * * *',
      startWorker: false,
      history: false,
    }),
    launchChromium(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser.close();
  await stack.close();
});

const codesIn = (frame: Frame, list: string): Promise<string[]> =>
  frame.locator(`${list} > li .code`).allTextContents();

/** Clicks the fix button named `name` on the finding of `rule`, and waits for that finding to go. */
async function clickFix(frame: Frame, rule: string, name: string): Promise<void> {
  const finding = frame.locator(`.finding[data-rule="${rule}"]`);
  await finding.getByRole('button', { name }).click();
  await finding.waitFor({ state: 'detached' });
}

describe('one-click fixes that change a code', () => {
  it('a clinician clicks through them; pointers stay on the same diagnoses and the result is saved', async () => {
    const page = await (await browser.newContext()).newPage();
    const frame = await launchFromEhr(page, stack.ehrLaunchUrl, ENCOUNTER);
    await frame.locator('.coding-panel').waitFor();
    await addCode(frame, 'Add diagnosis (ICD-10-CM)', 'E11', 'E11');
    await addCode(frame, 'Add diagnosis (ICD-10-CM)', 'hypertension', 'I10');
    await addCode(frame, 'Add service (CPT/HCPCS)', '99214', '99214');
    const visit = (code: string) => frame.locator(`.line[data-code="${code}"]`);
    expect(await visit('99214').locator('.pointers input:checked').count()).toBe(2);

    // E11 is a category: "Use E11.9" replaces it in place.
    await clickFix(frame, 'dx-not-billable', 'Use E11.9');
    expect(await codesIn(frame, '.dx-list')).toEqual(['E11.9', 'I10']);
    expect(await visit('99214').locator('.pointers input:checked').count()).toBe(2);

    // E11 excludes E10: keep E11.9, E10.9 goes and the visit no longer points at it.
    await addCode(frame, 'Add diagnosis (ICD-10-CM)', 'E10.9', 'E10.9');
    expect(await visit('99214').locator('.pointers input:checked').count()).toBe(3);
    await clickFix(frame, 'dx-excludes1', 'Keep E11.9');
    expect(await codesIn(frame, '.dx-list')).toEqual(['E11.9', 'I10']);
    expect(await visit('99214').locator('.pointers input:checked').count()).toBe(2);

    // 22 minutes support 99213: "Use 99213" changes the billed level, the basis stays.
    await frame.getByLabel('Total minutes on the date').fill('22');
    await clickFix(frame, 'em-level-above-documented', 'Use 99213');
    expect(await codesIn(frame, '.line-list')).toEqual(['99213']);
    expect(await frame.getByLabel('Total minutes on the date').inputValue()).toBe('22');

    // The visit decided on a knee replacement (090 global): 57 replaces the 25 entered.
    await addCode(frame, 'Add diagnosis (ICD-10-CM)', 'M17.11', 'M17.11');
    await addCode(frame, 'Add service (CPT/HCPCS)', '27447', '27447');
    // The edits have answered for the new line before the modifier is typed (no re-render races).
    await frame
      .locator('.finding[data-rule="em-needs-25"]')
      .getByRole('button', { name: 'Add modifier 57' })
      .waitFor();
    await visit('99213').locator('input.modifiers').fill('25');
    await visit('99213').locator('input.modifiers').press('Tab');
    await clickFix(frame, 'em-needs-25', 'Change modifier 25 to 57');
    expect(await visit('99213').locator('input.modifiers').inputValue()).toBe('57');

    await frame.getByRole('button', { name: 'Save draft' }).click();
    await frame.getByText('Saved.').waitFor();
    const again = await launchFromEhr(page, stack.ehrLaunchUrl, ENCOUNTER);
    await again.locator('.coding-panel').waitFor();
    expect(await codesIn(again, '.dx-list')).toEqual(['E11.9', 'I10', 'M17.11']);
    expect(await codesIn(again, '.line-list')).toEqual(['99213', '27447']);
    const saved = again.locator('.line[data-code="99213"]');
    expect(await saved.locator('input.modifiers').inputValue()).toBe('57');
    expect(await again.getByLabel('Total minutes on the date').inputValue()).toBe('22');
    await page.close();
  });
});
