import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import { z } from 'zod';
import { AppError } from '../../src/errors/app-error.ts';

/** Members of a private JWK that must never leave the worker (RFC 7518 §6.2.2, §6.3.2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

const jwksSchema = z.object({ keys: z.array(z.looseObject({ kty: z.string() })).min(1) });

/** A JSON Web Key Set holding public keys only. */
export interface PublicJwks {
  keys: JWK[];
}

/** The public half of a private JWK, with its kid and alg, marked for signatures. */
export function publicJwkOf(privateJwk: JWK): JWK {
  const kept = Object.entries(privateJwk).filter(
    ([member]) => !(PRIVATE_MEMBERS as readonly string[]).includes(member),
  );
  return { ...(Object.fromEntries(kept) as JWK), use: 'sig' };
}

/**
 * The JWKS the worker serves at `/.well-known/jwks.json`, for the EHR to fetch (SMART Backend
 * Services: a JWKS URL registered instead of a pasted key). From `CHARTBILL_JWKS_PUBLIC_FILE`
 * when set (e.g. during key rotation, old and new keys), else derived from the private key.
 */
export async function loadPublicJwks(privateJwk: JWK, publicFile?: string): Promise<PublicJwks> {
  if (!publicFile) return { keys: [publicJwkOf(privateJwk)] };
  const parsed = jwksSchema.safeParse(JSON.parse(await readFile(publicFile, 'utf8')) as unknown);
  if (!parsed.success)
    throw new AppError('CONFIG_INVALID', `CHARTBILL_JWKS_PUBLIC_FILE ${publicFile} is not a JWKS`, {
      cause: parsed.error,
    });
  return { keys: parsed.data.keys.map((k) => publicJwkOf(k as JWK)) };
}
