import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ehrLaunchUrl } from '../app/launch-driver.ts';
import { startLaunchStack, type LaunchStack } from '../app/launch-stack.ts';
import { launchChromium } from './browser.ts';

let stack: LaunchStack;
let browser: Browser;
let appUrl: string;

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startLaunchStack({ apps: [{ clientId: 'cb' }] }),
    launchChromium(),
  ]);
  appUrl = stack.apps.get('cb')?.url ?? '';
});

afterAll(async () => {
  await browser.close();
  await stack.close();
});

const isAuthorize = (url: URL) => url.pathname === '/oauth/authorize';

/** Lets the EHR authorize, and returns the callback URL it redirects to without the browser following it. */
async function callbackOf(route: Route): Promise<URL> {
  const res = await route.fetch({ maxRedirects: 0 });
  return new URL(res.headers().location ?? '');
}

/** Opens the app's EHR launch URL at the top level (the app in its own window). */
async function launchTopLevel(page: Page, encounterId = 'enc-today-01'): Promise<void> {
  // 'commit': the launch page moves on to the EHR while it loads, so its own load may never fire.
  await page.goto(await ehrLaunchUrl(stack.ehr, encounterId, 'cb'), { waitUntil: 'commit' });
}

async function errorShown(page: Page): Promise<string> {
  await page.locator('.error-page').waitFor({ timeout: 60_000 });
  return (await page.locator('.error-page').textContent()) ?? '';
}

async function fresh(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

describe('launches ChartBill refuses, in a real browser', () => {
  it('an EHR that is not registered gets an error page', async () => {
    const { context, page } = await fresh();
    await page.goto(
      `${appUrl}/launch?iss=${encodeURIComponent('https://unknown.example/fhir')}&launch=abc`,
    );
    const text = await errorShown(page);
    expect(text).toContain('This EHR is not registered');
    expect(text).not.toContain('unknown.example'); // the page never repeats the request's text
    await context.close();
  });

  it('a callback with a state ChartBill never issued', async () => {
    const { context, page } = await fresh();
    await page.goto(`${appUrl}/callback?code=abc&state=forged`);
    expect(await errorShown(page)).toContain('This sign-in link is not valid');
    await context.close();
  });

  it('a replayed state, and an authorization code used a second time', async () => {
    const { context, page } = await fresh();
    const callbacks: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/callback') callbacks.push(r.url());
    });
    await launchTopLevel(page);
    await page.locator('.encounter-line').waitFor({ timeout: 60_000 });
    const used = new URL(callbacks[0] ?? '');

    await page.goto(used.href); // the same callback again: its state was spent
    expect(await errorShown(page)).toContain('already used');

    // A new launch whose callback carries the old code: the EHR refuses it, and the app says so.
    await page.route(isAuthorize, async (route) => {
      const callback = await callbackOf(route);
      callback.searchParams.set('code', used.searchParams.get('code') ?? '');
      await route.fulfill({ status: 302, headers: { location: callback.href } });
    });
    await launchTopLevel(page, 'enc-today-02');
    const text = await errorShown(page);
    expect(text).toContain('Sign-in with the EHR failed');
    expect(text).toContain('invalid_grant');
    await context.close();
  });

  it('a callback carried to another browser', async () => {
    const a = await fresh();
    const tokenRequests = stack.tokenRequests.length;
    const stolen = new Promise<URL>((resolve) => {
      void a.page.route(isAuthorize, async (route) => {
        resolve(await callbackOf(route));
        await route.fulfill({ status: 204 }); // browser A never reaches its callback
      });
    });
    await launchTopLevel(a.page);

    const b = await fresh();
    await b.page.goto((await stolen).href);
    expect(await errorShown(b.page)).toContain('started in another browser');
    expect(stack.tokenRequests.length).toBe(tokenRequests); // the code was never exchanged
    await Promise.all([a.context.close(), b.context.close()]);
  });

  it('an authorization request without PKCE: the EHR refuses it and the app shows the EHR’s error', async () => {
    const { context, page } = await fresh();
    await page.route(isAuthorize, async (route) => {
      const url = new URL(route.request().url());
      url.searchParams.delete('code_challenge');
      url.searchParams.delete('code_challenge_method');
      await route.continue({ url: url.href });
    });
    await launchTopLevel(page);
    const text = await errorShown(page);
    expect(text).toContain('The EHR did not authorize ChartBill (invalid_request)');
    expect(text).not.toContain('PKCE is required'); // the EHR's description goes to the log only
    expect(stack.logs.join('\n')).toContain('PKCE is required');
    await context.close();
  });
});
