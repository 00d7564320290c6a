import { createHash, randomBytes } from 'node:crypto';

/** An unguessable URL-safe random string (256 bits). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A PKCE verifier and its S256 challenge (RFC 7636 §4.1–4.2); SMART 2.2 requires S256. */
export function createPkce(): { verifier: string; challenge: string } {
  const verifier = randomToken(32);
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}
