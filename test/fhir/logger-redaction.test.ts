import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/create-logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, log: createLogger('info', 'test', stream) };
}

describe('logging never carries tokens', () => {
  it('redacts tokens, secrets and authorization headers wherever they appear', () => {
    const { lines, log } = capture();
    log.info(
      {
        authorization: 'Bearer abc',
        tokens: { access_token: 'AT-1', refresh_token: 'RT-1', id_token: 'ID-1' },
        client: { client_secret: 'S-1' },
        req: { headers: { authorization: 'Bearer xyz' } },
      },
      'hello',
    );
    const out = lines.join('');
    for (const secret of ['abc', 'AT-1', 'RT-1', 'ID-1', 'S-1', 'xyz'])
      expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('logs request paths without their query strings (codes, state, search values)', () => {
    const { lines, log } = capture();
    log.info(
      { req: { method: 'GET', url: '/callback?code=SECRETCODE&state=S1', id: 'r1' } },
      'request',
    );
    expect(lines.join('')).toContain('"path":"/callback"');
    expect(lines.join('')).not.toContain('SECRETCODE');
  });
});
