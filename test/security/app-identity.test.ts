import type { ChargeItem, Condition } from 'fhir/r4';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import {
  authorizeAt,
  ehrLaunchUrl,
  launchSession,
  sessionHandleIn,
  startLaunch,
} from '../app/launch-driver.ts';
import {
  startLaunchStack,
  type LaunchStack,
  type LaunchStackOptions,
} from '../app/launch-stack.ts';
import { callApi, searchAsAdmin } from './security-kit.ts';

let stack: LaunchStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function stackWith(
  options: Partial<LaunchStackOptions> = {},
): Promise<{ s: LaunchStack; url: string }> {
  stack = await startLaunchStack({ apps: [{ clientId: 'cb' }], ...options });
  return { s: stack, url: stack.apps.get('cb')?.url ?? '' };
}

/** A whole launch as one browser; the app's answer to the callback (status and page). */
async function launchAnswer(
  s: LaunchStack,
  encounterId = 'enc-today-02',
): Promise<{ status: number; html: string }> {
  const started = await startLaunch(await ehrLaunchUrl(s.ehr, encounterId, 'cb'));
  const callback = await authorizeAt(started.authorizeUrl);
  const res = await fetch(callback, { headers: { cookie: started.cookie } });
  return { status: res.status, html: await res.text() };
}

/** Codes E11.9 and 99213 on the launched encounter through the app, as the panel's save does. */
async function codeEncounter(url: string, handle: string): Promise<void> {
  const current = await callApi(url, handle, 'GET', '/api/coding');
  expect(current.status).toBe(200);
  const body = {
    coding: {
      diagnoses: [{ code: 'E11.9' }],
      lines: [{ code: '99213', system: 'cpt', units: 1, modifiers: [], pointers: [1] }],
    },
    keys: { diagnoses: [crypto.randomUUID()], lines: [crypto.randomUUID()] },
    signOff: false,
    seen: { conditions: {}, chargeItems: {} },
  };
  const saved = await callApi(url, handle, 'PUT', '/api/coding', body);
  expect(saved.status, JSON.stringify(saved.json)).toBe(200);
}

/** The id_token the EHR answered the code exchange with (the recorded token values end with it). */
function idTokenOf(s: LaunchStack): string {
  return s.tokenRequests.find((r) => r.grant === 'authorization_code')?.secrets.at(-1) ?? '';
}

/** A token signed with a key the EHR never published. */
async function forgedIdToken(
  claims: Record<string, unknown>,
  iss: string,
  aud: string,
): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const kid = (await exportJWK(publicKey)).x ?? 'k';
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(iss)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

describe('the user who codes is the one the EHR vouches for in the id_token', () => {
  it('the sandbox, like real SMART servers, gives fhirUser only inside the id_token', async () => {
    const answers: Record<string, unknown>[] = [];
    const { s, url } = await stackWith({ tamperToken: (json) => (answers.push(json), json) });
    await launchSession(s.ehr, url, 'cb', 'enc-today-02');
    expect(answers[0]).toHaveProperty('id_token');
    expect(answers[0]).not.toHaveProperty('fhirUser');
    expect(decodeJwt(idTokenOf(s))).toMatchObject({
      aud: 'cb',
      fhirUser: expect.stringMatching(new RegExp(`^${s.ehr.fhirBase}/Practitioner/`)) as unknown,
    });
    const config = (await (
      await fetch(`${s.ehr.fhirBase}/.well-known/smart-configuration`)
    ).json()) as { jwks_uri?: string };
    const jwks = (await (await fetch(config.jwks_uri ?? '')).json()) as { keys: unknown[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
  });

  it('records the id_token’s user as the Condition’s recorder and the ChargeItem’s enterer, ignoring a fhirUser beside it', async () => {
    // A token response that also names another user outside the id_token: only the signed claim counts.
    const { s, url } = await stackWith({
      tamperToken: (json) => ({ ...json, fhirUser: 'Practitioner/pr-impostor' }),
    });
    const handle = await launchSession(s.ehr, url, 'cb', 'enc-today-02');
    const idToken = idTokenOf(s);
    const user = String(decodeJwt(idToken).fhirUser).slice(s.ehr.fhirBase.length + 1);
    expect(user).toMatch(/^Practitioner\/pr-\d+$/);

    await codeEncounter(url, handle);
    const conditions = await searchAsAdmin<Condition>(
      s.ehr,
      'Condition?encounter=Encounter/enc-today-02',
    );
    const charges = await searchAsAdmin<ChargeItem>(
      s.ehr,
      'ChargeItem?context=Encounter/enc-today-02',
    );
    expect(conditions.map((c) => c.recorder?.reference)).toEqual([user]);
    expect(charges.map((c) => c.enterer?.reference)).toEqual([user]);
  });

  it('refuses the launch when the id_token is signed with a key the EHR does not publish', async () => {
    const { s } = await stackWith({
      tamperToken: async (json) => {
        const real = decodeJwt(String(json.id_token));
        return {
          ...json,
          id_token: await forgedIdToken(
            { sub: 'pr-2', fhirUser: `${String(real.iss)}/fhir/Practitioner/pr-2` },
            String(real.iss),
            'cb',
          ),
        };
      },
    });
    const answer = await launchAnswer(s);
    expect(answer.status).toBe(502);
    expect(answer.html).toContain('SMART_ID_TOKEN_INVALID');
    expect(sessionHandleIn(answer.html)).toBeUndefined();
  });

  it('refuses an id_token issued to another app, by another issuer, or expired', async () => {
    const cases: [string, (claims: Record<string, unknown>) => Record<string, unknown>][] = [
      ['aud', (c) => ({ ...c, aud: 'another-app' })],
      ['iss', (c) => ({ ...c, iss: 'https://evil.example' })],
      ['exp', (c) => ({ ...c, exp: Math.floor(Date.now() / 1000) - 3600 })],
    ];
    for (const [claim, change] of cases) {
      // The sandbox's own key would be needed to sign these; a token that differs only in one claim
      // but keeps the signature is as good as forged: the signature no longer matches.
      const { s } = await stackWith({
        tamperToken: (json) => {
          const [h, , sig] = String(json.id_token).split('.');
          const body = Buffer.from(
            JSON.stringify(change(decodeJwt(String(json.id_token)))),
          ).toString('base64url');
          return { ...json, id_token: `${h ?? ''}.${body}.${sig ?? ''}` };
        },
      });
      const answer = await launchAnswer(s);
      expect(answer.status, claim).toBe(502);
      expect(answer.html, claim).toContain('SMART_ID_TOKEN_INVALID');
      await s.close();
      stack = undefined;
    }
  });
});
