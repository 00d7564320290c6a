import type { Encounter } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { APP_ORIGIN, startTestEhr } from './sandbox-fixture.ts';

let ehr: SandboxEhr | undefined;
afterEach(async () => {
  await ehr?.close();
  ehr = undefined;
});

describe('sandbox EHR pages', () => {
  it('lists at least 20 patients with their encounters and launch buttons', async () => {
    ehr = await startTestEhr();
    const res = await fetch(ehr.launchPageUrl);
    const page = await res.text();
    expect(res.status).toBe(200);
    expect(page.match(/<section class="patient"/g)?.length).toBeGreaterThanOrEqual(20);
    expect(page).toContain('data-encounter-id="enc-today-01"');
    expect(page).toMatch(
      /aria-label="Launch ChartBill for Okafor, Avery, encounter of \d{4}-\d{2}-\d{2}"/,
    );
    expect(page).toMatch(/aria-label="Finish encounter of Okafor, Avery on \d{4}-\d{2}-\d{2}"/);
  });

  it('embeds the app with iss and a launch id on the encounter page, under a CSP that allows its origin', async () => {
    ehr = await startTestEhr();
    const res = await fetch(`${ehr.launchPageUrl}/encounter/enc-today-01`);
    const page = await res.text();
    const src =
      /<iframe[^>]*title="ChartBill"[^>]*src="([^"]+)"/.exec(page)?.[1]?.replaceAll('&#38;', '&') ??
      '';
    const url = new URL(src);
    expect(url.origin + url.pathname).toBe(`${APP_ORIGIN}/launch`);
    expect(url.searchParams.get('iss')).toBe(ehr.fhirBase);
    expect(url.searchParams.get('launch')).toMatch(/^[\w-]{20,}$/);
    expect(res.headers.get('content-security-policy')).toContain(`frame-src 'self' ${APP_ORIGIN}`);
    expect(page).toContain('Okafor, Avery');
  });

  it('finishes an encounter: status finished with an end time, back to the list', async () => {
    ehr = await startTestEhr();
    const res = await fetch(`${ehr.launchPageUrl}/encounter/enc-today-02/finish`, {
      method: 'POST',
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/ehr');
    const token = await ehr.issueSystemToken('system/Encounter.rs');
    const encounter = (await (
      await fetch(`${ehr.fhirBase}/Encounter/enc-today-02`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as Encounter;
    expect(encounter.status).toBe('finished');
    expect(encounter.period?.end).toBeDefined();
    const list = await (await fetch(ehr.launchPageUrl)).text();
    expect(list).not.toContain('action="/ehr/encounter/enc-today-02/finish"');
  });

  it('refuses a finish posted from another origin', async () => {
    ehr = await startTestEhr();
    const res = await fetch(`${ehr.launchPageUrl}/encounter/enc-today-03/finish`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
  });

  it('escapes data it renders', async () => {
    ehr = await startTestEhr();
    const token = await ehr.issueSystemToken('system/*.cruds');
    await fetch(`${ehr.fhirBase}/Patient/pat-01`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Patient',
        id: 'pat-01',
        name: [{ family: '<script>alert(1)</script>', given: ['X'] }],
      }),
    });
    const page = await (await fetch(ehr.launchPageUrl)).text();
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&#60;script&#62;');
  });
});
