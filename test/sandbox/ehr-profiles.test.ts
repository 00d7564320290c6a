import type { Bundle, CapabilityStatement } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SANDBOX_EHR_PROFILES,
  sandboxEhrProfile,
  sandboxEhrProfileFromEnv,
} from '../../sandbox/ehr-profiles.ts';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { APP_CLIENT, ehrLaunchToken, postToken, startTestEhr } from './sandbox-fixture.ts';

let ehr: SandboxEhr | undefined;
afterEach(async () => {
  await ehr?.close();
  ehr = undefined;
});

async function call(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  if (!ehr) throw new Error('no sandbox');
  const token = await ehr.issueSystemToken('system/*.cruds');
  const res = await fetch(`${ehr.fhirBase}/${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/fhir+json',
      ...init.headers,
    },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const claim = {
  resourceType: 'Claim',
  status: 'draft',
  use: 'claim',
  type: {
    coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }],
  },
  patient: { reference: 'Patient/pat-01' },
  created: '2026-01-01',
  provider: { reference: 'Organization/org-billing' },
  priority: { coding: [{ code: 'normal' }] },
  insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/cov-01' } }],
};

describe('sandbox EHR profiles', () => {
  it('reads CHARTBILL_SANDBOX_EHR, strict by default, and names the profiles for a typo', () => {
    expect(sandboxEhrProfileFromEnv({}).name).toBe('strict');
    expect(sandboxEhrProfileFromEnv({ CHARTBILL_SANDBOX_EHR: 'epic-like' }).name).toBe('epic-like');
    expect(() => sandboxEhrProfileFromEnv({ CHARTBILL_SANDBOX_EHR: 'epic' })).toThrow(
      /strict, epic-like, oracle-like, medplum-like/,
    );
  });

  it.each(SANDBOX_EHR_PROFILES)(
    '%s: the CapabilityStatement declares exactly what the server does',
    async (name) => {
      const profile = sandboxEhrProfile(name);
      ehr = await startTestEhr({ profile });
      const metadata = (await (
        await fetch(`${ehr.fhirBase}/metadata`)
      ).json()) as CapabilityStatement;
      const rest = metadata.rest?.[0];
      const encounter = rest?.resource?.find((r) => r.type === 'Encounter');
      expect((encounter?.searchRevInclude ?? []).length > 0).toBe(profile.revinclude);
      expect(rest?.interaction?.some((i) => i.code === 'batch')).toBe(profile.batch);
      const chargeItem = rest?.resource?.find((r) => r.type === 'ChargeItem');
      const claimDeclared = rest?.resource?.find((r) => r.type === 'Claim');
      const posted = await call('Claim', { method: 'POST', body: claim });
      expect(posted.status === 201).toBe(
        claimDeclared?.interaction?.some((i) => i.code === 'create') ?? false,
      );

      // _revinclude: honoured where declared, otherwise the page carries matches only.
      const search = await call('Encounter?_id=enc-clean-1&_revinclude=ChargeItem:context');
      const included = ((search.body as unknown as Bundle).entry ?? []).filter(
        (e) => e.search?.mode === 'include',
      );
      expect(included.length > 0).toBe(profile.revinclude);
      if (!chargeItem) expect((await call('ChargeItem?status=billable')).status).toBe(404);
    },
  );

  it('caps page sizes as the profile says and keeps paging with next links', async () => {
    ehr = await startTestEhr({ profile: sandboxEhrProfile('epic-like') });
    const page = (await call('Patient?_count=500')).body as unknown as Bundle;
    expect(page.entry?.length).toBeLessThanOrEqual(100);
    const unasked = (await call('Patient')).body as unknown as Bundle;
    expect(unasked.entry?.length).toBe(10);
    expect(unasked.link?.some((l) => l.relation === 'next')).toBe(true);
    // A search sent as POST [type]/_search is fitted the same way: no revincludes, capped.
    const token = await ehr.issueSystemToken('system/*.rs');
    const posted = (await (
      await fetch(`${ehr.fhirBase}/Encounter/_search`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ _revinclude: 'ChargeItem:context', _count: '500' }),
      })
    ).json()) as Bundle;
    expect(posted.entry?.some((e) => e.search?.mode === 'include')).toBe(false);
    expect(posted.entry?.length).toBeLessThanOrEqual(100);
  });

  it('epic-like: refuses encounter diagnoses, accepts problem-list Conditions, and has no batch', async () => {
    ehr = await startTestEhr({ profile: sandboxEhrProfile('epic-like') });
    const condition = (category: string) => ({
      resourceType: 'Condition',
      subject: { reference: 'Patient/pat-01' },
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: category },
          ],
        },
      ],
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'I10' }] },
    });
    expect(
      (await call('Condition', { method: 'POST', body: condition('encounter-diagnosis') })).status,
    ).toBe(422);
    expect(
      (await call('Condition', { method: 'POST', body: condition('problem-list-item') })).status,
    ).toBe(201);
    const batch = await call('', {
      method: 'POST',
      body: { resourceType: 'Bundle', type: 'batch', entry: [] },
    });
    expect(batch.status).toBe(405);
  });

  it('without conditional create, If-None-Exist is ignored and a second create is a second resource', async () => {
    ehr = await startTestEhr({ profile: sandboxEhrProfile('oracle-like') });
    const item = {
      resourceType: 'ChargeItem',
      status: 'planned',
      identifier: [{ system: 'urn:test', value: 'once' }],
      code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '99213' }] },
      subject: { reference: 'Patient/pat-01' },
    };
    const headers = { 'if-none-exist': 'identifier=urn:test|once' };
    const first = await call('ChargeItem', { method: 'POST', body: item, headers });
    const second = await call('ChargeItem', { method: 'POST', body: item, headers });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.id).not.toBe(first.body.id);
    const update = await call(`ChargeItem/${String(first.body.id)}`, {
      method: 'PUT',
      body: { ...item, id: first.body.id, status: 'billable' },
    });
    expect(update.status).toBe(405);
  });

  it('epic-like keeps one refresh token for the grant; strict rotates it', async () => {
    for (const name of ['epic-like', 'strict'] as const) {
      ehr = await startTestEhr({ profile: sandboxEhrProfile(name) });
      const first = await ehrLaunchToken(
        ehr,
        'enc-today-01',
        'launch openid fhirUser online_access patient/Patient.rs',
      );
      const refresh = () =>
        postToken(ehr as SandboxEhr, {
          grant_type: 'refresh_token',
          refresh_token: String(first.refresh_token),
          client_id: APP_CLIENT.clientId,
        });
      const once = await refresh();
      expect(once.status).toBe(200);
      expect(typeof once.json.refresh_token === 'string').toBe(name === 'strict');
      expect((await refresh()).status).toBe(name === 'strict' ? 400 : 200);
      await ehr.close();
      ehr = undefined;
    }
  });
});
