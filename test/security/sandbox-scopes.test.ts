import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  Bundle,
  Condition,
  Encounter,
  OperationOutcome,
  Practitioner,
  Provenance,
  Resource,
} from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSandboxState } from '../../cli/sandbox-state.ts';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { startTestStack } from '../browser/sandbox-stack-fixture.ts';
import { APP_CLIENT, ehrLaunchToken, startTestEhr } from '../sandbox/sandbox-fixture.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let ehr: SandboxEhr | undefined;
let stack: SandboxStack | undefined;
afterEach(async () => {
  await ehr?.close();
  await stack?.close();
  ehr = undefined;
  stack = undefined;
});

interface Answer<T = Resource> {
  status: number;
  body: T;
  contentType: string | null;
  wwwAuthenticate: string | null;
}

async function fhir<T = Resource>(
  server: SandboxEhr,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const res = await fetch(`${server.fhirBase}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/fhir+json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return {
    status: res.status,
    body: (await res.json()) as T,
    contentType: res.headers.get('content-type'),
    wwwAuthenticate: res.headers.get('www-authenticate'),
  };
}

/** The stored version of a resource, read with the EHR's own (system) access. */
async function versionOf(server: SandboxEhr, path: string): Promise<string | undefined> {
  const admin = await server.issueSystemToken('system/*.rs');
  const read = await fhir(server, admin, 'GET', path);
  return read.status === 200 ? read.body.meta?.versionId : `HTTP ${String(read.status)}`;
}

/** ChartBill's own registration (patient/*.cruds user/*.rs), launched from pat-06's encounter, in SMART v2 or v1 syntax. */
const LAUNCH_SCOPES = {
  v2: 'launch openid fhirUser patient/*.cruds user/*.rs',
  v1: 'launch openid fhirUser patient/*.* user/*.read',
} as const;

const OTHER_PATIENTS_CONDITION = '/Condition/cond-enc-clean-2-1';

describe('the sandbox enforces SMART scopes against hostile requests', { timeout: 120_000 }, () => {
  for (const [syntax, scope] of Object.entries(LAUNCH_SCOPES)) {
    it(`does not let a patient-scoped token (${syntax}) write a shared Practitioner, directly or in a batch`, async () => {
      const server = (ehr = await startTestEhr());
      const token = String((await ehrLaunchToken(server, 'enc-clean-1', scope)).access_token);
      const before = await versionOf(server, '/Practitioner/pr-1');
      const practitioner = (await fhir<Practitioner>(server, token, 'GET', '/Practitioner/pr-1'))
        .body;
      expect(practitioner.resourceType).toBe('Practitioner');

      const put = await fhir<OperationOutcome>(server, token, 'PUT', '/Practitioner/pr-1', {
        ...practitioner,
        name: [{ family: 'Hacked' }],
      });
      expect(put.status).toBe(403);
      expect(put.body.resourceType).toBe('OperationOutcome');
      expect(put.wwwAuthenticate).toContain('insufficient_scope');
      const created = await fhir(server, token, 'POST', '/Practitioner', {
        resourceType: 'Practitioner',
        name: [{ family: 'Planted' }],
      });
      expect(created.status).toBe(403);
      const batch = await fhir<Bundle>(server, token, 'POST', '', {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          {
            request: { method: 'PUT', url: 'Practitioner/pr-1' },
            resource: { ...practitioner, name: [{ family: 'Hacked' }] },
          },
        ],
      });
      expect(batch.body.entry?.[0]?.response?.status).toBe('403 Forbidden');
      expect(await versionOf(server, '/Practitioner/pr-1')).toBe(before);
    });
  }

  it('does not let a patient-scoped token update, delete or patch another patient’s Condition through a condition', async () => {
    const server = (ehr = await startTestEhr());
    const token = String(
      (await ehrLaunchToken(server, 'enc-clean-1', 'launch patient/Condition.cruds')).access_token,
    );
    const before = await versionOf(server, OTHER_PATIENTS_CONDITION);
    expect(before).toMatch(/^[\w-]+$/);

    const moved = await fhir<Condition>(server, token, 'PUT', '/Condition?_id=cond-enc-clean-2-1', {
      resourceType: 'Condition',
      subject: { reference: 'Patient/pat-06' },
      code: { text: 'moved' },
    });
    // The condition is confined to pat-06, so it matches nothing: at most a new Condition of pat-06 is made.
    expect(moved.body.id).not.toBe('cond-enc-clean-2-1');
    const deleted = await fhir(server, token, 'DELETE', '/Condition?_id=cond-enc-clean-2-1');
    expect(deleted.status).toBeLessThan(500);
    const patched = await fhir(
      server,
      token,
      'PATCH',
      '/Condition?_id=cond-enc-clean-2-1',
      [{ op: 'replace', path: '/code', value: { text: 'patched' } }],
      { 'content-type': 'application/json-patch+json' },
    );
    expect(patched.status).toBeGreaterThanOrEqual(400);
    expect(patched.body.resourceType).toBe('OperationOutcome');
    expect(await versionOf(server, OTHER_PATIENTS_CONDITION)).toBe(before);
  });

  it('does not let a patient-scoped PATCH move the launch patient’s Condition to another patient', async () => {
    const server = (ehr = await startTestEhr());
    const token = String(
      (await ehrLaunchToken(server, 'enc-clean-1', 'launch patient/Condition.cruds')).access_token,
    );
    const own = '/Condition/cond-enc-clean-1-1';
    const before = await versionOf(server, own);
    for (const patch of [
      [{ op: 'replace', path: '/subject/reference', value: 'Patient/pat-07' }],
      [{ op: 'replace', path: '/subject', value: { reference: 'Patient/pat-07' } }],
      [{ op: 'copy', from: '/asserter', path: '/subject' }],
      [
        {
          op: 'replace',
          path: '',
          value: {
            resourceType: 'Condition',
            id: 'cond-enc-clean-1-1',
            subject: { reference: 'Patient/pat-07' },
          },
        },
      ],
    ]) {
      const res = await fhir<OperationOutcome>(server, token, 'PATCH', own, patch, {
        'content-type': 'application/json-patch+json',
      });
      expect({ patch, status: res.status }).toEqual({ patch, status: 403 });
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
    expect(await versionOf(server, own)).toBe(before);
    const read = await fhir<Condition>(server, token, 'GET', own);
    expect(read.body.subject.reference).toBe('Patient/pat-06');
  });

  it('never grants system/ scopes through a user’s authorization, even to a client registered for them', async () => {
    const server = (ehr = await startTestEhr({
      clients: [{ ...APP_CLIENT, scope: `${APP_CLIENT.scope} system/*.cruds` }],
    }));
    const launch = await ehrLaunchToken(
      server,
      'enc-clean-1',
      'launch patient/Condition.rs system/*.cruds',
    );
    expect(launch.scope).toBe('launch patient/Condition.rs');
    const before = await versionOf(server, '/Practitioner/pr-1');
    const admin = await server.issueSystemToken('system/*.rs');
    const practitioner = (await fhir<Practitioner>(server, admin, 'GET', '/Practitioner/pr-1'))
      .body;
    const put = await fhir(server, String(launch.access_token), 'PUT', '/Practitioner/pr-1', {
      ...practitioner,
      name: [{ family: 'Hacked' }],
    });
    expect(put.status).toBe(403);
    expect(await versionOf(server, '/Practitioner/pr-1')).toBe(before);
  });

  it('lets a patient-scoped token record Provenance about its patient only', async () => {
    const server = (ehr = await startTestEhr());
    const token = String(
      (
        await ehrLaunchToken(
          server,
          'enc-clean-1',
          'launch patient/Provenance.c patient/Condition.rs',
        )
      ).access_token,
    );
    const provenance = (...target: string[]) => ({
      resourceType: 'Provenance',
      recorded: '2026-12-05T00:00:00Z',
      target: target.map((reference) => ({ reference })),
      agent: [{ who: { reference: 'Practitioner/pr-1' } }],
    });
    expect(
      (
        await fhir(
          server,
          token,
          'POST',
          '/Provenance',
          provenance('Condition/cond-enc-clean-1-1', 'Patient/pat-06'),
        )
      ).status,
    ).toBe(201);
    for (const target of [
      ['Patient/pat-07'],
      ['Patient/pat-06', 'Patient/pat-07'],
      ['Condition/cond-enc-clean-1-1'],
    ]) {
      const refused = await fhir<OperationOutcome>(
        server,
        token,
        'POST',
        '/Provenance',
        provenance(...target),
      );
      expect({ target, status: refused.status }).toEqual({ target, status: 403 });
    }
    const admin = await server.issueSystemToken('system/*.rs');
    const stored = await fhir<Bundle<Provenance>>(server, admin, 'GET', '/Provenance?_count=100');
    expect(stored.body.entry?.map((e) => e.resource?.target.map((t) => t.reference))).toEqual([
      ['Condition/cond-enc-clean-1-1', 'Patient/pat-06'],
    ]);
  });

  it('confines If-None-Exist to the launch patient: a save is idempotent, another patient’s match is never handed back', async () => {
    const server = (ehr = await startTestEhr());
    const admin = await server.issueSystemToken('system/*.cruds');
    const identifier = { system: 'https://chartbill.dev/test/entry', value: 'key-1' };
    const planted = await fhir<Condition>(server, admin, 'POST', '/Condition', {
      resourceType: 'Condition',
      identifier: [identifier],
      subject: { reference: 'Patient/pat-07' },
      code: { text: 'other' },
    });
    expect(planted.status).toBe(201);
    const before = await versionOf(server, `/Condition/${planted.body.id ?? ''}`);
    const token = String(
      (await ehrLaunchToken(server, 'enc-clean-1', 'launch patient/Condition.crus')).access_token,
    );
    const condition = {
      resourceType: 'Condition',
      identifier: [identifier],
      subject: { reference: 'Patient/pat-06' },
      code: { text: 'mine' },
    };
    const ifNoneExist = { 'if-none-exist': `identifier=${identifier.system}|${identifier.value}` };
    const first = await fhir<Condition>(
      server,
      token,
      'POST',
      '/Condition',
      condition,
      ifNoneExist,
    );
    expect(first.status).toBe(201);
    expect(first.body.subject.reference).toBe('Patient/pat-06');
    const again = await fhir<Condition>(
      server,
      token,
      'POST',
      '/Condition',
      condition,
      ifNoneExist,
    );
    expect([again.status, again.body.id]).toEqual([200, first.body.id]);
    expect(await versionOf(server, `/Condition/${planted.body.id ?? ''}`)).toBe(before);
  });

  it('answers an _include of a missing reference with the page, not a 500', async () => {
    const server = (ehr = await startTestEhr());
    const admin = await server.issueSystemToken('system/*.cruds');
    const encounter = (await fhir<Encounter>(server, admin, 'GET', '/Encounter/enc-clean-1')).body;
    const written = await fhir<Encounter>(server, admin, 'PUT', '/Encounter/enc-clean-1', {
      ...encounter,
      participant: [{ individual: { reference: 'Practitioner/does-not-exist' } }],
      serviceProvider: { reference: 'Organization/gone' },
    });
    expect(written.status).toBe(200);
    const before = await versionOf(server, '/Encounter/enc-clean-1');
    for (const include of ['Encounter:participant', 'Encounter:service-provider']) {
      const page = await fhir<Bundle>(
        server,
        admin,
        'GET',
        `/Encounter?_id=enc-clean-1&_include=${include}`,
      );
      expect({ include, status: page.status }).toEqual({ include, status: 200 });
      expect(page.body.entry?.map((e) => [e.search?.mode, e.resource?.id])).toEqual([
        ['match', 'enc-clean-1'],
      ]);
    }
    expect(await versionOf(server, '/Encounter/enc-clean-1')).toBe(before);
  });

  it('answers every refusal as an OperationOutcome with the right status', async () => {
    const server = (ehr = await startTestEhr());
    const token = String(
      (
        await ehrLaunchToken(
          server,
          'enc-clean-1',
          'launch patient/Condition.rs patient/Encounter.rs',
        )
      ).access_token,
    );
    const admin = await server.issueSystemToken('system/*.cruds');
    await fhir(server, admin, 'PUT', '/Encounter/enc-clean-1', {
      ...(await fhir<Encounter>(server, admin, 'GET', '/Encounter/enc-clean-1')).body,
      participant: [{ individual: { reference: 'Practitioner/does-not-exist' } }],
    });
    const cases: [string, string, unknown, number][] = [
      ['GET', '/Practitioner/pr-1', undefined, 403],
      ['GET', OTHER_PATIENTS_CONDITION, undefined, 403],
      [
        'POST',
        '/Condition',
        { resourceType: 'Condition', subject: { reference: 'Patient/pat-06' } },
        403,
      ],
      ['GET', '/Claim', undefined, 403],
      ['GET', '/Condition/does-not-exist', undefined, 404],
      ['GET', '/Condition?_count=x', undefined, 400],
      ['GET', '/Encounter?_include=Encounter:participant', undefined, 200],
    ];
    for (const [method, path, body, status] of cases) {
      const res = await fhir(server, token, method, path, body);
      expect({ method, path, status: res.status }).toEqual({ method, path, status });
      expect(res.contentType).toContain('application/fhir+json');
      if (status >= 400) expect(res.body.resourceType).toBe('OperationOutcome');
    }
    const badUrl = await fhir(server, admin, 'GET', '/Condition/%E0%A4%A');
    expect([badUrl.status, badUrl.body.resourceType, badUrl.contentType]).toEqual([
      400,
      'OperationOutcome',
      expect.stringContaining('application/fhir+json'),
    ]);
    const batch = await fhir<Bundle>(server, admin, 'POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'GET', url: 'Condition/%E0%A4%A' } },
        { request: { method: 'GET', url: 'Patient/pat-06' } },
      ],
    });
    expect([batch.status, batch.body.entry?.map((e) => e.response?.status)]).toEqual([
      200,
      ['400 Bad Request', '200 OK'],
    ]);
    const before = await versionOf(server, '/Condition/cond-enc-clean-1-1');
    const condition = (await fhir<Condition>(server, admin, 'GET', '/Condition/cond-enc-clean-1-1'))
      .body;
    const unlocked = await fhir(
      server,
      admin,
      'PUT',
      '/Condition/cond-enc-clean-1-1',
      { ...condition, note: [{ text: 'x' }] },
      { 'if-match': 'not-an-etag' },
    );
    expect([unlocked.status, unlocked.body.resourceType]).toEqual([400, 'OperationOutcome']);
    const invalid = await fhir(
      server,
      admin,
      'PATCH',
      '/Condition/cond-enc-clean-1-1',
      [{ op: 'replace', path: '/code', value: 'not-a-CodeableConcept' }],
      { 'content-type': 'application/json-patch+json' },
    );
    expect([invalid.status, invalid.body.resourceType]).toEqual([400, 'OperationOutcome']);
    expect(await versionOf(server, '/Condition/cond-enc-clean-1-1')).toBe(before);
    const valid = await fhir<Condition>(
      server,
      admin,
      'PATCH',
      '/Condition/cond-enc-clean-1-1',
      [{ op: 'add', path: '/note', value: [{ text: 'checked' }] }],
      { 'content-type': 'application/json-patch+json' },
    );
    expect([valid.status, valid.body.note?.[0]?.text]).toEqual([200, 'checked']);
    expect(await versionOf(server, '/Condition/cond-enc-clean-1-1')).toBe(
      valid.body.meta?.versionId,
    );
  });

  it('grants `chartbill sandbox token --scope "system/*.cruds"`, so an admin can write data from outside', async () => {
    const running = (stack = await startTestStack(false));
    const dataDir = await mkdtemp(join(tmpdir(), 'chartbill-sandbox-token-'));
    await writeSandboxState(dataDir, {
      fhirBase: running.fhirBase,
      tokenUrl: running.tokenUrl,
      clientId: running.cliClient.clientId,
      privateJwk: running.cliClient.privateJwk,
      pid: process.pid,
    });
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['bin/chartbill.js', 'sandbox', 'token', '--scope', 'system/*.cruds'],
        { cwd: ROOT, env: { ...process.env, CHARTBILL_DATA_DIR: dataDir } },
        (err, stdout, stderr) => {
          resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
        },
      );
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const token = run.stdout.trim();
    const before = await versionOf(running.ehr, '/Practitioner/pr-1');
    const practitioner = (await fhir<Practitioner>(running.ehr, token, 'GET', '/Practitioner/pr-1'))
      .body;
    const hostile = await fhir<Practitioner>(running.ehr, token, 'PUT', '/Practitioner/pr-1', {
      ...practitioner,
      name: [{ family: 'Written by the admin' }],
    });
    expect(hostile.status).toBe(200);
    expect(hostile.body.meta?.versionId).not.toBe(before);
    expect(await versionOf(running.ehr, '/Practitioner/pr-1')).toBe(hostile.body.meta?.versionId);
  });
});
