import type { Bundle, Condition } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { ehrLaunchToken, startTestEhr } from './sandbox-fixture.ts';

let ehr: SandboxEhr | undefined;
afterEach(async () => {
  await ehr?.close();
  ehr = undefined;
});

function get(server: SandboxEhr, path: string, token?: string): Promise<Response> {
  return fetch(`${server.fhirBase}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

const PATIENT_SCOPE = 'launch patient/Condition.cruds patient/Encounter.rs patient/Patient.rs';

describe('sandbox FHIR server access control', () => {
  it('answers 401 with WWW-Authenticate for a missing, forged or expired token', async () => {
    let clock = Date.now();
    ehr = await startTestEhr({ now: () => new Date(clock), accessTokenTtlSeconds: 300 });
    const missing = await get(ehr, '/Patient');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);

    const forged = await get(ehr, '/Patient', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const token = await ehr.issueSystemToken('system/*.rs');
    expect((await get(ehr, '/Patient', token)).status).toBe(200);
    clock += 301_000;
    expect((await get(ehr, '/Patient', token)).status).toBe(401);
  });

  it('does not let a patient-scoped token read another patient’s Condition', async () => {
    ehr = await startTestEhr();
    const launch = await ehrLaunchToken(ehr, 'enc-clean-1', PATIENT_SCOPE);
    const token = String(launch.access_token);
    expect(launch.patient).toBe('pat-06');
    expect((await get(ehr, '/Condition/cond-enc-clean-1-1', token)).status).toBe(200);
    const other = await get(ehr, '/Condition/cond-enc-clean-2-1', token);
    expect(other.status).toBe(403);
    expect(((await other.json()) as { resourceType: string }).resourceType).toBe(
      'OperationOutcome',
    );
  });

  it('confines a patient-scoped search to the launch patient', async () => {
    ehr = await startTestEhr();
    const token = String((await ehrLaunchToken(ehr, 'enc-clean-1', PATIENT_SCOPE)).access_token);
    const all = (await (
      await get(ehr, '/Condition?_count=100', token)
    ).json()) as Bundle<Condition>;
    expect(all.entry?.map((e) => e.resource?.subject.reference)).toEqual([
      'Patient/pat-06',
      'Patient/pat-06',
    ]);
    const asked = (await (
      await get(ehr, '/Condition?patient=Patient/pat-07', token)
    ).json()) as Bundle;
    expect(asked.entry ?? []).toHaveLength(0);
  });

  it('refuses interactions and types outside the granted scopes', async () => {
    ehr = await startTestEhr();
    const token = String(
      (await ehrLaunchToken(ehr, 'enc-clean-1', 'launch patient/Condition.rs')).access_token,
    );
    const write = await fetch(`${ehr.fhirBase}/Condition`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Condition', subject: { reference: 'Patient/pat-06' } }),
    });
    expect(write.status).toBe(403);
    expect((await get(ehr, '/Claim', token)).status).toBe(403);
  });

  it('lets a patient-scoped token write for its patient only', async () => {
    const server = await startTestEhr();
    ehr = server;
    const token = String(
      (await ehrLaunchToken(server, 'enc-today-01', PATIENT_SCOPE)).access_token,
    );
    const post = (patient: string) =>
      fetch(`${server.fhirBase}/Condition`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify({
          resourceType: 'Condition',
          subject: { reference: `Patient/${patient}` },
          encounter: { reference: 'Encounter/enc-today-01' },
          code: { text: 'test' },
        }),
      });
    expect((await post('pat-01')).status).toBe(201);
    expect((await post('pat-02')).status).toBe(403);
  });

  it('applies scopes to each batch entry', async () => {
    ehr = await startTestEhr();
    const token = String((await ehrLaunchToken(ehr, 'enc-clean-1', PATIENT_SCOPE)).access_token);
    const res = await fetch(ehr.fhirBase, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'GET', url: 'Condition/cond-enc-clean-1-1' } },
          { request: { method: 'GET', url: 'Condition/cond-enc-clean-2-1' } },
        ],
      }),
    });
    const bundle = (await res.json()) as Bundle;
    expect(bundle.entry?.map((e) => e.response?.status)).toEqual(['200 OK', '403 Forbidden']);
  });
});
