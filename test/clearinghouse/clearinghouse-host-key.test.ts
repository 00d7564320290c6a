import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { expect, test } from 'vitest';
import { startTestClearinghouse } from './clearinghouse-fixture.ts';

test('a kept host key ssh2 cannot read is replaced by a readable one, then kept across restarts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-host-key-'));
  try {
    const keyFile = join(dir, 'clearinghouse', 'ssh_host_ed25519_key');
    await mkdir(join(dir, 'clearinghouse'), { recursive: true });
    await writeFile(
      keyFile,
      '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
    );
    const first = await startTestClearinghouse(dir);
    const pinned = first.clearinghouse.sftp.hostKey;
    await first.close();
    expect(ssh2.utils.parseKey(await readFile(keyFile, 'utf8'))).not.toBeInstanceOf(Error);
    const again = await startTestClearinghouse(dir);
    expect(again.clearinghouse.sftp.hostKey).toBe(pinned);
    await again.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
