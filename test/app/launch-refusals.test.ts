import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { loadAppConfig } from '../../smart-app/app-config.ts';
import { buildApp } from '../../smart-app/build-app.ts';

const codes = starterCodeSet();
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A real HTTP server that counts what reaches it: the "other EHR" a forged launch points at. */
async function countingServer(): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

async function app(iss = 'https://ehr.example.org/fhir') {
  const config = loadAppConfig({
    CHARTBILL_APP_PORT: '0',
    CHARTBILL_EHRS: JSON.stringify([{ iss, clientId: 'chartbill' }]),
  });
  return buildApp(config, { logger: createLogger('silent', 'test'), codes });
}

describe('launches the app refuses', () => {
  it('shows an error page for an unregistered iss and never contacts that server', async () => {
    const other = await countingServer();
    const res = await (
      await app()
    ).inject({ url: `/launch?iss=${encodeURIComponent(`${other.url}/fhir`)}&launch=abc` });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('This EHR is not registered');
    expect(res.body).toContain('SMART_UNKNOWN_ISS');
    expect(res.headers.location).toBeUndefined();
    expect(other.hits()).toBe(0);
  });

  it('explains a launch without a launch parameter instead of redirecting', async () => {
    const res = await (
      await app()
    ).inject({ url: `/launch?iss=${encodeURIComponent('https://ehr.example.org/fhir')}` });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('launch context');
    expect(res.headers.location).toBeUndefined();
  });

  it('explains a launch without iss', async () => {
    const res = await (await app()).inject({ url: '/launch?launch=xyz' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('no iss parameter');
  });

  it('refuses a callback whose state it never issued', async () => {
    const res = await (await app()).inject({ url: '/callback?code=stolen&state=forged-state' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('This sign-in link is not valid');
    expect(res.body).not.toContain('stolen');
  });

  it('does not repeat what an attacker puts in iss on the error page', async () => {
    const res = await (
      await app()
    ).inject({
      url: `/launch?iss=${encodeURIComponent('https://x/<script>alert(1)</script>')}&launch=1`,
    });
    expect(res.body).not.toContain('<script>alert(1)</script>');
    expect(res.body).not.toContain('alert(1)');
    expect(res.body).toContain('This EHR is not registered');
  });

  it('answers API calls without a session with 401 and what to do', async () => {
    const res = await (await app()).inject({ url: '/api/context' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({
      error: 'SESSION_MISSING',
      hint: expect.stringContaining('EHR') as unknown,
    });
  });

  it('lets only the registered EHR origin frame the app', async () => {
    const res = await (await app('https://ehr.example.org/fhir')).inject({ url: '/app' });
    expect(res.headers['content-security-policy']).toContain(
      "frame-ancestors 'self' https://ehr.example.org",
    );
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('app configuration', () => {
  it('reports every configuration problem at once', () => {
    const load = () =>
      loadAppConfig({ CHARTBILL_APP_PORT: 'abc', CHARTBILL_EHRS: '[{"iss":"not a url"}]' });
    expect(load).toThrow(/CHARTBILL_APP_PORT: must be a number/);
    expect(load).toThrow(/CHARTBILL_EHRS: 0\.iss: Invalid URL/);
  });

  it('refuses to start without registered EHRs', () => {
    expect(() => loadAppConfig({})).toThrow(/CHARTBILL_EHRS is required/);
  });
});
