import type { FastifyInstance } from 'fastify';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { loadAppConfig } from '../../smart-app/app-config.ts';
import { buildApp } from '../../smart-app/build-app.ts';
import { startLaunchStack, type LaunchStack } from '../app/launch-stack.ts';
import { launchChromium } from './browser.ts';

/**
 * An EHR launch against any SMART server (see README, "Running the launch test against another
 * SMART server"). With SMART_TEST_ISS unset, the sandbox plays an older SMART v1 server.
 */
const env = process.env;
const external = Boolean(env.SMART_TEST_ISS);

let browser: Browser;
let stack: LaunchStack | undefined;
let app: FastifyInstance | undefined;
let appUrl: string;
let launchPage: string;

/** The ChartBill app configured for the external server from SMART_TEST_* and listening on its registered port. */
async function startExternalApp(): Promise<void> {
  const port = Number(env.SMART_TEST_APP_PORT ?? 4455);
  appUrl = `http://127.0.0.1:${String(port)}`;
  const registration = {
    iss: env.SMART_TEST_ISS,
    clientId: env.SMART_TEST_CLIENT_ID,
    clientAuth: env.SMART_TEST_CLIENT_AUTH ?? 'public',
    ...(env.SMART_TEST_CLIENT_SECRET ? { clientSecretEnv: 'SMART_TEST_CLIENT_SECRET' } : {}),
    ...(env.SMART_TEST_PRIVATE_KEY_FILE ? { privateKeyFile: env.SMART_TEST_PRIVATE_KEY_FILE } : {}),
    ...(env.SMART_TEST_FRAME_ORIGINS
      ? { frameAncestors: env.SMART_TEST_FRAME_ORIGINS.split(',') }
      : {}),
  };
  const config = loadAppConfig({
    CHARTBILL_APP_PORT: String(port),
    CHARTBILL_APP_URL: appUrl,
    CHARTBILL_EHRS: JSON.stringify([registration]),
  });
  app = await buildApp(config, {
    logger: createLogger(env.TEST_LOG_LEVEL ?? 'silent', 'test'),
    codes: starterCodeSet(),
    env,
  });
  await app.listen({ host: '127.0.0.1', port });
  const launchUrl = `${appUrl}/launch`;
  launchPage = (env.SMART_TEST_LAUNCH_URL ?? '')
    .replaceAll('{launch_url}', encodeURIComponent(launchUrl))
    .replaceAll('{app_url}', encodeURIComponent(appUrl));
  if (!env.SMART_TEST_CLIENT_ID || !launchPage)
    throw new Error(
      'SMART_TEST_ISS needs SMART_TEST_CLIENT_ID and SMART_TEST_LAUNCH_URL (see README)',
    );
}

beforeAll(async () => {
  browser = await launchChromium();
  if (external) return startExternalApp();
  stack = await startLaunchStack({ apps: [{ clientId: 'cb' }], smartPermissions: ['v1'] });
  appUrl = stack.apps.get('cb')?.url ?? '';
  launchPage = `${stack.ehr.launchPageUrl}/encounter/enc-today-01`;
});

afterAll(async () => {
  await browser.close();
  await app?.close();
  await stack?.close();
});

/** The frame (the page itself, or an iframe of the EHR's page) where ChartBill has opened. */
async function chartBillFrame(page: Page, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (
        frame.url().startsWith(`${appUrl}/`) &&
        (await frame.locator('.app, .error-page').count()) > 0
      )
        return frame;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(
    `ChartBill did not open within ${String(timeoutMs)} ms (frames: ${page
      .frames()
      .map((f) => f.url())
      .join(', ')})`,
  );
}

describe(`an EHR launch from ${external ? (env.SMART_TEST_ISS ?? '') : 'the sandbox acting as a SMART v1 server'}`, () => {
  it('completes: the app opens with the launch context and no error', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(launchPage);
    const frame = await chartBillFrame(page, Number(env.SMART_TEST_TIMEOUT_MS ?? 20_000));
    expect(await frame.locator('.error-page').count()).toBe(0);
    await frame.locator('.encounter-line, .banner').first().waitFor();
    expect(frame.url()).toBe(`${appUrl}/app`);
    expect(await frame.locator('.notice', { hasText: 'did not grant' }).count()).toBe(0);
    await context.close();
  }, 60_000);
});
