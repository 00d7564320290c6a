import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { loadAppConfig } from '../../smart-app/app-config.ts';
import { buildApp } from '../../smart-app/build-app.ts';

let app: FastifyInstance;

beforeAll(async () => {
  const config = loadAppConfig({
    CHARTBILL_APP_PORT: '0',
    CHARTBILL_EHRS: JSON.stringify([{ iss: 'https://ehr.example.org/fhir', clientId: 'cb' }]),
  });
  app = await buildApp(config, { logger: createLogger('silent', 'test'), codes: starterCodeSet() });
});

afterAll(() => app.close());

describe('the billing workspace pages', () => {
  it('answers each workspace address with the shell that loads the billing bundle, not the panel', async () => {
    for (const url of ['/billing', '/billing/analytics', '/billing/claims/claim-12']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toMatch(/<script type="module" src="\/assets\/billing\.js\?v=\w{12}">/);
      expect(res.body).not.toContain('/assets/app.js');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
  });

  it('serves its own bundle, and refuses a claim address that cannot be a claim id', async () => {
    const js = await app.inject('/assets/billing.js');
    expect(js.statusCode).toBe(200);
    // Only the page's own version is cached for good; another (the callback's) is revalidated.
    expect(js.headers['cache-control']).toBe('no-cache');
    const version = /billing\.js\?v=(\w+)/.exec((await app.inject('/billing')).body)?.[1];
    const pinned = await app.inject(`/assets/billing.js?v=${version}`);
    expect(pinned.headers['cache-control']).toContain('immutable');
    expect(js.headers['content-type']).toContain('javascript');
    expect(js.body).toContain('/api/billing/me');
    const css = await app.inject('/assets/billing.css');
    expect(css.body).toContain('.queue-table');
    const panel = await app.inject('/assets/app.js');
    expect(panel.body).not.toContain('/api/billing/queue');
    expect(gzipSync(js.body).length).toBeGreaterThan(1000);
    const bad = await app.inject('/billing/claims/..%2F..%2Fetc');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Open the claim from the billing work queue');
  });
});
