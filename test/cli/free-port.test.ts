import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, retryOnPortTaken } from '../../cli/free-port.ts';

describe('starting servers on free ports', () => {
  it('starts over on another port when the chosen one was taken before the server listened', async () => {
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const taken = (squatter.address() as AddressInfo).port;
    const tried: number[] = [];
    const server = createServer();
    const port = await retryOnPortTaken(async () => {
      const candidate = tried.length === 0 ? taken : await freePort('127.0.0.1');
      tried.push(candidate);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(candidate, '127.0.0.1', resolve);
      });
      return candidate;
    });
    expect(tried[0]).toBe(taken);
    expect(port).not.toBe(taken);
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => squatter.close(r))]);
  });

  it('does not retry other failures', async () => {
    let calls = 0;
    await expect(
      retryOnPortTaken(() => {
        calls++;
        return Promise.reject(new Error('bad config'));
      }),
    ).rejects.toThrow('bad config');
    expect(calls).toBe(1);
  });
});
