import { afterEach, describe, expect, it } from 'vitest';
import { launchSession } from '../app/launch-driver.ts';
import { startLaunchStack, type LaunchStack } from '../app/launch-stack.ts';
import { callApi } from './security-kit.ts';

let stack: LaunchStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function launched(
  appEnv: Record<string, string> = {},
): Promise<{ s: LaunchStack; url: string; handle: string }> {
  stack = await startLaunchStack({ apps: [{ clientId: 'cb' }], appEnv });
  const url = stack.apps.get('cb')?.url ?? '';
  return { s: stack, url, handle: await launchSession(stack.ehr, url, 'cb') };
}

describe('signing out', () => {
  it('ends the session here and revokes the grant at the EHR, so the tokens ChartBill held are useless', async () => {
    const { s, url, handle } = await launched();
    const [accessToken, refreshToken] = s.tokenRequests[0]?.secrets ?? [];
    expect((await callApi(url, handle, 'GET', '/api/context')).status).toBe(200);

    const out = await fetch(`${url}/api/session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${handle}` },
    });
    expect(out.status).toBe(204);
    const after = await callApi(url, handle, 'GET', '/api/context');
    expect(after.status).toBe(401);
    expect(after.json.hint).toBe('Relaunch ChartBill from the encounter in your EHR.');

    // At the EHR: the refresh token is refused and the access token no longer reads the chart.
    const refresh = await fetch(s.ehr.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken ?? '',
        client_id: 'cb',
      }),
    });
    expect(refresh.status).toBe(400);
    const read = await fetch(`${s.ehr.fhirBase}/Patient/pat-01`, {
      headers: { authorization: `Bearer ${accessToken ?? ''}` },
    });
    expect(read.status).toBe(401);
  });
});

describe('an idle session ends', () => {
  it('after CHARTBILL_SESSION_IDLE_MINUTES without a request from the clinician, and says why', async () => {
    const { s, url, handle } = await launched({ CHARTBILL_SESSION_IDLE_MINUTES: '15' });
    s.advance(10 * 60_000);
    expect((await callApi(url, handle, 'GET', '/api/codes/search?q=diabetes')).status).toBe(200);
    s.advance(10 * 60_000); // 20 minutes since launch, 10 since the last request: still alive
    expect((await callApi(url, handle, 'GET', '/api/codes/search?q=diabetes')).status).toBe(200);
    s.advance(16 * 60_000);
    const res = await callApi(url, handle, 'GET', '/api/codes/search?q=diabetes');
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({
      error: 'SESSION_EXPIRED',
      message: 'Your ChartBill session ended after 15 minutes without use.',
    });
    // And stays ended: activity after the fact does not bring it back.
    expect((await callApi(url, handle, 'GET', '/api/context')).status).toBe(401);
  });

  it('by default after 30 minutes, even while the status tab keeps refreshing itself', async () => {
    const { s, url, handle } = await launched();
    for (let poll = 0; poll < 3; poll++) {
      s.advance(9 * 60_000);
      const poll = await callApi(url, handle, 'GET', '/api/status', undefined, {
        'x-chartbill-background': '1',
      });
      expect(poll.status, JSON.stringify(poll.json)).toBe(200);
    }
    s.advance(4 * 60_000); // 31 minutes since the clinician's last request
    const res = await callApi(url, handle, 'GET', '/api/status', undefined, {
      'x-chartbill-background': '1',
    });
    expect(res.status).toBe(401);
    expect(res.json.message).toBe('Your ChartBill session ended after 30 minutes without use.');
  });
});
