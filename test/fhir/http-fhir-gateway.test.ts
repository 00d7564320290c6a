import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../../src/errors/app-error.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { backoffMs, DEFAULT_RETRY } from '../../src/http/retry-policy.ts';
import {
  fhirKitTransport,
  undiciTransport,
  type FhirTransport,
} from '../../src/fhir/fhir-transport.ts';

type Step = (req: IncomingMessage, res: ServerResponse) => void;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** A real FHIR-ish server that answers each request with the next scripted step (the last repeats). */
async function scriptedServer(
  steps: Step[],
): Promise<{ url: string; requests: () => number; headers: IncomingMessage['headers'][] }> {
  let n = 0;
  const headers: IncomingMessage['headers'][] = [];
  const server = createServer((req, res) => {
    headers.push(req.headers);
    const step = steps[Math.min(n++, steps.length - 1)];
    step?.(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`,
    requests: () => n,
    headers,
  };
}

const json =
  (status: number, body: unknown, extra: Record<string, string> = {}): Step =>
  (_req, res) => {
    res
      .writeHead(status, { 'content-type': 'application/fhir+json', ...extra })
      .end(JSON.stringify(body));
  };
const patient = json(200, { resourceType: 'Patient', id: 'p1' });
const outcome = (text: string) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'transient', diagnostics: text }],
});

/** The two transports: fhir-kit-client's (the app's) and undici's (the worker's). */
const TRANSPORTS: [string, (baseUrl: string) => FhirTransport][] = [
  ['fhir-kit-client', fhirKitTransport],
  ['undici', () => undiciTransport],
];

/** Long enough that a loaded CI machine answers in time; the tests of timeouts use `SHORT_TIMEOUT_MS`. */
const TIMEOUT_MS = 5_000;
const SHORT_TIMEOUT_MS = 300;

function gatewayOver(
  transport: (baseUrl: string) => FhirTransport,
  url: string,
  sleeps: number[] = [],
  token?: string,
  timeoutMs = TIMEOUT_MS,
) {
  return createFhirGateway({
    baseUrl: url,
    transport: transport(url),
    ...(token ? { getToken: () => Promise.resolve(token) } : {}),
    retry: { attempts: 4, baseDelayMs: 10, maxDelayMs: 50, timeoutMs },
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
  });
}

describe.each(TRANSPORTS)('the FHIR gateway over %s', (_name, transport) => {
  const gateway = (url: string, sleeps: number[] = [], token?: string, timeoutMs?: number) =>
    gatewayOver(transport, url, sleeps, token, timeoutMs);

  it('retries 503 and 429, waiting at least what Retry-After asks, and then succeeds', async () => {
    const server = await scriptedServer([
      json(503, outcome('busy')),
      json(429, outcome('slow down'), { 'retry-after': '2' }),
      patient,
    ]);
    const sleeps: number[] = [];
    const read = await gateway(server.url, sleeps).read('Patient', 'p1');
    expect(read.id).toBe('p1');
    expect(server.requests()).toBe(3);
    expect(sleeps[1]).toBeGreaterThanOrEqual(2000);
  });

  it('retries a 425 Too Early on reads, as the payer adapter does (one retry policy)', async () => {
    const server = await scriptedServer([json(425, outcome('too early')), patient]);
    expect((await gateway(server.url).read('Patient', 'p1')).id).toBe('p1');
    expect(server.requests()).toBe(2);
  });

  it('retries a reset connection and a timeout on reads', async () => {
    const reset: Step = (req) => req.socket.destroy();
    const hang: Step = () => undefined;
    const server = await scriptedServer([reset, hang, patient]);
    expect(
      (await gateway(server.url, [], undefined, SHORT_TIMEOUT_MS).read('Patient', 'p1')).id,
    ).toBe('p1');
    expect(server.requests()).toBe(3);
  });

  it('gives up after its attempts with an error carrying the server’s OperationOutcome', async () => {
    const server = await scriptedServer([json(503, outcome('database down'))]);
    const err = await gateway(server.url)
      .read('Patient', 'p1')
      .catch((e: unknown) => e);
    expect(isAppError(err, 'FHIR_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toContain('database down');
    expect(server.requests()).toBe(4);
  });

  it('does not retry a plain create after a 500, which may have written', async () => {
    const server = await scriptedServer([json(500, outcome('oops'))]);
    await expect(gateway(server.url).create({ resourceType: 'Patient' })).rejects.toThrow(
      /HTTP 500/,
    );
    expect(server.requests()).toBe(1);
  });

  it('retries a conditional create, which If-None-Exist makes safe', async () => {
    const server = await scriptedServer([
      json(502, outcome('bad gateway')),
      json(201, { resourceType: 'Patient', id: 'new' }),
    ]);
    const res = await gateway(server.url).create(
      { resourceType: 'Patient' },
      { ifNoneExist: 'identifier=x|1' },
    );
    expect(res).toMatchObject({ created: true, resource: { id: 'new' } });
    expect(server.headers[1]?.['if-none-exist']).toBe('identifier=x|1');
  });

  it('reports a 412 as a conflict and does not retry it', async () => {
    const server = await scriptedServer([json(412, outcome('version mismatch'))]);
    const err = await gateway(server.url)
      .update({ resourceType: 'Patient', id: 'p1' }, { ifMatchVersion: '3' })
      .catch((e: unknown) => e);
    expect(isAppError(err, 'FHIR_CONFLICT')).toBe(true);
    expect(server.headers[0]?.['if-match']).toBe('W/"3"');
    expect(server.requests()).toBe(1);
  });

  it('sends the bearer token on every request', async () => {
    const server = await scriptedServer([patient]);
    await gateway(server.url, [], 'tok-123').read('Patient', 'p1');
    expect(server.headers[0]?.authorization).toBe('Bearer tok-123');
  });

  it('reports a timeout as one, after its attempts', async () => {
    const server = await scriptedServer([() => undefined]);
    const err = await gateway(server.url, [], undefined, SHORT_TIMEOUT_MS)
      .read('Patient', 'p1')
      .catch((e: unknown) => e);
    expect(isAppError(err, 'FHIR_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/did not answer \(read Patient\): timed out/);
    expect(server.requests()).toBe(4);
  });

  it('refuses an answer that is not JSON, naming what was asked', async () => {
    const server = await scriptedServer([
      (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'),
    ]);
    const err = await gateway(server.url)
      .read('Patient', 'p1')
      .catch((e: unknown) => e);
    expect(isAppError(err, 'FHIR_REQUEST_FAILED')).toBe(true);
    expect((err as Error).message).toContain(
      'read Patient answered HTTP 200 with something other than JSON',
    );
  });

  it('sends search parameters, a list as its parameter repeated, and follows next links', async () => {
    const urls: string[] = [];
    const page =
      (id: string, next?: string): Step =>
      (req, res) => {
        urls.push(req.url ?? '');
        res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(
          JSON.stringify({
            resourceType: 'Bundle',
            type: 'searchset',
            link: next ? [{ relation: 'next', url: next }] : [],
            entry: [{ resource: { resourceType: 'Encounter', id } }],
          }),
        );
      };
    const steps: Step[] = [];
    const server = await scriptedServer(steps);
    steps.push(page('e1', `${server.url}/Encounter?page=2`), page('e2'));
    const found = await gateway(server.url).searchAll('Encounter', {
      status: 'finished',
      _include: ['Encounter:subject', 'Encounter:participant'],
    });
    expect(found.map((r) => r.id)).toEqual(['e1', 'e2']);
    expect(urls).toEqual([
      '/fhir/Encounter?status=finished&_include=Encounter%3Asubject&_include=Encounter%3Aparticipant',
      '/fhir/Encounter?page=2',
    ]);
  });

  it('does not follow a next-page link to another server, so the token goes nowhere else', async () => {
    const elsewhere = await scriptedServer([
      json(200, { resourceType: 'Bundle', type: 'searchset' }),
    ]);
    const server = await scriptedServer([
      json(200, {
        resourceType: 'Bundle',
        type: 'searchset',
        link: [{ relation: 'next', url: `${elsewhere.url}/Encounter?page=2` }],
        entry: [],
      }),
    ]);
    const err = await gateway(server.url, [], 'tok-123')
      .searchAll('Encounter', { status: 'finished' })
      .catch((e: unknown) => e);
    expect(isAppError(err, 'FHIR_REQUEST_FAILED')).toBe(true);
    expect((err as Error).message).toContain('next-page link points to another server');
    expect(elsewhere.requests()).toBe(0);
  });

  it('tells a conditional create that matched (200) from one that wrote (201)', async () => {
    const server = await scriptedServer([
      json(200, { resourceType: 'Patient', id: 'old' }),
      json(201, { resourceType: 'Patient', id: 'new' }),
    ]);
    const g = gateway(server.url);
    expect(
      await g.create({ resourceType: 'Patient' }, { ifNoneExist: 'identifier=x|1' }),
    ).toMatchObject({ created: false, resource: { id: 'old' } });
    expect(
      await g.create({ resourceType: 'Patient' }, { ifNoneExist: 'identifier=x|2' }),
    ).toMatchObject({ created: true, resource: { id: 'new' } });
  });
});

describe("the FHIR gateway's backoff", () => {
  it('backs off exponentially with jitter, capped', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffMs(1, undefined, policy, () => 1)).toBe(100);
    expect(backoffMs(3, undefined, policy, () => 1)).toBe(400);
    expect(backoffMs(10, undefined, policy, () => 1)).toBe(1000);
    expect(backoffMs(3, undefined, policy, () => 0)).toBe(0);
  });
});

describe('the FHIR gateway and its token source', () => {
  it('passes an error from the token source through untouched, without retrying or calling the server', async () => {
    const server = await scriptedServer([patient]);
    let asked = 0;
    const expired = new AppError('SESSION_EXPIRED', 'Your EHR sign-in has expired.', {
      hint: 'Relaunch ChartBill.',
    });
    const g = createFhirGateway({
      baseUrl: server.url,
      getToken: () => {
        asked++;
        return Promise.reject(expired);
      },
      retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 300 },
    });
    await expect(g.read('Patient', 'p1')).rejects.toBe(expired);
    expect(asked).toBe(1);
    expect(server.requests()).toBe(0);
  });
});
