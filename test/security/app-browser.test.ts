import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeAt, ehrLaunchUrl, startLaunch } from '../app/launch-driver.ts';
import { startLaunchStack, type LaunchStack } from '../app/launch-stack.ts';
import { launchChromium } from '../browser/browser.ts';
import { appFrame, hostPage } from '../browser/launch-fixture.ts';

let stack: LaunchStack;
let browser: Browser;
let appUrl: string;
/** The attacker's site: http://localhost:<port>, another site than the app on 127.0.0.1. */
let evil: Awaited<ReturnType<typeof hostPage>>;

beforeAll(async () => {
  evil = await hostPage();
  [stack, browser] = await Promise.all([
    startLaunchStack({ apps: [{ clientId: 'cb' }] }),
    launchChromium(),
  ]);
  appUrl = stack.apps.get('cb')?.url ?? '';
});

afterAll(async () => {
  await browser.close();
  await stack.close();
  await evil.close();
});

async function fresh(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

/** The attacker's own launch, stopped at its callback: code, state and the binding secret. */
async function attackersLaunch(): Promise<{ callback: URL; binding: string }> {
  const mine = await startLaunch(await ehrLaunchUrl(stack.ehr, 'enc-today-07', 'cb'));
  return { callback: await authorizeAt(mine.authorizeUrl), binding: mine.binding };
}

const exchanges = () => stack.tokenRequests.filter((r) => r.grant === 'authorization_code').length;
const attr = (s: string) => s.replaceAll('&', '&amp;').replaceAll('"', '&quot;');

/** What the clinician's browser holds for the app's origin once the attack has run. */
async function sessionIn(page: Page): Promise<string | null> {
  return page.evaluate(() => sessionStorage.getItem('chartbill.session'));
}

describe('login CSRF in a real browser', () => {
  it('a page on another site that auto-posts its own sign-in to /callback is refused', async () => {
    const { callback, binding } = await attackersLaunch();
    const before = exchanges();
    const fields = {
      code: callback.searchParams.get('code') ?? '',
      state: callback.searchParams.get('state') ?? '',
      binding,
    };
    const inputs = Object.entries(fields)
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${attr(v)}">`)
      .join('');
    evil.show(
      `<!doctype html><title>Cute cats</title><form id="f" method="post" action="${appUrl}/callback">${inputs}</form><script>document.getElementById('f').submit()</script>`,
    );

    const { context, page } = await fresh();
    await page.goto(`http://localhost:${String(evil.port)}/`);
    await page.waitForURL(`${appUrl}/callback`);
    await page.locator('.error-page').waitFor({ timeout: 60_000 });
    expect(await page.locator('.error-page').textContent()).toContain(
      'This sign-in was not started here',
    );
    expect(await sessionIn(page)).toBeNull();
    expect(exchanges()).toBe(before);
    await context.close();
  });
});

describe('sessions and error pages in a real browser', () => {
  it('the Sign out button ends the session here and at the EHR', async () => {
    const { context, page } = await fresh();
    await page.goto(`${stack.ehr.launchPageUrl}/encounter/enc-today-08`);
    const frame = await appFrame(page);
    await frame.locator('.encounter-line').waitFor({ timeout: 60_000 });
    const handle = await frame.evaluate(() => sessionStorage.getItem('chartbill.session'));
    expect(handle).toMatch(/^[\w-]{43}$/);

    await frame.getByRole('button', { name: 'Sign out' }).click();
    await frame.getByRole('heading', { name: 'Signed out' }).waitFor();
    expect(await frame.evaluate(() => sessionStorage.getItem('chartbill.session'))).toBeNull();
    const res = await fetch(`${appUrl}/api/context`, {
      headers: { authorization: `Bearer ${handle ?? ''}` },
    });
    expect(res.status).toBe(401);
    await context.close();
  });

  it('a refused callback does not leave code and state in the address bar or history', async () => {
    const { context, page } = await fresh();
    await page.goto(`${appUrl}/callback?code=the-code-value&state=forged`);
    await page.locator('.error-page').waitFor({ timeout: 60_000 });
    await page.waitForURL(`${appUrl}/callback`);
    const cdp = await context.newCDPSession(page);
    const history = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string }[] };
    expect(history.entries.map((e) => e.url).join(' ')).not.toContain('the-code-value');
    await context.close();
  });
});
