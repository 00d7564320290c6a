import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Encounter, Subscription } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { startTestEhr } from './sandbox-fixture.ts';

let ehr: SandboxEhr | undefined;
let hook: Server | undefined;
afterEach(async () => {
  await ehr?.close();
  await new Promise((resolve) => (hook ? hook.close(resolve) : resolve(undefined)));
  ehr = undefined;
  hook = undefined;
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A subscriber's endpoint: each notification it receives resolves the next waiter. */
async function startHook(
  status = 200,
): Promise<{ url: string; next(): Promise<Received>; waiting(): number }> {
  const queue: Received[] = [];
  const waiters: ((r: Received) => void)[] = [];
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.statusCode = status;
      res.end();
      const received = { headers: req.headers, body };
      const waiter = waiters.shift();
      if (waiter) waiter(received);
      else queue.push(received);
    });
  });
  await new Promise<void>((resolve) => hook?.listen(0, '127.0.0.1', resolve));
  const address = hook.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${String(port)}/notify`,
    waiting: () => queue.length,
    next: () => {
      const queued = queue.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

async function fhirCall(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const token = await (ehr as SandboxEhr).issueSystemToken('system/*.cruds');
  const res = await fetch(`${(ehr as SandboxEhr).fhirBase}/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const subscription = (endpoint: string, extra: Partial<Subscription> = {}): Subscription => ({
  resourceType: 'Subscription',
  status: 'requested',
  reason: 'test',
  criteria: 'Encounter?status=finished',
  channel: { type: 'rest-hook', endpoint, header: ['Authorization: Bearer s3cret'] },
  ...extra,
});

const encounter = (status: Encounter['status']): Encounter => ({
  resourceType: 'Encounter',
  status,
  class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
  subject: { reference: 'Patient/pat-1' },
});

describe('the sandbox EHR as a Subscription server', () => {
  it('activates a rest-hook Subscription and notifies only matching writes, empty, with its headers', async () => {
    ehr = await startTestEhr();
    const endpoint = await startHook();
    const created = await fhirCall('POST', 'Subscription', subscription(endpoint.url));
    expect(created.status).toBe(201);
    expect(created.json.status).toBe('active');

    await fhirCall('POST', 'Encounter', encounter('in-progress'));
    const finished = await fhirCall('POST', 'Encounter', encounter('finished'));
    expect(finished.status).toBe(201);
    const received = await endpoint.next();
    expect(received.headers.authorization).toBe('Bearer s3cret');
    expect(received.body).toBe('');
    // The in-progress one did not match: the one notification is the finished encounter's.
    await fhirCall('PUT', `Encounter/${String(finished.json.id)}`, {
      ...finished.json,
      status: 'cancelled',
    });
    await fhirCall('POST', 'Encounter', encounter('finished'));
    expect((await endpoint.next()).headers.authorization).toBe('Bearer s3cret');
    // Two finished encounters, two notifications: none for in-progress or cancelled.
    expect(endpoint.waiting()).toBe(0);
  });

  it('refuses what it does not deliver: other channels, payloads, criteria that are not a search', async () => {
    ehr = await startTestEhr();
    const url = 'http://127.0.0.1:9/notify';
    const refused = [
      subscription(url, { channel: { type: 'websocket' } }),
      subscription(url, {
        channel: { type: 'rest-hook', endpoint: url, payload: 'application/fhir+json' },
      }),
      subscription(url, { criteria: 'Encounter' }),
      subscription('ftp://example.org/x'),
    ];
    for (const body of refused)
      expect((await fhirCall('POST', 'Subscription', body)).status).toBe(422);
  });

  it('puts a Subscription whose endpoint fails in error and stops calling it', async () => {
    ehr = await startTestEhr();
    const endpoint = await startHook(500);
    const created = await fhirCall('POST', 'Subscription', subscription(endpoint.url));
    await fhirCall('POST', 'Encounter', encounter('finished'));
    await endpoint.next();
    const id = String(created.json.id);
    let status = '';
    for (let i = 0; i < 100 && status !== 'error'; i++) {
      status = String((await fhirCall('GET', `Subscription/${id}`)).json.status);
      if (status !== 'error') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe('error');
  });
});
