import type { Frame, Page } from 'playwright-core';

/** Opens the sandbox EHR page, launches ChartBill for an encounter, and returns the app's frame once it is interactive. */
export async function launchFromEhr(
  page: Page,
  ehrLaunchUrl: string,
  encounterId: string,
): Promise<Frame> {
  await page.goto(ehrLaunchUrl);
  await page
    .locator(`a[data-encounter-id="${encounterId}"]`, { hasText: 'Launch ChartBill' })
    .first()
    .click();
  const iframe = page.locator('iframe[title="ChartBill"]');
  await iframe.waitFor();
  const frame = await (await iframe.elementHandle()).contentFrame();
  if (!frame) throw new Error('ChartBill iframe has no frame');
  await frame.locator('.encounter-line').waitFor({ timeout: 60_000 });
  return frame;
}

/** Types into a code search, arrows to `code` and presses Enter: the keyboard path. */
export async function addCode(
  frame: Frame,
  label: string,
  query: string,
  code: string,
): Promise<void> {
  const input = frame.getByRole('combobox', { name: label });
  await input.fill(query);
  await frame.locator('[role="option"]', { hasText: code }).first().waitFor();
  const options = await frame.locator('[role="option"] .code').allTextContents();
  for (let i = 0; i < options.indexOf(code); i++) await input.press('ArrowDown');
  // As a keyboard user does: Enter once the highlighted option is the code.
  await frame.locator('[role="option"][aria-selected="true"]', { hasText: code }).waitFor();
  await input.press('Enter');
  await frame
    .locator(`[data-code="${code}"]`)
    .first()
    .waitFor()
    .catch(async (err: unknown) => {
      // Say what the page showed instead, so that a failure on a busy CI machine can be read.
      const listed = await frame
        .locator('[data-code]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
      const alerts = await frame.getByRole('alert').allTextContents();
      throw new Error(
        `${code} never appeared after Enter in "${label}": the input holds ${JSON.stringify(await input.inputValue())}, ` +
          `${String(await frame.locator('[role="option"]').count())} options are open, the lists hold ${JSON.stringify(listed)}, ` +
          `alerts: ${JSON.stringify(alerts)}, frame ${frame.url()}${frame.isDetached() ? ' (detached)' : ''}`,
        { cause: err },
      );
    });
}
