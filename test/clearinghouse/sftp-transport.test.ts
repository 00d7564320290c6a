import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { isAppError } from '../../src/errors/app-error.ts';
import { detectTransactionSet } from '../../src/x12/read-x12.ts';
import type { BatchTransport } from '../../src/x12/transport/clearinghouse-transport.ts';
import {
  claimFile,
  sftpTransport,
  startTestClearinghouse,
  type TestClearinghouse,
} from './clearinghouse-fixture.ts';

describe('SFTP batch transport against the sandbox clearinghouse', () => {
  let ch: TestClearinghouse;
  let transport: BatchTransport;
  beforeEach(async () => {
    ch = await startTestClearinghouse();
    transport = sftpTransport(ch.settings);
  });
  afterEach(async () => {
    await transport.close();
    await ch.close();
  });

  test('uploads a claim file, lists the answers oldest first, downloads and archives them once', async () => {
    await transport.upload('claim-0001.837', claimFile(101));
    expect(await transport.exists('claim-0001.837')).toBe(true);
    expect(await transport.exists('claim-0002.837')).toBe(false);
    const answers = await ch.clearinghouse.answered('claim-0001.837');
    const listed = await transport.listInbound();
    expect(listed).toEqual(answers);
    const kinds = [];
    for (const name of listed)
      kinds.push(await detectTransactionSet(await transport.download(name)));
    expect(kinds).toEqual(['999', '277', '835']);
    for (const name of listed) {
      await transport.archiveInbound(name);
      await transport.archiveInbound(name);
    }
    expect(await transport.listInbound()).toEqual([]);
    expect((await readdir(join(ch.clearinghouse.sftp.root, 'receive', 'archive'))).sort()).toEqual(
      [...listed].sort(),
    );
    // Taken in by the clearinghouse, the file is still known: a resend after a crash is avoided.
    expect(await transport.exists('claim-0001.837')).toBe(true);
  });

  test('refuses a wrong password with the user named, and never logs it', async () => {
    const wrong = join(ch.stateDir, 'wrong-password');
    await writeFile(wrong, 'not-the-password\n');
    const bad = sftpTransport({ ...ch.settings, CHARTBILL_X12_SFTP_PASSWORD_FILE: wrong });
    const err = await bad.listInbound().catch((e: unknown) => e);
    expect(isAppError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/refused the sign-in of user chartbill/);
    expect((err as Error).message).not.toContain('not-the-password');
    await bad.close();
  });

  test('refuses a server whose host key is not the pinned one, naming both fingerprints', async () => {
    const pinned = 'SHA256:' + 'A'.repeat(43);
    const bad = sftpTransport({ ...ch.settings, CHARTBILL_X12_SFTP_HOST_KEY: pinned });
    const err = await bad.upload('claim-0009.837', claimFile(109)).catch((e: unknown) => e);
    expect(isAppError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toContain(`presented host key ${ch.clearinghouse.sftp.hostKey}`);
    expect((err as Error).message).toContain(pinned);
    expect(await readdir(join(ch.clearinghouse.sftp.root, 'send'))).toEqual(['processed']);
    await bad.close();
  });

  test('reconnects when the connection drops mid-session', async () => {
    expect(await transport.listInbound()).toEqual([]);
    ch.clearinghouse.dropSftpConnections();
    await transport.upload('claim-0002.837', claimFile(102));
    await ch.clearinghouse.answered('claim-0002.837');
    expect(await transport.listInbound()).toHaveLength(3);
  });

  test('a half-written file is never picked up, on either side', async () => {
    const raw = new SftpClient('test', {
      error: () => undefined,
      end: () => undefined,
      close: () => undefined,
    });
    await raw.connect({
      host: '127.0.0.1',
      port: ch.clearinghouse.sftp.port,
      username: 'chartbill',
      password: (await import('node:fs'))
        .readFileSync(ch.settings.CHARTBILL_X12_SFTP_PASSWORD_FILE ?? '', 'utf8')
        .trim(),
    });
    const half = claimFile(103).slice(0, 300);
    await raw.put(Buffer.from(half), '/send/.claim-0003.837.part');
    await raw.end();
    await transport.upload('claim-0004.837', claimFile(104));
    await ch.clearinghouse.answered('claim-0004.837');
    expect(ch.clearinghouse.audit().filesAnswered).toBe(1);
    expect(await readdir(join(ch.clearinghouse.sftp.root, 'send'))).toContain(
      '.claim-0003.837.part',
    );
    // The clearinghouse's own file in progress is not offered to ChartBill either.
    await writeFile(join(ch.clearinghouse.sftp.root, 'receive', '.9999-835-x.x12.part'), 'ISA');
    expect((await transport.listInbound()).some((n) => n.includes('.part'))).toBe(false);
  });
});

describe('SFTP batch transport against a server that does not answer', () => {
  test('a connection that never completes is PAYER_UNAVAILABLE within the timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const dir = join(process.cwd(), '.tmp-sftp-timeout');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'password'), 'x');
    const transport = sftpTransport({
      CHARTBILL_X12_SFTP_HOST: '127.0.0.1',
      CHARTBILL_X12_SFTP_PORT: String(port),
      CHARTBILL_X12_SFTP_USER: 'chartbill',
      CHARTBILL_X12_SFTP_PASSWORD_FILE: join(dir, 'password'),
      CHARTBILL_X12_SFTP_HOST_KEY: 'SHA256:' + 'B'.repeat(43),
      CHARTBILL_X12_TIMEOUT_SECONDS: '1',
    });
    try {
      const err = await transport.listInbound().catch((e: unknown) => e);
      expect(isAppError(err, 'PAYER_UNAVAILABLE')).toBe(true);
      expect((err as Error).message).toMatch(/cannot connect/);
    } finally {
      await transport.close();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
      await (await import('node:fs/promises')).rm(dir, { recursive: true, force: true });
    }
  });
});
