import { afterEach, describe, expect, it } from 'vitest';
import { SMART_STYLE } from '../../sandbox/ehr-style.ts';
import { sanitizeSmartStyle } from '../../smart-app/smart/smart-style.ts';
import { api, launchSession } from './launch-driver.ts';
import { startLaunchStack, type LaunchStack } from './launch-stack.ts';

let stack: LaunchStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function launched(): Promise<{ s: LaunchStack; url: string; handle: string }> {
  stack = await startLaunchStack({ apps: [{ clientId: 'cb' }], accessTokenTtlSeconds: 300 });
  const url = stack.apps.get('cb')?.url ?? '';
  return { s: stack, url, handle: await launchSession(stack.ehr, url, 'cb') };
}

const refreshes = (s: LaunchStack) => s.tokenRequests.filter((r) => r.grant === 'refresh_token');
const paths = [
  '/api/context',
  '/api/coding',
  '/api/status',
  '/api/context',
  '/api/coding',
  '/api/style',
];

describe('tokens are refreshed before they expire', () => {
  it('refreshes once for many concurrent requests that need it, and keeps working', async () => {
    const { s, url, handle } = await launched();
    expect(refreshes(s)).toHaveLength(0);
    s.advance(250_000); // 50 s before the 300 s token expires: inside the refresh window
    const answers = await Promise.all(paths.map((p) => api(url, handle, p)));
    expect(answers.map((a) => a.status)).toEqual(paths.map(() => 200));
    expect(refreshes(s).map((r) => r.status)).toEqual([200]);

    s.advance(250_000); // the refreshed token's own window: one more refresh, with the rotated refresh token
    const again = await Promise.all(paths.map((p) => api(url, handle, p)));
    expect(again.map((a) => a.status)).toEqual(paths.map(() => 200));
    expect(refreshes(s).map((r) => r.status)).toEqual([200, 200]);
  });
});

describe('a session that ended tells the user to relaunch from the EHR', () => {
  it('when the EHR revokes the grant', async () => {
    const { s, url, handle } = await launched();
    const refreshToken = s.tokenRequests[0]?.secrets[1] ?? '';
    const revoked = await fetch(`${s.ehr.origin}/oauth/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token: refreshToken, client_id: 'cb' }),
    });
    expect(revoked.status).toBe(200);
    const res = await api(url, handle, '/api/context');
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({
      error: 'SESSION_EXPIRED',
      hint: 'Relaunch ChartBill from the encounter in your EHR.',
    });
    expect((await api(url, handle, '/api/coding')).json.error).toBe('SESSION_EXPIRED');
  });

  it('when its refresh token was used by someone else (the EHR revokes the grant on reuse)', async () => {
    const { s, url, handle } = await launched();
    const stolen = s.tokenRequests[0]?.secrets[1] ?? '';
    const thief = await fetch(s.ehr.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: stolen,
        client_id: 'cb',
      }),
    });
    const thiefToken = ((await thief.json()) as { access_token: string }).access_token;
    s.advance(250_000);
    const res = await api(url, handle, '/api/context');
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({
      error: 'SESSION_EXPIRED',
      hint: 'Relaunch ChartBill from the encounter in your EHR.',
    });
    // The grant is revoked for the thief too.
    const read = await fetch(`${s.ehr.fhirBase}/Patient/pat-01`, {
      headers: { authorization: `Bearer ${thiefToken}` },
    });
    expect(read.status).toBe(401);
  });

  it('when the session is older than CHARTBILL_SESSION_MINUTES', async () => {
    const { s, url, handle } = await launched();
    s.advance(481 * 60_000);
    const res = await api(url, handle, '/api/context');
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({
      error: 'SESSION_EXPIRED',
      message: 'Your ChartBill session has ended.',
      hint: 'Relaunch ChartBill from the encounter in your EHR.',
    });
  });
});

describe('smart_style_url', () => {
  it('is fetched at the callback and served sanitized at /api/style', async () => {
    const { url, handle } = await launched();
    const res = await api(url, handle, '/api/style');
    expect(res.status).toBe(200);
    // The sandbox's color_modal_backdrop is empty, so it is left out.
    expect(res.json.style).toEqual(
      Object.fromEntries(Object.entries(SMART_STYLE).filter(([, v]) => v !== '')),
    );
  });

  it('drops values that could load or inject CSS, and unknown keys', () => {
    expect(
      sanitizeSmartStyle({
        color_background: 'url(https://evil.example/x.png)',
        color_error: 'red; } body { display: none',
        color_text: '#1b1f24',
        dim_font_size: 14,
        dim_spacing_size: 'expression(alert(1))',
        font_family_body: 'Inter, "Segoe UI", sans-serif',
        font_family_heading: 'x</style><script>',
        other: 'blue',
      }),
    ).toEqual({
      color_text: '#1b1f24',
      dim_font_size: '14px',
      font_family_body: 'Inter, "Segoe UI", sans-serif',
    });
    expect(sanitizeSmartStyle('not an object')).toEqual({});
  });
});
