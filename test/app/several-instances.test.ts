import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAppConfig } from '../../smart-app/app-config.ts';
import { openSessionBackend } from '../../smart-app/session/open-session-store.ts';
import { PG_URL } from '../worker/pg-kit.ts';
import {
  authorizeAt,
  ehrLaunchUrl,
  launchSession,
  sessionHandleIn,
  startLaunch,
} from './launch-driver.ts';
import {
  REDIS_URL,
  startInstancesStack,
  type InstancesStack,
  type StoreKind,
} from './instances-stack.ts';

let stack: InstancesStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function call(
  url: string,
  handle: string,
  path: string,
  method = 'GET',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${handle}` },
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The EHR's answer to a refresh with `token`: 200 while the grant lives, 400 once revoked. */
async function refreshAtEhr(s: InstancesStack, token: string): Promise<number> {
  const res = await fetch(s.ehr.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: token,
      client_id: 'cb',
    }),
  });
  return res.status;
}

/** Everything the store holds for the stack's namespace, as text. */
async function storeContents(kind: StoreKind, namespace: string): Promise<string> {
  if (kind === 'postgres') {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      const sessions = await client.query(`SELECT * FROM "${namespace}".app_sessions`);
      const launches = await client.query(`SELECT * FROM "${namespace}".app_launches`);
      return JSON.stringify([sessions.rows, launches.rows]);
    } finally {
      await client.end();
    }
  }
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    const out: unknown[] = [];
    for await (const keys of client.scanIterator({ MATCH: `${namespace}:*` }))
      for (const key of keys)
        out.push(
          key,
          (await client.type(key)) === 'hash' ? await client.hGetAll(key) : await client.get(key),
        );
    return JSON.stringify(out);
  } finally {
    await client.close();
  }
}

describe.each(['postgres', 'redis'] as const)('several app instances sharing %s', (kind) => {
  it('completes a launch begun on another instance, and any instance serves the session', async () => {
    stack = await startInstancesStack({ store: kind });
    const s = stack;
    s.route = (_m, path, rr) => (path === '/launch' ? 0 : path === '/callback' ? 1 : rr());
    const handle = await launchSession(s.ehr, s.url, 'cb');
    expect(s.routed.filter((r) => r.path === '/launch' || r.path === '/callback')).toEqual([
      { method: 'GET', path: '/launch', instance: 0, status: 200 },
      { method: 'GET', path: '/callback', instance: 1, status: 200 },
    ]);
    for (const url of s.instanceUrls())
      expect((await call(url, handle, '/api/context')).status).toBe(200);
  });

  it('completes a launch once when its callback reaches both instances at the same moment', async () => {
    stack = await startInstancesStack({ store: kind });
    const s = stack;
    const started = await startLaunch(await ehrLaunchUrl(s.ehr, 'enc-today-01', 'cb'));
    const callback = await authorizeAt(started.authorizeUrl);
    const answers = await Promise.all(
      s.instanceUrls().map(async (url) => {
        const res = await fetch(`${url}${callback.pathname}${callback.search}`, {
          headers: { cookie: started.cookie },
        });
        return { status: res.status, handle: sessionHandleIn(await res.text()) };
      }),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    expect(answers.filter((a) => a.handle)).toHaveLength(1);
    expect(s.granted).toHaveLength(1); // the code was exchanged once
  });

  it('signs out on one instance and the other refuses the session; the EHR revoked the grant', async () => {
    stack = await startInstancesStack({ store: kind });
    const s = stack;
    const [a = '', b = ''] = s.instanceUrls();
    const handle = await launchSession(s.ehr, s.url, 'cb');
    expect((await call(b, handle, '/api/context')).status).toBe(200);
    expect((await call(a, handle, '/api/session', 'DELETE')).status).toBe(204);
    const after = await call(b, handle, '/api/context');
    expect(after.status).toBe(401);
    expect(after.json.hint).toBe('Relaunch ChartBill from the encounter in your EHR.');
    expect(await refreshAtEhr(s, s.granted[0]?.refresh ?? '')).toBe(400);
  });

  it('counts activity on any instance toward the idle timeout, and ends an idle session on all of them', async () => {
    stack = await startInstancesStack({
      store: kind,
      appEnv: { CHARTBILL_SESSION_IDLE_MINUTES: '15' },
    });
    const s = stack;
    const [a = '', b = ''] = s.instanceUrls();
    const handle = await launchSession(s.ehr, s.url, 'cb');
    s.advance(10 * 60_000);
    expect((await call(a, handle, '/api/codes/search?q=diabetes')).status).toBe(200);
    s.advance(10 * 60_000); // 20 minutes since launch, 10 since the request on instance a
    expect((await call(b, handle, '/api/codes/search?q=diabetes')).status).toBe(200);
    s.advance(16 * 60_000);
    const idle = await call(a, handle, '/api/context');
    expect(idle.status).toBe(401);
    expect(idle.json.message).toBe('Your ChartBill session ended after 15 minutes without use.');
    expect((await call(b, handle, '/api/context')).status).toBe(401);
    // The instance that ended it revoked the grant at the EHR (in the background: wait for it).
    await expect
      .poll(() => refreshAtEhr(s, s.granted[0]?.refresh ?? ''), { timeout: 10_000 })
      .toBe(400);
  });

  it('refreshes the EHR token once when both instances need it at the same moment', async () => {
    stack = await startInstancesStack({ store: kind });
    const s = stack;
    const [a = '', b = ''] = s.instanceUrls();
    const handle = await launchSession(s.ehr, s.url, 'cb');
    s.advance(250_000); // 50 s before the 300 s access token expires
    const answers = await Promise.all([a, b, a, b].map((url) => call(url, handle, '/api/context')));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(s.refreshes()).toBe(1);
  });

  it('keeps sessions through a restart of every instance, with no token readable in the store', async () => {
    const oldKey = randomBytes(32).toString('base64');
    stack = await startInstancesStack({ store: kind, appEnv: { CHARTBILL_SESSION_KEY: oldKey } });
    const s = stack;
    const handle = await launchSession(s.ehr, s.url, 'cb');
    // At rest: hashed ids, times and ciphertext; no token, verifier or patient id in clear.
    const stored = await storeContents(kind, s.namespace);
    expect(stored).toContain('v1.');
    const secrets = s.granted.flatMap((g) => [g.access, g.refresh]).filter(Boolean);
    expect(secrets.length).toBeGreaterThanOrEqual(2);
    // The handle neither: someone reading the store cannot use what they read as a session.
    for (const secret of [...secrets, handle, 'pat-01', 'enc-today-01'])
      expect(stored).not.toContain(secret);
    await s.restartAll();
    expect((await call(s.url, handle, '/api/context')).status).toBe(200);
    expect((await call(s.url, handle, '/api/context')).status).toBe(200);

    // Key rotation: the new key first encrypts, the old one still opens what it sealed.
    const newKey = randomBytes(32).toString('base64');
    await s.restartAll({ CHARTBILL_SESSION_KEY: `${newKey},${oldKey}` });
    expect((await call(s.url, handle, '/api/context')).status).toBe(200);
    const second = await launchSession(s.ehr, s.url, 'cb', 'enc-today-02');
    // Once the old key is retired, what it sealed is unreadable: that session must relaunch.
    await s.restartAll({ CHARTBILL_SESSION_KEY: newKey });
    expect((await call(s.url, handle, '/api/context')).status).toBe(401);
    expect((await call(s.url, second, '/api/context')).status).toBe(200);
  });
});

describe('the single-process default (memory)', () => {
  it('loses sessions on restart and cannot finish another instance’s launch: what a shared store is for', async () => {
    stack = await startInstancesStack({ store: 'memory' });
    const s = stack;
    s.route = (_m, path, rr) => (path === '/launch' ? 0 : path === '/callback' ? 1 : rr());
    await expect(launchSession(s.ehr, s.url, 'cb')).rejects.toThrow(/callback answered 400/);
    s.route = () => 0;
    const handle = await launchSession(s.ehr, s.url, 'cb');
    expect((await call(s.url, handle, '/api/context')).status).toBe(200);
    await s.restartAll();
    expect((await call(s.url, handle, '/api/context')).status).toBe(401);
  });
});

describe('session store settings', () => {
  const ehrs = JSON.stringify([{ iss: 'https://ehr.example/fhir', clientId: 'cb' }]);

  it('refuses a shared store without a key, naming the setting and how to make one', () => {
    expect(() =>
      loadAppConfig({ CHARTBILL_EHRS: ehrs, CHARTBILL_SESSION_STORE: REDIS_URL }),
    ).toThrow(/CHARTBILL_SESSION_KEY: is required when CHARTBILL_SESSION_STORE is not memory/);
    expect(() =>
      loadAppConfig({ CHARTBILL_EHRS: ehrs, CHARTBILL_SESSION_STORE: 'mysql://db' }),
    ).toThrow(/CHARTBILL_SESSION_STORE: must be memory, a postgres:\/\/ URL or a redis:\/\/ URL/);
  });

  it('says at start which store it cannot reach, and what to check', async () => {
    const key = randomBytes(32).toString('base64');
    const open = (store: string) =>
      openSessionBackend({ store, namespace: 'chartbill', key, keyFile: undefined });
    const refusal = async (store: string) => {
      const err = await open(store).then(
        () => undefined,
        (e: unknown) => e as { message: string; hint: string },
      );
      return { message: err?.message ?? '(opened)', hint: err?.hint };
    };
    const redis = await refusal('redis://127.0.0.1:1');
    expect(redis.message).toMatch(/^Cannot open the session store in Redis: .*ECONNREFUSED/);
    expect(redis.hint).toBe('Check CHARTBILL_SESSION_STORE and that Redis accepts connections.');
    const postgres = await refusal('postgres://postgres@127.0.0.1:1/test');
    expect(postgres.message).toMatch(
      /^Cannot open the session store in PostgreSQL: .*ECONNREFUSED/,
    );
    expect(postgres.hint).toBe(
      'Check CHARTBILL_SESSION_STORE and that the database accepts connections.',
    );
  });

  it('refuses a key that is not 32 bytes, and says which one', async () => {
    const good = randomBytes(32).toString('base64');
    const config = loadAppConfig({
      CHARTBILL_EHRS: ehrs,
      CHARTBILL_SESSION_STORE: REDIS_URL,
      CHARTBILL_SESSION_KEY: `${good},c2hvcnQ=`,
    });
    await expect(
      openSessionBackend(
        config.sessionStore ?? {
          store: 'memory',
          namespace: 'x',
          key: undefined,
          keyFile: undefined,
        },
      ),
    ).rejects.toThrow('CHARTBILL_SESSION_KEY: key 2 is 5 bytes, not 32.');
  });
});
