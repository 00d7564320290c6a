import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ehrLaunchUrl } from '../app/launch-driver.ts';
import { startLaunchStack, type LaunchStack } from '../app/launch-stack.ts';
import { launchChromium } from './browser.ts';
import { apiFromFrame, appFrame, hostPage, webStorage } from './launch-fixture.ts';

let stack: LaunchStack;
let browser: Browser;
let appUrl: string;
let host: Awaited<ReturnType<typeof hostPage>>;
const LIMITED =
  'launch openid fhirUser online_access patient/Patient.rs patient/Encounter.rs patient/Condition.cruds patient/ChargeItem.rs patient/Procedure.rs patient/Coverage.rs patient/Claim.rs patient/ClaimResponse.rs patient/CoverageEligibilityResponse.rs patient/Task.rs user/*.rs';

beforeAll(async () => {
  host = await hostPage();
  [stack, browser] = await Promise.all([
    startLaunchStack({
      apps: [
        // An EHR page served as http://localhost:<port>: another site than the app on 127.0.0.1.
        { clientId: 'cb', frameAncestors: () => [`http://localhost:${String(host.port)}`] },
        { clientId: 'cb-limited', scope: LIMITED },
      ],
    }),
    launchChromium(),
  ]);
  appUrl = stack.apps.get('cb')?.url ?? '';
});

afterAll(async () => {
  await browser.close();
  await stack.close();
  await host.close();
});

/**
 * Opens the EHR's encounter page and waits for ChartBill in its iframe. `crossSite`: the same
 * launch (iss and a fresh launch id from the EHR) framed by a page on http://localhost instead.
 */
async function ehrLaunch(
  page: Page,
  encounterId: string,
  opts: { crossSite?: boolean; client?: string } = {},
) {
  if (opts.crossSite) {
    const src = await ehrLaunchUrl(stack.ehr, encounterId, opts.client ?? 'cb');
    host.show(
      `<!doctype html><html lang="en"><title>Another EHR</title><h1>Another EHR</h1><iframe title="ChartBill" src="${src.replaceAll('&', '&amp;')}"></iframe></html>`,
    );
    await page.goto(`http://localhost:${String(host.port)}/`);
  } else {
    await page.goto(
      `${stack.ehr.launchPageUrl}/encounter/${encounterId}${opts.client ? `?client=${opts.client}` : ''}`,
    );
  }
  const frame = await appFrame(page);
  await frame.locator('.encounter-line').waitFor({ timeout: 60_000 });
  return frame;
}

function completedVia(): string[] {
  return stack.logs
    .filter((l) => l.includes('launch completed'))
    .map((l) => (JSON.parse(l) as { binding: string }).binding);
}

describe('launching ChartBill in a real browser', () => {
  it('EHR launch in the EHR’s iframe: no token or code in the browser, the URLs or the logs, and the EHR’s style applied', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const codes: string[] = [];
    page.on('request', (r) => {
      const code = new URL(r.url()).searchParams.get('code');
      if (code) codes.push(code);
    });
    const frame = await ehrLaunch(page, 'enc-today-01');
    expect(frame.url()).toBe(`${appUrl}/app`);
    expect(await frame.locator('.banner').count()).toBe(0); // need_patient_banner=false: the EHR shows the patient

    const secrets = [...stack.tokenRequests.flatMap((r) => r.secrets), ...codes];
    expect(secrets.length).toBeGreaterThanOrEqual(4); // access, refresh, id token and the code
    const storage = await webStorage(frame);
    expect(storage.local).toEqual([]);
    expect(storage.session.map((e) => e.split('=')[0]).sort()).toEqual([
      'chartbill.launch-binding',
      'chartbill.session',
    ]);
    const exposed = [frame.url(), page.url(), ...storage.session, stack.logs.join('\n')].join('\n');
    for (const secret of secrets) expect(exposed).not.toContain(secret);
    expect(stack.logs.join('\n')).not.toMatch(/access_token|refresh_token/);
    // The binding cookie came back in the EHR's iframe: partitioned by the EHR's site (CHIPS).
    const cookie = (await context.cookies()).find((c) => c.name === '__Host-chartbill-launch');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'None' });
    expect(completedVia().at(-1)).toBe('cookie');

    // smart_style_url: the EHR's colours reach the page as CSS custom properties.
    // The UI's own helper, bundled as the app bundles it, run in the app's frame.
    const bundle = await build({
      entryPoints: ['smart-app/ui/smart-style.ts'],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'smartStyle',
      logLevel: 'silent',
    });
    await frame.evaluate(`${bundle.outputFiles[0]?.text ?? ''}; window.smartStyle = smartStyle;`);
    const value = await frame.evaluate(async () => {
      const mod = (
        window as unknown as { smartStyle: { loadSmartStyle: (api: unknown) => Promise<unknown> } }
      ).smartStyle;
      const handle = sessionStorage.getItem('chartbill.session') ?? '';
      const api = async (path: string): Promise<unknown> => {
        const res = await fetch(path, { headers: { authorization: `Bearer ${handle}` } });
        return (await res.json()) as unknown;
      };
      await mod.loadSmartStyle(api);
      return getComputedStyle(document.documentElement).getPropertyValue('--smart-color-highlight');
    });
    expect(value).toBe('#1d3557');
    await context.close();
  });

  it('launches inside an iframe of an EHR page on another site (localhost framing 127.0.0.1)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const frame = await ehrLaunch(page, 'enc-today-02', { crossSite: true });
    expect(await frame.locator('.encounter-line').textContent()).toContain('Encounter');
    expect(completedVia().at(-1)).toBe('cookie');
    const cookie = (await context.cookies()).find((c) => c.name === '__Host-chartbill-launch') as
      { partitionKey?: string } | undefined;
    expect(cookie?.partitionKey).toBe('http://localhost');
    await context.close();
  });

  it('finishes with the tab’s secret when the browser refuses the binding cookie', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // As a browser that blocks third-party cookies outright would: the cookie is gone before the callback.
    await context.route(
      (url) => url.pathname === '/oauth/authorize',
      async (route) => {
        await context.clearCookies();
        await route.continue();
      },
    );
    const frame = await ehrLaunch(page, 'enc-today-03', { crossSite: true });
    expect(frame.url()).toBe(`${appUrl}/app`);
    expect(await context.cookies()).toEqual([]);
    expect(completedVia().at(-1)).toBe('tab');
    await context.close();
  });

  it('standalone launch in its own window: the patient picker, the banner, and no code in the address bar or history', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${appUrl}/standalone`);
    await page.getByRole('heading', { name: /Choose a patient/ }).waitFor();
    const second = page.getByRole('radio').nth(1);
    const chosen =
      ((await second.locator('xpath=..').textContent()) ?? '').split(',')[0]?.trim() ?? '';
    await second.check();
    await page.getByRole('button', { name: /Open ChartBill/ }).click();
    await page.locator('.banner').waitFor({ timeout: 60_000 });
    expect(await page.locator('.banner .patient-name').textContent()).toContain(chosen);
    expect(page.url()).toBe(`${appUrl}/app`);
    const cdp = await context.newCDPSession(page);
    const history = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string }[] };
    for (const entry of history.entries) expect(entry.url).not.toMatch(/[?&](code|access_token)=/);
    await context.close();
  });

  it('refreshes the token once for concurrent requests, and asks the user to relaunch once the EHR revokes the session', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const frame = await ehrLaunch(page, 'enc-today-04');
    const refreshes = () => stack.tokenRequests.filter((r) => r.grant === 'refresh_token');
    const before = refreshes().length;
    stack.advance(250_000); // 50 s before the 300 s access token expires
    const statuses = await apiFromFrame(frame, [
      '/api/context',
      '/api/coding',
      '/api/status',
      '/api/context',
      '/api/style',
    ]);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(refreshes().length - before).toBe(1);

    const refreshToken = refreshes().at(-1)?.secrets[1] ?? '';
    await fetch(`${stack.ehr.origin}/oauth/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token: refreshToken, client_id: 'cb' }),
    });
    await frame.goto(`${appUrl}/app`); // a reload: the handle is still in this tab's sessionStorage
    await frame.getByRole('alert').waitFor();
    expect(await frame.locator('main').textContent()).toContain(
      'Relaunch ChartBill from the encounter in your EHR.',
    );
    await context.close();
  });

  it('names what the EHR did not grant and what stops working', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const frame = await ehrLaunch(page, 'enc-today-06', { client: 'cb-limited' });
    const notice = frame.locator('.notice', { hasText: 'did not grant' });
    await notice.waitFor();
    expect(await notice.textContent()).toContain('patient/ChargeItem.crus');
    expect(await notice.textContent()).toContain('Services cannot be saved');
    await context.close();
  });

  it('cannot be framed by a page on an origin that is not a registered EHR', async () => {
    const other = await hostPage();
    other.show(
      `<!doctype html><title>Not an EHR</title><iframe title="ChartBill" src="${appUrl}/app"></iframe>`,
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    const blocked = page.waitForEvent('console', (m) => m.text().includes('frame-ancestors'));
    await page.goto(`http://localhost:${String(other.port)}/`);
    await blocked;
    const frame = await appFrame(page);
    expect(frame.url()).not.toContain(appUrl);
    await context.close();
    await other.close();
  });
});
