import { importJWK, SignJWT } from 'jose';
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createBackendAuth } from '../../src/auth/backend-auth.ts';
import { generateClientKeys, type ClientKeyAlg } from '../../src/auth/keys.ts';
import { isAppError } from '../../src/errors/app-error.ts';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { startTestEhr } from '../sandbox/sandbox-fixture.ts';

let ehr: SandboxEhr | undefined;
afterEach(async () => {
  await ehr?.close();
  ehr = undefined;
});

async function startWithBackendClient(alg: ClientKeyAlg, now?: () => Date) {
  const keys = await generateClientKeys(alg);
  ehr = await startTestEhr({
    seed: false,
    ...(now ? { now } : {}),
    clients: [
      {
        clientId: 'worker',
        name: 'Worker',
        auth: { kind: 'jwks', jwks: keys.publicJwks },
        redirectUris: [],
        scope: 'system/*.cruds',
      },
    ],
  });
  return { ehr, keys };
}

function countingFetch() {
  const counter = { calls: 0 };
  const fn: typeof fetch = (input, init) => {
    counter.calls++;
    return fetch(input, init);
  };
  return { counter, fn };
}

describe('SMART Backend Services (client_credentials + private_key_jwt)', () => {
  for (const alg of ['RS384', 'ES384'] as const) {
    it(`gets a system token with an ${alg} key and uses it on the FHIR server`, async () => {
      const { ehr: server, keys } = await startWithBackendClient(alg);
      expect(keys.privateJwk.kid).toBe(keys.publicJwks.keys[0]?.kid);
      const auth = createBackendAuth({
        tokenUrl: server.tokenUrl,
        clientId: 'worker',
        privateKey: keys.privateJwk,
        scope: 'system/*.rs system/Claim.cruds',
      });
      const token = await auth.getToken();
      const res = await fetch(`${server.fhirBase}/Patient`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
    });
  }

  it('caches the token and shares one request between concurrent callers', async () => {
    const { ehr: server, keys } = await startWithBackendClient('ES384');
    const { counter, fn } = countingFetch();
    const auth = createBackendAuth({
      tokenUrl: server.tokenUrl,
      clientId: 'worker',
      privateKey: keys.privateJwk,
      scope: 'system/*.rs',
      fetch: fn,
    });
    const [a, b] = await Promise.all([auth.getToken(), auth.getToken()]);
    const c = await auth.getToken();
    expect(counter.calls).toBe(1);
    expect(a).toBe(b);
    expect(c).toBe(a);
  });

  it('asks again once the cached token is within 60 seconds of expiry', async () => {
    let clock = Date.now();
    const { ehr: server, keys } = await startWithBackendClient('ES384', () => new Date(clock));
    const { counter, fn } = countingFetch();
    const auth = createBackendAuth({
      tokenUrl: server.tokenUrl,
      clientId: 'worker',
      privateKey: keys.privateJwk,
      scope: 'system/*.rs',
      fetch: fn,
      now: () => new Date(clock),
    });
    await auth.getToken();
    clock += 239_000;
    await auth.getToken();
    expect(counter.calls).toBe(1);
    clock += 2_000;
    await auth.getToken();
    expect(counter.calls).toBe(2);
  });

  it('refuses a replayed client assertion (same jti)', async () => {
    const { ehr: server, keys } = await startWithBackendClient('ES384');
    const key = await importJWK(keys.privateJwk, 'ES384');
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES384', kid: keys.privateJwk.kid ?? '' })
      .setIssuer('worker')
      .setSubject('worker')
      .setAudience(server.tokenUrl)
      .setExpirationTime('4m')
      .setJti('once-only')
      .sign(key);
    const post = () =>
      fetch(server.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: 'system/*.rs',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }),
      });
    expect((await post()).status).toBe(200);
    const replay = await post();
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_client');
  });

  it('fails with SMART_TOKEN_FAILED when signed with a key that is not registered', async () => {
    const { ehr: server } = await startWithBackendClient('ES384');
    const stranger = await generateClientKeys('ES384');
    const auth = createBackendAuth({
      tokenUrl: server.tokenUrl,
      clientId: 'worker',
      privateKey: stranger.privateJwk,
      scope: 'system/*.rs',
    });
    const err = await auth.getToken().catch((e: unknown) => e);
    expect(isAppError(err, 'SMART_TOKEN_FAILED')).toBe(true);
    expect((err as Error).message).toContain('invalid_client');
  });

  it('grants only system scopes within the registration', async () => {
    const keys = await generateClientKeys('RS384');
    ehr = await startTestEhr({
      seed: false,
      clients: [
        {
          clientId: 'reader',
          name: 'Reader',
          auth: { kind: 'jwks', jwks: keys.publicJwks },
          redirectUris: [],
          scope: 'system/*.rs',
        },
      ],
    });
    const token = await createBackendAuth({
      tokenUrl: ehr.tokenUrl,
      clientId: 'reader',
      privateKey: keys.privateJwk,
      scope: 'system/*.cruds system/Patient.rs',
    }).getToken();
    const write = await fetch(`${ehr.fhirBase}/Patient`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient' }),
    });
    expect(write.status).toBe(403);
    expect(
      (await fetch(`${ehr.fhirBase}/Patient`, { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(200);
  });
});

describe('token requests under the one retry policy', () => {
  /** A real token endpoint that is busy (503, Retry-After: 1) for its first request, then grants a token. */
  async function busyOnceTokenServer() {
    const assertions: string[] = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      req.on('end', () => {
        assertions.push(new URLSearchParams(text).get('client_assertion') ?? '');
        if (assertions.length === 1)
          res
            .writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' })
            .end('{"error":"temporarily_unavailable"}');
        else
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(
              JSON.stringify({ access_token: 'granted', token_type: 'Bearer', expires_in: 300 }),
            );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${String(port)}/token`,
      assertions,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  it('asks again after a 503, no sooner than Retry-After, with a fresh assertion', async () => {
    const server = await busyOnceTokenServer();
    try {
      const keys = await generateClientKeys('ES384');
      const sleeps: number[] = [];
      const auth = createBackendAuth({
        tokenUrl: server.url,
        clientId: 'worker',
        privateKey: keys.privateJwk,
        scope: 'system/*.rs',
        sleep: (ms) => {
          sleeps.push(ms);
          return Promise.resolve();
        },
      });
      expect(await auth.getToken()).toBe('granted');
      expect(server.assertions).toHaveLength(2);
      expect(sleeps[0]).toBeGreaterThanOrEqual(1000);
      // The server may have seen the first assertion; a replayed jti would be refused.
      expect(server.assertions[0]).not.toBe(server.assertions[1]);
    } finally {
      await server.close();
    }
  });
});
