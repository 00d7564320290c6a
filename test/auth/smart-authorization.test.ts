import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import {
  APP_CLIENT,
  authorize,
  launchFromEhr,
  pkcePair,
  postToken,
  REDIRECT_URI,
  startTestEhr,
} from '../sandbox/sandbox-fixture.ts';

let ehr: SandboxEhr | undefined;
afterEach(async () => {
  await ehr?.close();
  ehr = undefined;
});

const EHR_SCOPE =
  'launch openid fhirUser online_access patient/Condition.cru patient/Encounter.rs patient/Patient.read';

async function codeFor(
  server: SandboxEhr,
  scope: string,
  challenge: string,
  encounterId = 'enc-today-01',
): Promise<string> {
  const launch = (await launchFromEhr(server, encounterId)).searchParams.get('launch') ?? '';
  const res = await authorize(server, { scope, launch, challenge });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.origin + location.pathname).toBe(REDIRECT_URI);
  expect(location.searchParams.get('state')).toBe('state-123');
  return location.searchParams.get('code') ?? '';
}

function exchange(server: SandboxEhr, code: string, verifier: string) {
  return postToken(server, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    client_id: APP_CLIENT.clientId,
  });
}

describe('SMART authorization server', () => {
  it('publishes a smart-configuration with S256 as the only PKCE method', async () => {
    ehr = await startTestEhr({ seed: false });
    const config = (await (
      await fetch(`${ehr.fhirBase}/.well-known/smart-configuration`)
    ).json()) as Record<string, unknown>;
    expect(config.code_challenge_methods_supported).toEqual(['S256']);
    expect(config.token_endpoint).toBe(ehr.tokenUrl);
    expect(config.authorization_endpoint).toBe(`${ehr.origin}/oauth/authorize`);
    expect(config.token_endpoint_auth_signing_alg_values_supported).toEqual(['RS384', 'ES384']);
    expect(config.capabilities).toEqual(
      expect.arrayContaining([
        'launch-ehr',
        'launch-standalone',
        'client-public',
        'client-confidential-asymmetric',
        'context-ehr-encounter',
        'permission-v1',
        'permission-v2',
      ]),
    );
  });

  it('gives the launch patient and encounter to an EHR launch with PKCE, and grants what was asked', async () => {
    ehr = await startTestEhr();
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(ehr, EHR_SCOPE, challenge, 'enc-today-01');
    const { status, json } = await exchange(ehr, code, verifier);
    expect(status).toBe(200);
    expect(json).toMatchObject({
      token_type: 'Bearer',
      patient: 'pat-01',
      encounter: 'enc-today-01',
      scope: EHR_SCOPE,
      need_patient_banner: false,
    });
    // As real SMART servers do: the user only inside the signed id_token.
    expect(json.fhirUser).toBeUndefined();
    expect(typeof json.refresh_token).toBe('string');
    expect(decodeJwt(String(json.id_token))).toMatchObject({
      iss: ehr.origin,
      aud: APP_CLIENT.clientId,
      fhirUser: expect.stringMatching(new RegExp(`^${ehr.fhirBase}/Practitioner/`)) as unknown,
    });
    const claims = decodeJwt(String(json.access_token));
    expect(claims).toMatchObject({
      iss: ehr.origin,
      aud: ehr.fhirBase,
      sub: APP_CLIENT.clientId,
      patient: 'pat-01',
      encounter: 'enc-today-01',
    });
  });

  it('grants only the scopes the client is registered for', async () => {
    ehr = await startTestEhr({
      clients: [{ ...APP_CLIENT, scope: 'launch patient/Encounter.rs' }],
    });
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(
      ehr,
      'launch patient/Encounter.rs patient/Condition.cruds system/*.cruds',
      challenge,
    );
    const { json } = await exchange(ehr, code, verifier);
    expect(json.scope).toBe('launch patient/Encounter.rs');
  });

  it('refuses a second use of the same code with invalid_grant', async () => {
    ehr = await startTestEhr();
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(ehr, EHR_SCOPE, challenge);
    expect((await exchange(ehr, code, verifier)).status).toBe(200);
    const again = await exchange(ehr, code, verifier);
    expect(again.status).toBe(400);
    expect(again.json.error).toBe('invalid_grant');
  });

  it('refuses a code_verifier that does not match the challenge', async () => {
    ehr = await startTestEhr();
    const { challenge } = pkcePair();
    const code = await codeFor(ehr, EHR_SCOPE, challenge);
    const wrong = await exchange(ehr, code, pkcePair().verifier);
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toBe('invalid_grant');
  });

  it('sends the app back with invalid_request when PKCE is missing or plain', async () => {
    ehr = await startTestEhr();
    for (const params of [
      { challenge: undefined },
      { challenge: pkcePair().verifier, method: 'plain' },
    ]) {
      const launch = (await launchFromEhr(ehr, 'enc-today-01')).searchParams.get('launch') ?? '';
      const res = await authorize(ehr, { scope: EHR_SCOPE, launch, ...params });
      const location = new URL(res.headers.get('location') ?? '');
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('state')).toBe('state-123');
      expect(location.searchParams.get('code')).toBeNull();
    }
  });

  it('shows an error page and never redirects to an unregistered redirect_uri', async () => {
    ehr = await startTestEhr();
    const res = await authorize(ehr, {
      scope: EHR_SCOPE,
      challenge: pkcePair().challenge,
      redirectUri: 'https://evil.example/callback',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('redirect_uri');
  });

  it('refuses an unknown launch id', async () => {
    ehr = await startTestEhr();
    const res = await authorize(ehr, {
      scope: EHR_SCOPE,
      launch: 'made-up',
      challenge: pkcePair().challenge,
    });
    expect(new URL(res.headers.get('location') ?? '').searchParams.get('error')).toBe(
      'invalid_request',
    );
  });

  it('issues a new access token for a refresh token, once', async () => {
    ehr = await startTestEhr();
    const { verifier, challenge } = pkcePair();
    const first = await exchange(ehr, await codeFor(ehr, EHR_SCOPE, challenge), verifier);
    const refreshToken = String(first.json.refresh_token);
    const refreshed = await postToken(ehr, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: APP_CLIENT.clientId,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json).toMatchObject({
      patient: 'pat-01',
      encounter: 'enc-today-01',
      scope: EHR_SCOPE,
    });
    const res = await fetch(`${ehr.fhirBase}/Patient/pat-01`, {
      headers: { authorization: `Bearer ${String(refreshed.json.access_token)}` },
    });
    expect(res.status).toBe(200);
    const replay = await postToken(ehr, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: APP_CLIENT.clientId,
    });
    expect(replay.json.error).toBe('invalid_grant');
  });

  it('lets a standalone launch pick a patient, without an encounter', async () => {
    ehr = await startTestEhr();
    const { verifier, challenge } = pkcePair();
    const res = await authorize(ehr, { scope: 'launch/patient patient/Patient.rs', challenge });
    expect(res.status).toBe(200);
    const page = await res.text();
    const pending = /name="pending" value="([^"]+)"/.exec(page)?.[1] ?? '';
    expect(page).toContain('Choose a patient');
    const picked = await fetch(`${ehr.origin}/oauth/authorize/pick`, {
      method: 'POST',
      body: new URLSearchParams({ pending, patient: 'pat-05' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    expect(picked.status).toBe(303);
    const code = new URL(picked.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const { json } = await exchange(ehr, code, verifier);
    expect(json).toMatchObject({ patient: 'pat-05', need_patient_banner: true });
    expect(json.encounter).toBeUndefined();
  });
});
