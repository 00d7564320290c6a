import { describe, expect, test } from 'vitest';
import { isAppError } from '../../src/errors/app-error.ts';
import { loadClearinghouseConfig } from '../../src/x12/clearinghouse-config.ts';

describe('loadClearinghouseConfig', () => {
  test('no clearinghouse configured: neither SFTP nor CORE, no payer routed to X12', () => {
    expect(loadClearinghouseConfig({})).toEqual({ payerIds: [] });
  });

  test('an SFTP host without user, credentials or host key reports every missing setting at once', () => {
    const err = (() => {
      try {
        loadClearinghouseConfig({ CHARTBILL_X12_SFTP_HOST: 'sftp.example.net' });
      } catch (e) {
        return e;
      }
    })();
    expect(isAppError(err, 'CONFIG_INVALID')).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain('CHARTBILL_X12_SFTP_USER is required');
    expect(message).toContain('CHARTBILL_X12_SFTP_KEY_FILE or CHARTBILL_X12_SFTP_PASSWORD_FILE');
    expect(message).toContain('CHARTBILL_X12_SFTP_HOST_KEY is required');
  });

  test('a host key that is not a SHA256 fingerprint is refused by the settings registry', () => {
    expect(() =>
      loadClearinghouseConfig({ CHARTBILL_X12_SFTP_HOST_KEY: 'ssh-ed25519 AAAAC3Nza' }),
    ).toThrow(/CHARTBILL_X12_SFTP_HOST_KEY: SHA256:<43 base64 characters>/);
  });

  test('reads a full connection: key auth over SFTP, a client certificate for CORE, the routed payers', () => {
    const config = loadClearinghouseConfig({
      CHARTBILL_X12_PAYER_IDS: 'SBXCH1, 87726',
      CHARTBILL_X12_SFTP_HOST: 'sftp.example.net',
      CHARTBILL_X12_SFTP_USER: 'practice42',
      CHARTBILL_X12_SFTP_KEY_FILE: '/etc/chartbill/sftp_key',
      CHARTBILL_X12_SFTP_HOST_KEY: `SHA256:${'x'.repeat(43)}`,
      CHARTBILL_X12_CORE_URL: 'https://core.example.net/realtime',
      CHARTBILL_X12_CORE_CERT_FILE: '/etc/chartbill/core.crt',
      CHARTBILL_X12_CORE_KEY_FILE: '/etc/chartbill/core.key',
      CHARTBILL_X12_SENDER_ID: 'PRACTICE42',
      CHARTBILL_X12_RECEIVER_ID: 'CLEARINGCO',
    });
    expect(config.payerIds).toEqual(['SBXCH1', '87726']);
    expect(config.sftp).toMatchObject({
      port: 22,
      auth: { privateKeyFile: '/etc/chartbill/sftp_key' },
      outboundDir: '/send',
      inboundDir: '/receive',
      timeoutMs: 30_000,
    });
    expect(config.core?.auth).toEqual({
      kind: 'certificate',
      certFile: '/etc/chartbill/core.crt',
      keyFile: '/etc/chartbill/core.key',
    });
  });
});
