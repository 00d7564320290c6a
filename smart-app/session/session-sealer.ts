import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError } from '../../src/errors/app-error.ts';

/**
 * Encrypts what the session store keeps at rest (tokens, PKCE verifiers) with AES-256-GCM
 * (NIST SP 800-38D): a fresh 96-bit IV per record, the record's id as additional authenticated
 * data (a row copied under another id does not decrypt). Several keys may be configured for
 * rotation: the first (newest) encrypts, every one decrypts; each sealed record names its key by
 * a short fingerprint, so records sealed under an older key stay readable until they expire.
 */
export class SessionSealer {
  private readonly keys: { id: string; key: Buffer }[];

  constructor(keys: Buffer[]) {
    if (keys.length === 0) throw new Error('SessionSealer needs at least one key');
    this.keys = keys.map((key) => ({ id: keyId(key), key }));
  }

  /** A sealer with a random key that lives as long as this process: the in-memory store's. */
  static ephemeral(): SessionSealer {
    return new SessionSealer([randomBytes(32)]);
  }

  seal(plain: string, aad: string): string {
    const newest = this.keys[0];
    if (!newest) throw new Error('no key');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', newest.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', newest.id, b64(iv), b64(body), b64(cipher.getAuthTag())].join('.');
  }

  /** The plain text, or undefined when no configured key opens it (retired key, tampered record). */
  open(sealed: string, aad: string): string | undefined {
    const [version, id, iv, body, tag] = sealed.split('.');
    const key = this.keys.find((k) => k.id === id)?.key;
    if (version !== 'v1' || !key || !iv || body === undefined || !tag) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

function b64(b: Buffer): string {
  return b.toString('base64url');
}

/** A key's public fingerprint: says which key sealed a record without revealing it. */
function keyId(key: Buffer): string {
  return createHash('sha256').update('chartbill-session-key').update(key).digest('hex').slice(0, 8);
}

const KEY_HELP =
  'Each key is 32 random bytes in base64 (e.g. `openssl rand -base64 32`), newest first, separated by commas (CHARTBILL_SESSION_KEY) or one per line (CHARTBILL_SESSION_KEY_FILE).';

/** Parses a key list (newest first); every bad entry is named. */
export function parseSessionKeys(text: string, source: string): Buffer[] {
  const entries = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'));
  const keys: Buffer[] = [];
  entries.forEach((entry, i) => {
    const key = /^[0-9a-f]{64}$/i.test(entry)
      ? Buffer.from(entry, 'hex')
      : Buffer.from(entry, 'base64');
    if (key.length !== 32)
      throw new AppError(
        'CONFIG_INVALID',
        `${source}: key ${String(i + 1)} is ${String(key.length)} bytes, not 32.`,
        { hint: KEY_HELP },
      );
    keys.push(key);
  });
  if (keys.length === 0)
    throw new AppError('CONFIG_INVALID', `${source} holds no key.`, { hint: KEY_HELP });
  return keys;
}

/** The configured keys: CHARTBILL_SESSION_KEY, else the file CHARTBILL_SESSION_KEY_FILE, else none. */
export function loadSessionKeys(settings: {
  key: string | undefined;
  keyFile: string | undefined;
}): Buffer[] | undefined {
  if (settings.key) return parseSessionKeys(settings.key, 'CHARTBILL_SESSION_KEY');
  if (!settings.keyFile) return undefined;
  let text: string;
  try {
    text = readFileSync(settings.keyFile, 'utf8');
  } catch (err) {
    throw new AppError(
      'CONFIG_INVALID',
      `CHARTBILL_SESSION_KEY_FILE: cannot read ${settings.keyFile} (${(err as Error).message}).`,
      { hint: KEY_HELP, cause: err },
    );
  }
  return parseSessionKeys(text, `CHARTBILL_SESSION_KEY_FILE (${settings.keyFile})`);
}
