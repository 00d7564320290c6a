import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSessionKeys, SessionSealer } from '../../smart-app/session/session-sealer.ts';

const key = () => randomBytes(32);

describe('sealing session records (AES-256-GCM)', () => {
  it('opens what it sealed, and nothing altered, moved to another id or sealed under another key', () => {
    const sealer = new SessionSealer([key()]);
    const sealed = sealer.seal('{"accessToken":"tok"}', 'session:a');
    expect(sealed).not.toContain('tok');
    expect(sealer.open(sealed, 'session:a')).toBe('{"accessToken":"tok"}');
    expect(sealer.open(sealed, 'session:b')).toBeUndefined();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[3] = body.toString('base64url');
    expect(sealer.open(parts.join('.'), 'session:a')).toBeUndefined();
    expect(new SessionSealer([key()]).open(sealed, 'session:a')).toBeUndefined();
  });

  it('rotates: the newest key seals, older keys still open, a retired key opens nothing', () => {
    const [oldKey, newKey] = [key(), key()];
    const before = new SessionSealer([oldKey]).seal('old', 'x');
    const rotated = new SessionSealer([newKey, oldKey]);
    expect(rotated.open(before, 'x')).toBe('old');
    const after = rotated.seal('new', 'x');
    expect(new SessionSealer([newKey]).open(after, 'x')).toBe('new');
    expect(new SessionSealer([newKey]).open(before, 'x')).toBeUndefined();
  });

  it('reads keys from CHARTBILL_SESSION_KEY_FILE, one per line, and names a bad or missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-keys-'));
    try {
      const file = join(dir, 'keys');
      const [a, b] = [key(), key()];
      await writeFile(file, `# newest first\n${a.toString('base64')}\n${b.toString('hex')}\n`);
      expect(loadSessionKeys({ key: undefined, keyFile: file })).toEqual([a, b]);
      await writeFile(file, '# nothing yet\n');
      expect(() => loadSessionKeys({ key: undefined, keyFile: file })).toThrow(
        `CHARTBILL_SESSION_KEY_FILE (${file}) holds no key.`,
      );
      expect(() => loadSessionKeys({ key: undefined, keyFile: join(dir, 'none') })).toThrow(
        /CHARTBILL_SESSION_KEY_FILE: cannot read .*none/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
