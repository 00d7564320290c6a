import type { Bundle, CapabilityStatement, Observation, OperationOutcome, Patient } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors/app-error.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { startTestEhr } from './sandbox-fixture.ts';

let ehr: SandboxEhr | undefined;
afterEach(async () => {
  await ehr?.close();
  ehr = undefined;
});

async function setup(seed = true) {
  ehr = await startTestEhr({ seed });
  const token = await ehr.issueSystemToken('system/*.cruds');
  const gateway = createFhirGateway({
    baseUrl: ehr.fhirBase,
    getToken: () => Promise.resolve(token),
    retry: { attempts: 1 },
  });
  const raw = (path: string, init: RequestInit = {}) =>
    fetch(`${ehr?.fhirBase ?? ''}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/fhir+json',
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  return { ehr, gateway, raw };
}

function observation(i: number): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { text: `obs ${i}` },
    subject: { reference: 'Patient/pat-01' },
  };
}

describe('sandbox FHIR server', () => {
  it('pages a 120-resource search through absolute next links, 50 at a time', async () => {
    const { gateway } = await setup(false);
    for (let i = 0; i < 120; i++) await gateway.create(observation(i));
    const pages: Bundle[] = [];
    for await (const page of gateway.searchPages('Observation', { _count: 50 })) pages.push(page);
    expect(pages.map((p) => p.entry?.length)).toEqual([50, 50, 20]);
    expect(pages[0]?.link?.find((l) => l.relation === 'next')?.url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/fhir\/Observation\?/,
    );
    const ids = new Set(pages.flatMap((p) => p.entry?.map((e) => e.resource?.id)));
    expect(ids.size).toBe(120);
  });

  it('returns _include and _revinclude resources marked search.mode include', async () => {
    const { gateway } = await setup();
    const pages: Bundle[] = [];
    for await (const page of gateway.searchPages('Encounter', {
      _id: 'enc-clean-2',
      _include: 'Encounter:subject',
      _revinclude: ['Condition:encounter', 'ChargeItem:context'],
    }))
      pages.push(page);
    expect(pages).toHaveLength(1);
    const entries = pages[0]?.entry ?? [];
    const matches = entries
      .filter((e) => e.search?.mode === 'match')
      .map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
    const included = entries
      .filter((e) => e.search?.mode === 'include')
      .map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
    expect(matches).toEqual(['Encounter/enc-clean-2']);
    expect(included).toContain('Patient/pat-07');
    expect(included.filter((r) => r.startsWith('Condition/'))).toHaveLength(3);
    expect(included.filter((r) => r.startsWith('ChargeItem/'))).toHaveLength(3);
  });

  it('runs POST _search with a form body like the GET search', async () => {
    const { raw } = await setup();
    const res = await raw('/Encounter/_search', {
      method: 'POST',
      body: 'status=finished&_count=100',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const bundle = (await res.json()) as Bundle;
    expect(res.status).toBe(200);
    expect(bundle.total).toBe(9);
  });

  it('creates one resource when the same conditional create is sent twice', async () => {
    const { gateway } = await setup(false);
    const patient: Patient = {
      resourceType: 'Patient',
      identifier: [{ system: 'urn:test', value: 'p-1' }],
    };
    const first = await gateway.create(patient, { ifNoneExist: 'identifier=urn:test|p-1' });
    const second = await gateway.create(patient, { ifNoneExist: 'identifier=urn:test|p-1' });
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.resource.id).toBe(first.resource.id);
    expect(await gateway.searchAll('Patient', { identifier: 'urn:test|p-1' })).toHaveLength(1);
  });

  it('answers a create with 201, Location and ETag, and a read with the same ETag', async () => {
    const { raw } = await setup(false);
    const res = await raw('/Patient', {
      method: 'POST',
      body: JSON.stringify({ resourceType: 'Patient', gender: 'female' }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Patient;
    expect(res.headers.get('location')).toContain(`/fhir/Patient/${created.id ?? ''}/_history/`);
    expect(res.headers.get('etag')).toBe(`W/"${created.meta?.versionId ?? ''}"`);
    const read = await raw(`/Patient/${created.id ?? ''}`);
    expect(read.headers.get('etag')).toBe(res.headers.get('etag'));
    expect(read.headers.get('content-type')).toContain('application/fhir+json');
  });

  it('refuses an update with a stale If-Match version as a conflict', async () => {
    const { gateway } = await setup(false);
    const { resource } = await gateway.create<Patient>({ resourceType: 'Patient', gender: 'male' });
    const staleVersion = resource.meta?.versionId ?? '';
    await gateway.update({ ...resource, gender: 'female' }, { ifMatchVersion: staleVersion });
    const err = await gateway
      .update({ ...resource, gender: 'other' }, { ifMatchVersion: staleVersion })
      .catch((e: unknown) => e);
    expect(isAppError(err, 'FHIR_CONFLICT')).toBe(true);
  });

  it('serves a CapabilityStatement at /metadata with SMART endpoints, batch and no transaction', async () => {
    const { ehr: server } = await setup(false);
    const res = await fetch(`${server.fhirBase}/metadata`);
    const cs = (await res.json()) as CapabilityStatement;
    expect(cs.resourceType).toBe('CapabilityStatement');
    const rest = cs.rest?.[0];
    const uris = rest?.security?.extension?.[0]?.extension?.map((e) => [e.url, e.valueUri]);
    expect(uris).toEqual([
      ['authorize', `${server.origin}/oauth/authorize`],
      ['token', server.tokenUrl],
    ]);
    expect(rest?.interaction?.map((i) => i.code)).toEqual(['batch']);
  });

  it('answers each batch entry on its own and refuses transactions', async () => {
    const { gateway, raw } = await setup();
    const result = await gateway.batch({
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'POST', url: 'Observation' }, resource: observation(1) },
        { request: { method: 'GET', url: 'Patient/does-not-exist' } },
        { request: { method: 'GET', url: 'Patient/pat-01' } },
      ],
    });
    expect(result.type).toBe('batch-response');
    expect(result.entry?.map((e) => e.response?.status)).toEqual([
      '201 Created',
      '404 Not Found',
      '200 OK',
    ]);
    expect(result.entry?.[0]?.response?.location).toMatch(/\/fhir\/Observation\//);
    const tx = await raw('', {
      method: 'POST',
      body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [] }),
    });
    expect(tx.status).toBe(501);
    expect(((await tx.json()) as OperationOutcome).issue[0]?.diagnostics).toMatch(
      /transactions are not supported/i,
    );
  });

  it('answers bad requests with OperationOutcomes and no stack traces', async () => {
    const { raw } = await setup(false);
    const cases: [string, RequestInit, number][] = [
      ['/Patient', { method: 'POST', body: '{"resourceType": "Patient",' }, 400],
      [
        '/Patient',
        {
          method: 'POST',
          body: JSON.stringify({ resourceType: 'Observation', status: 'final', code: {} }),
        },
        400,
      ],
      [
        '/Patient',
        { method: 'POST', body: JSON.stringify({ resourceType: 'Patient', notAnElement: true }) },
        400,
      ],
      [
        '/Patient',
        {
          method: 'POST',
          body: JSON.stringify({ resourceType: 'Patient', text: 'x'.repeat(6 * 1024 * 1024) }),
        },
        413,
      ],
      ['/NotAType/1', {}, 404],
      [
        '/Claim/$submit',
        { method: 'POST', body: JSON.stringify({ resourceType: 'Parameters' }) },
        501,
      ],
    ];
    for (const [path, init, status] of cases) {
      const res = await raw(path, init);
      const text = await res.text();
      expect({ path, status: res.status }).toEqual({ path, status });
      expect((JSON.parse(text) as OperationOutcome).resourceType).toBe('OperationOutcome');
      expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
    }
    const unknown = await fetch(`${ehr?.origin ?? ''}/fhir-nope`);
    expect(unknown.status).toBe(404);
  });
});
