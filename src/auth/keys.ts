import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/** Client-assertion algorithms of SMART Backend Services (RS384 and ES384). */
export type ClientKeyAlg = 'RS384' | 'ES384';

export interface ClientKeys {
  /** The private key as a JWK with `kid` and `alg`: keep it secret (the worker's config). */
  privateJwk: JWK;
  /** The public key set to register with the EHR (`jwks` of the client registration). */
  publicJwks: { keys: JWK[] };
}

/**
 * Makes a key pair for private_key_jwt client authentication (SMART Backend Services,
 * RFC 7523). The `kid` is the RFC 7638 JWK thumbprint, so it is stable for the key and the EHR
 * can pick the right key from the registered set.
 */
export async function generateClientKeys(alg: ClientKeyAlg): Promise<ClientKeys> {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS384' ? { modulusLength: 2048 } : {}),
  });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  return {
    privateJwk: { ...privateJwk, kid, alg, use: 'sig' },
    publicJwks: { keys: [{ ...publicJwk, kid, alg, use: 'sig', key_ops: ['verify'] }] },
  };
}
