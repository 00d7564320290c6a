import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import {
  APP_CLIENT,
  authorize,
  ehrLaunchToken,
  launchFromEhr,
  pkcePair,
  postToken,
  startTestEhr,
} from '../sandbox/sandbox-fixture.ts';

let ehr: SandboxEhr | undefined;
afterEach(async () => {
  await ehr?.close();
  ehr = undefined;
});

const SCOPE = 'launch openid fhirUser online_access patient/Patient.rs';

const readPatient = (server: SandboxEhr, token: unknown) =>
  fetch(`${server.fhirBase}/Patient/pat-01`, {
    headers: { authorization: `Bearer ${String(token)}` },
  });
const refresh = (server: SandboxEhr, token: unknown) =>
  postToken(server, {
    grant_type: 'refresh_token',
    refresh_token: String(token),
    client_id: APP_CLIENT.clientId,
  });
const revoke = (server: SandboxEhr, token: unknown, clientId = APP_CLIENT.clientId) =>
  fetch(`${server.origin}/oauth/revoke`, {
    method: 'POST',
    body: new URLSearchParams({ token: String(token), client_id: clientId }),
  });

describe('token revocation (RFC 7009) and refresh-token reuse', () => {
  it('revoking a refresh token ends the whole grant: its access token and its refreshes', async () => {
    ehr = await startTestEhr();
    const grant = await ehrLaunchToken(ehr, 'enc-today-01', SCOPE);
    expect((await readPatient(ehr, grant.access_token)).status).toBe(200);
    expect((await revoke(ehr, grant.refresh_token)).status).toBe(200);
    expect((await readPatient(ehr, grant.access_token)).status).toBe(401);
    expect((await refresh(ehr, grant.refresh_token)).json.error).toBe('invalid_grant');
  });

  it('revoking an access token ends its grant too, and other launches are untouched', async () => {
    ehr = await startTestEhr();
    const [a, b] = [
      await ehrLaunchToken(ehr, 'enc-today-01', SCOPE),
      await ehrLaunchToken(ehr, 'enc-today-01', SCOPE),
    ];
    expect((await revoke(ehr, a.access_token)).status).toBe(200);
    expect((await refresh(ehr, a.refresh_token)).json.error).toBe('invalid_grant');
    expect((await readPatient(ehr, b.access_token)).status).toBe(200);
  });

  it('a client cannot revoke another client’s token, and unknown tokens get 200 (RFC 7009 §2.2)', async () => {
    ehr = await startTestEhr({ clients: [APP_CLIENT, { ...APP_CLIENT, clientId: 'other-app' }] });
    const grant = await ehrLaunchToken(ehr, 'enc-today-01', SCOPE);
    expect((await revoke(ehr, grant.refresh_token, 'other-app')).status).toBe(200);
    expect((await readPatient(ehr, grant.access_token)).status).toBe(200);
    expect((await revoke(ehr, 'no-such-token')).status).toBe(200);
    expect((await revoke(ehr, 'x', 'unknown-client')).status).toBe(401);
  });

  it('a rotated refresh token presented again revokes the grant for everyone who holds it', async () => {
    ehr = await startTestEhr();
    const grant = await ehrLaunchToken(ehr, 'enc-today-01', SCOPE);
    const first = await refresh(ehr, grant.refresh_token);
    expect(first.status).toBe(200);
    const reused = await refresh(ehr, grant.refresh_token);
    expect(reused.json).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringContaining('already used') as unknown,
    });
    expect((await readPatient(ehr, first.json.access_token)).status).toBe(401);
    expect((await refresh(ehr, first.json.refresh_token)).json.error).toBe('invalid_grant');
  });
});

describe('a sandbox that knows only SMART v1 scopes', () => {
  it('advertises no v2 scopes or permission-v2, and never grants v2 scopes', async () => {
    ehr = await startTestEhr({ smartPermissions: ['v1'] });
    const config = (await (
      await fetch(`${ehr.fhirBase}/.well-known/smart-configuration`)
    ).json()) as {
      capabilities: string[];
      scopes_supported: string[];
      revocation_endpoint: string;
    };
    expect(config.capabilities).toContain('permission-v1');
    expect(config.capabilities).not.toContain('permission-v2');
    expect(config.scopes_supported.filter((s) => s.endsWith('.cruds'))).toEqual([]);
    expect(config.revocation_endpoint).toBe(`${ehr.origin}/oauth/revoke`);

    const launch = (await launchFromEhr(ehr, 'enc-today-01')).searchParams.get('launch') ?? '';
    const { verifier, challenge } = pkcePair();
    const res = await authorize(ehr, {
      scope: 'launch patient/Patient.rs patient/Condition.read patient/Condition.write',
      launch,
      challenge,
    });
    const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const token = await postToken(ehr, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: APP_CLIENT.redirectUris[0] ?? '',
      code_verifier: verifier,
      client_id: APP_CLIENT.clientId,
    });
    expect(token.json.scope).toBe('launch patient/Condition.read patient/Condition.write');
  });
});
