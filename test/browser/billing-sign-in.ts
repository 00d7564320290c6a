import type { Page } from 'playwright-core';

/**
 * Signs in to the billing workspace as a person does: the sandbox EHR's "Billing" link, the
 * EHR's sign-in page (choosing `userName`), back to ChartBill's /billing. Returns once the
 * workspace's header names the user.
 */
export async function signInToBilling(
  page: Page,
  ehrListUrl: string,
  userName: string,
): Promise<void> {
  await page.goto(ehrListUrl);
  await page.getByRole('link', { name: 'Billing', exact: true }).click();
  await page.getByRole('radio', { name: new RegExp(userName) }).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/billing(\?|$)/);
  await page.getByTestId('who').filter({ hasText: userName }).waitFor({ timeout: 60_000 });
}

/** Whether the page can be scrolled sideways (a 400 px pane must not be). */
export function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1,
  );
}
