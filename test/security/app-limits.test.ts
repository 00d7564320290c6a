import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ehrLaunchUrl, launchSession } from '../app/launch-driver.ts';
import { startLaunchStack, type LaunchStack } from '../app/launch-stack.ts';
import { callApi, encounterVersions } from './security-kit.ts';

let stack: LaunchStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function started(
  appEnv: Record<string, string> = {},
): Promise<{ s: LaunchStack; url: string }> {
  stack = await startLaunchStack({ apps: [{ clientId: 'cb' }], appEnv });
  return { s: stack, url: stack.apps.get('cb')?.url ?? '' };
}

/** A GET from a chosen local address (127.0.0.2 is another client to the app on 127.0.0.1). */
function getFrom(
  localAddress: string,
  url: string,
): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }),
      );
    });
    req.on('error', reject).end();
  });
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const discoveries = (s: LaunchStack) =>
  s.logs.filter(
    (l) =>
      l.includes('"path":"/fhir/.well-known/smart-configuration"') &&
      l.includes('incoming request'),
  ).length;

describe('bodies are not read for strangers, and are bounded for sessions', () => {
  it('answers 401 to a body without a session before parsing it', async () => {
    const { url } = await started();
    const res = await fetch(`${url}/api/coding`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: `{"coding": ${nested(5000)} not json`,
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('SESSION_MISSING');
  });

  it('refuses an oversized or deeply nested save with a clear error, and changes nothing', async () => {
    const { s, url } = await started();
    const handle = await launchSession(s.ehr, url, 'cb', 'enc-today-05');
    const before = await encounterVersions(s.ehr, 'enc-today-05');

    const big = {
      coding: { diagnoses: [{ code: 'E11.9', display: 'x'.repeat(300) }], lines: [] },
      seen: { conditions: {}, chargeItems: {} },
      pad: 'x'.repeat(300 * 1024),
    };
    const tooBig = await callApi(url, handle, 'PUT', '/api/coding', big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.error).toBe('INPUT_TOO_LARGE');

    const deep = `{"coding":{"diagnoses":[],"lines":[]},"seen":{"conditions":{},"chargeItems":{}},"x":${nested(64)}}`;
    const tooDeep = await callApi(url, handle, 'PUT', '/api/coding', deep);
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.json.message).toBe('The request body nests deeper than ChartBill accepts.');
    expect(await encounterVersions(s.ehr, 'enc-today-05')).toEqual(before);
    // The session is fine afterwards.
    expect((await callApi(url, handle, 'GET', '/api/coding')).status).toBe(200);
  });
});

describe('launches are anonymous, so they are cached, limited and bounded', () => {
  it('fetches the EHR’s SMART configuration once for many launches, and again when the cache expires', async () => {
    const { s } = await started({ CHARTBILL_DISCOVERY_CACHE_SECONDS: '300' });
    const launch = await ehrLaunchUrl(s.ehr, 'enc-today-06', 'cb');
    const answers = await Promise.all(Array.from({ length: 6 }, () => fetch(launch)));
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    expect(discoveries(s)).toBe(1);
    s.advance(301_000);
    expect((await fetch(launch)).status).toBe(200);
    expect(discoveries(s)).toBe(2);
  });

  it('limits launches per client address, and other clients are unaffected', async () => {
    const { s } = await started({ CHARTBILL_LAUNCH_RATE_PER_MINUTE: '3' });
    const launch = await ehrLaunchUrl(s.ehr, 'enc-today-06', 'cb');
    const mine = [];
    for (let i = 0; i < 4; i++) mine.push(await getFrom('127.0.0.1', launch));
    expect(mine.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(Number(mine[3]?.retryAfter)).toBeGreaterThan(0);
    expect(mine[3]?.body).toContain('Too many requests');
    expect((await getFrom('127.0.0.2', launch)).status).toBe(200);
  });

  it('holds at most CHARTBILL_MAX_PENDING_LAUNCHES sign-ins, refusing more without dropping those waiting', async () => {
    const { s, url } = await started({ CHARTBILL_MAX_PENDING_LAUNCHES: '2' });
    const launch = await ehrLaunchUrl(s.ehr, 'enc-today-06', 'cb');
    expect((await fetch(launch)).status).toBe(200);
    expect((await fetch(launch)).status).toBe(200);
    const third = await fetch(launch);
    expect(third.status).toBe(503);
    expect(await third.text()).toContain('too many sign-ins in progress');
    // Ten minutes on, the waiting ones have expired and a real launch goes through.
    s.advance(11 * 60_000);
    expect(await launchSession(s.ehr, url, 'cb', 'enc-today-06')).toMatch(/^[\w-]{43}$/);
  });
});
