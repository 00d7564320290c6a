import { afterEach, describe, expect, it } from 'vitest';
import {
  api,
  authorizeAt,
  ehrLaunchUrl,
  finishInTab,
  launchSession,
  startLaunch,
} from './launch-driver.ts';
import { startLaunchStack, type LaunchStack } from './launch-stack.ts';

let stack: LaunchStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

function appUrl(s: LaunchStack, clientId: string): string {
  const app = s.apps.get(clientId);
  if (!app) throw new Error(`no app for ${clientId}`);
  return app.url;
}

describe('each registered EHR client signs in its own way', () => {
  it('completes an EHR launch as a public client, with client_secret_basic, and with private_key_jwt (RS384 and ES384)', async () => {
    stack = await startLaunchStack({
      apps: [
        { clientId: 'cb-public', auth: 'public' },
        { clientId: 'cb-secret', auth: 'secret' },
        { clientId: 'cb-rs384', auth: 'rs384' },
        { clientId: 'cb-es384', auth: 'es384' },
      ],
    });
    for (const [i, clientId] of ['cb-public', 'cb-secret', 'cb-rs384', 'cb-es384'].entries()) {
      const url = appUrl(stack, clientId);
      const handle = await launchSession(stack.ehr, url, clientId, `enc-today-0${String(i + 1)}`);
      const context = await api(url, handle, '/api/context');
      expect(context.status, clientId).toBe(200);
      expect(context.json.encounter).toMatchObject({ id: `enc-today-0${String(i + 1)}` });
    }
    expect(stack.tokenRequests.map((r) => `${r.grant} ${String(r.status)}`)).toEqual(
      Array(4).fill('authorization_code 200'),
    );
  });
});

describe('scopes', () => {
  it('asks in SMART v2 syntax when the EHR advertises v2', async () => {
    stack = await startLaunchStack({ apps: [{ clientId: 'cb' }] });
    const started = await startLaunch(await ehrLaunchUrl(stack.ehr, 'enc-today-01', 'cb'));
    const scope = started.authorizeUrl.searchParams.get('scope') ?? '';
    expect(scope.split(' ')).toEqual(
      expect.arrayContaining([
        'launch',
        'patient/ChargeItem.crus',
        'patient/Encounter.rs',
        'user/Practitioner.rs',
      ]),
    );
    expect(scope).not.toMatch(/\.(read|write)\b/);
    expect(started.authorizeUrl.searchParams.get('aud')).toBe(stack.ehr.fhirBase);
  });

  it('falls back to v1 scopes with an EHR that knows only v1, and everything still works', async () => {
    stack = await startLaunchStack({ apps: [{ clientId: 'cb' }], smartPermissions: ['v1'] });
    const url = appUrl(stack, 'cb');
    const started = await startLaunch(await ehrLaunchUrl(stack.ehr, 'enc-today-02', 'cb'));
    const scope = (started.authorizeUrl.searchParams.get('scope') ?? '').split(' ');
    expect(scope).toEqual(
      expect.arrayContaining([
        'patient/ChargeItem.read',
        'patient/ChargeItem.write',
        'patient/Patient.read',
        'user/Practitioner.read',
      ]),
    );
    expect(scope.filter((s) => /\.[cruds]+$/.test(s))).toEqual([]);
    const handle = await launchSession(stack.ehr, url, 'cb', 'enc-today-02');
    const context = await api(url, handle, '/api/context');
    expect(context.json.missingScopes).toEqual([]);
    expect((await api(url, handle, '/api/coding')).status).toBe(200);
  });

  it('says what the EHR did not grant and what stops working without it', async () => {
    const noChargeItemWrite =
      'launch openid fhirUser online_access patient/Patient.rs patient/Encounter.rs patient/Condition.cruds patient/ChargeItem.rs patient/Procedure.rs patient/Coverage.rs patient/Claim.rs patient/ClaimResponse.rs patient/CoverageEligibilityResponse.rs patient/Task.crus user/*.rs';
    stack = await startLaunchStack({
      apps: [{ clientId: 'cb-limited', scope: noChargeItemWrite }],
    });
    const url = appUrl(stack, 'cb-limited');
    const handle = await launchSession(stack.ehr, url, 'cb-limited');
    const context = await api(url, handle, '/api/context');
    expect(context.json.missingScopes).toEqual([
      { scope: 'patient/ChargeItem.crus', effect: 'Services cannot be saved or signed off.' },
    ]);
  });
});

describe('state is bound to the browser that started the launch', () => {
  it('refuses a callback carried to another browser, and the stolen state is then spent', async () => {
    stack = await startLaunchStack({ apps: [{ clientId: 'cb' }] });
    const url = appUrl(stack, 'cb');
    const mine = await startLaunch(await ehrLaunchUrl(stack.ehr, 'enc-today-01', 'cb'));
    const callback = await authorizeAt(mine.authorizeUrl);

    // Another browser has neither the cookie nor the tab's secret: it gets the finish page, and its post is refused.
    const other = await fetch(callback);
    expect(await other.text()).not.toContain('chartbill-session');
    const posted = await finishInTab(url, callback, '');
    expect(posted.status).toBe(400);
    expect(await posted.text()).toContain('started in another browser');
    const late = await fetch(callback, { headers: { cookie: mine.cookie } });
    expect(late.status).toBe(400);
    expect(stack.tokenRequests).toEqual([]);
  });

  it('finishes with the tab’s secret when the browser did not send the cookie back (third-party iframe)', async () => {
    stack = await startLaunchStack({ apps: [{ clientId: 'cb' }] });
    const url = appUrl(stack, 'cb');
    const started = await startLaunch(await ehrLaunchUrl(stack.ehr, 'enc-today-01', 'cb'));
    expect(started.cookie).toMatch(/^__Host-chartbill-launch=/);
    const callback = await authorizeAt(started.authorizeUrl);
    const finish = await (await fetch(callback)).text();
    expect(finish).toContain('id="chartbill-finish"');
    const posted = await finishInTab(url, callback, started.binding);
    expect(posted.status).toBe(200);
    expect(((await posted.json()) as { session?: string }).session).toMatch(/^[\w-]{43}$/);
  });

  it('refuses a state older than ten minutes', async () => {
    stack = await startLaunchStack({ apps: [{ clientId: 'cb' }] });
    const started = await startLaunch(await ehrLaunchUrl(stack.ehr, 'enc-today-01', 'cb'));
    const callback = await authorizeAt(started.authorizeUrl);
    stack.advance(11 * 60_000);
    const res = await fetch(callback, { headers: { cookie: started.cookie } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('This sign-in link is not valid');
  });
});
