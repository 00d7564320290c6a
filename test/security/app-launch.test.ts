import { afterEach, describe, expect, it } from 'vitest';
import { authorizeAt, ehrLaunchUrl, finishInTab, startLaunch } from '../app/launch-driver.ts';
import { startLaunchStack, type LaunchStack } from '../app/launch-stack.ts';

let stack: LaunchStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function started(): Promise<{ s: LaunchStack; url: string }> {
  stack = await startLaunchStack({ apps: [{ clientId: 'cb' }] });
  return { s: stack, url: stack.apps.get('cb')?.url ?? '' };
}

/** The attacker's own launch, up to the callback it never follows: its code, state and binding secret. */
async function attackersLaunch(s: LaunchStack): Promise<{ callback: URL; binding: string }> {
  const mine = await startLaunch(await ehrLaunchUrl(s.ehr, 'enc-today-04', 'cb'));
  return { callback: await authorizeAt(mine.authorizeUrl), binding: mine.binding };
}

const codeExchanges = (s: LaunchStack) =>
  s.tokenRequests.filter((r) => r.grant === 'authorization_code').length;

describe('login CSRF: another site cannot plant its session in the clinician’s browser', () => {
  it('refuses the auto-posted form another site sends with its own code, state and binding', async () => {
    const { s, url } = await started();
    const { callback, binding } = await attackersLaunch(s);
    // Exactly what a cross-site <form method=post> carries in a current browser.
    const res = await fetch(`${url}/callback`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://evil.example',
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': 'navigate',
      },
      body: new URLSearchParams({
        code: callback.searchParams.get('code') ?? '',
        state: callback.searchParams.get('state') ?? '',
        binding,
      }),
    });
    expect(res.status).toBe(403);
    const page = await res.text();
    expect(page).not.toContain('chartbill-session');
    expect(codeExchanges(s)).toBe(0);
    expect(s.logs.join('\n')).toContain('cross-site sign-in post refused');
  });

  it('refuses the same post from a browser that sends no Fetch Metadata, and a binding in the body', async () => {
    const { s, url } = await started();
    const { callback, binding } = await attackersLaunch(s);
    const formPost = await fetch(`${url}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
      body: new URLSearchParams({
        code: callback.searchParams.get('code') ?? '',
        state: callback.searchParams.get('state') ?? '',
        binding,
      }),
    });
    expect(formPost.status).toBe(403);
    // A cross-site fetch with the header would need a CORS preflight, which the app never grants.
    const preflight = await fetch(`${url}/callback`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-chartbill-binding',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(codeExchanges(s)).toBe(0);
  });

  it('refuses a same-origin post whose Origin is another site, even with the right secret', async () => {
    const { s, url } = await started();
    const { callback, binding } = await attackersLaunch(s);
    const res = await finishInTab(url, callback, binding, {
      origin: 'http://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe('SMART_CROSS_SITE');
    expect(codeExchanges(s)).toBe(0);
  });
});

describe('error pages say what went wrong in ChartBill’s words only', () => {
  it('does not repeat the EHR’s error_description, and logs it with the error for IT', async () => {
    const { s, url } = await started();
    const mine = await startLaunch(await ehrLaunchUrl(s.ehr, 'enc-today-04', 'cb'));
    const state = mine.authorizeUrl.searchParams.get('state') ?? '';
    const planted = 'Your account is locked. Call 555-0100 and read out your password to unlock it';
    const res = await fetch(
      `${url}/callback?${new URLSearchParams({ state, error: 'access_denied', error_description: planted })}`,
      { headers: { cookie: mine.cookie } },
    );
    expect(res.status).toBe(403);
    const page = await res.text();
    expect(page).toContain('The EHR did not authorize ChartBill (access_denied)');
    expect(page).not.toContain('555-0100');
    const refusal = s.logs.find((l) => l.includes('"SMART_AUTHORIZATION_DENIED"')) ?? '';
    expect(JSON.parse(refusal)).toMatchObject({
      ehr: { error: 'access_denied', description: planted },
    });
  });

  it('shows an unregistered error code as such, not the text the URL chose', async () => {
    const { s, url } = await started();
    const mine = await startLaunch(await ehrLaunchUrl(s.ehr, 'enc-today-04', 'cb'));
    const state = mine.authorizeUrl.searchParams.get('state') ?? '';
    const res = await fetch(
      `${url}/callback?${new URLSearchParams({ state, error: 'call_555-0100_now' })}`,
      { headers: { cookie: mine.cookie } },
    );
    const page = await res.text();
    expect(page).not.toContain('555-0100');
    expect(page).toContain('unrecognised error');
  });

  it('does not repeat a long iss, and logs only its origin', async () => {
    const { s, url } = await started();
    const iss = `https://ehr.example.org/${'signin-here-'.repeat(16)}`;
    const res = await fetch(`${url}/launch?${new URLSearchParams({ iss, launch: 'x' })}`);
    expect(res.status).toBe(403);
    const page = await res.text();
    expect(page).toContain('This EHR is not registered');
    expect(page).not.toContain('ehr.example.org');
    expect(page).not.toContain('signin-here');
    const line = s.logs.find((l) => l.includes('unregistered EHR')) ?? '';
    expect(JSON.parse(line)).toMatchObject({ issOrigin: 'https://ehr.example.org' });
    expect(line).not.toContain('signin-here');
  });

  it('keeps tokens out of the log when the EHR refuses the code, and says which error it gave', async () => {
    const { s } = await started();
    const mine = await startLaunch(await ehrLaunchUrl(s.ehr, 'enc-today-04', 'cb'));
    const callback = await authorizeAt(mine.authorizeUrl);
    const code = callback.searchParams.get('code') ?? '';
    // The code used once by someone else first: the app's exchange is then refused (invalid_grant).
    await fetch(s.ehr.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: 'cb' }),
    });
    const res = await fetch(callback, { headers: { cookie: mine.cookie } });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('(invalid_grant)');
    const logs = s.logs.join('\n');
    expect(logs).toContain('"ehr":{"error":"invalid_grant"');
    expect(logs).not.toContain(code);
  });
});
