import { readFile } from 'node:fs/promises';
import { importJWK, SignJWT, type JWK } from 'jose';
import { AppError } from '../../src/errors/app-error.ts';
import type { RegisteredEhr } from '../app-config.ts';
import { randomToken } from './pkce.ts';

/** Adds the client's authentication to a token request (RFC 6749 §2.3; SMART 2.2 §2.1.7). */
export interface ClientAuthenticator {
  apply(
    body: URLSearchParams,
    headers: Record<string, string>,
    tokenEndpoint: string,
  ): Promise<void>;
}

/** Builds the authenticator for a registered EHR: public (client_id only), secret or signed JWT. */
export async function createClientAuthenticator(
  ehr: RegisteredEhr,
  env: Record<string, string | undefined>,
): Promise<ClientAuthenticator> {
  switch (ehr.clientAuth) {
    case 'public':
      return { apply: (body) => Promise.resolve(body.set('client_id', ehr.clientId)) };
    case 'client_secret_basic': {
      const secret = env[ehr.clientSecretEnv ?? ''];
      if (!secret)
        throw new AppError(
          'CONFIG_INVALID',
          `${ehr.iss}: the environment variable ${ehr.clientSecretEnv ?? '(unset)'} holding the client secret is empty`,
        );
      const basic = Buffer.from(
        `${encodeURIComponent(ehr.clientId)}:${encodeURIComponent(secret)}`,
      ).toString('base64');
      return {
        apply: (_body, headers) => Promise.resolve(void (headers.authorization = `Basic ${basic}`)),
      };
    }
    case 'private_key_jwt':
      return privateKeyJwt(
        ehr.clientId,
        JSON.parse(await readFile(ehr.privateKeyFile ?? '', 'utf8')) as JWK,
      );
    default:
      return ehr.clientAuth satisfies never;
  }
}

/** client_assertion signed with the app's private key (RFC 7523; SMART asymmetric client auth, RS384/ES384). */
export async function privateKeyJwt(clientId: string, jwk: JWK): Promise<ClientAuthenticator> {
  const alg = jwk.alg ?? (jwk.kty === 'EC' ? 'ES384' : 'RS384');
  const key = await importJWK(jwk, alg);
  return {
    async apply(body, _headers, tokenEndpoint) {
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg, kid: jwk.kid ?? '', typ: 'JWT' })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(tokenEndpoint)
        .setJti(randomToken(16))
        .setExpirationTime('5m')
        .sign(key);
      body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      body.set('client_assertion', assertion);
    },
  };
}
