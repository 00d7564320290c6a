import { createServer } from 'node:net';

/** A port free on `host` right now (asked of the OS with port 0), for servers that must know each other's URLs before they start. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True for a listen that failed because the port is taken. */
export function isAddressInUse(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EADDRINUSE'
  );
}

/**
 * Runs `start` again when it failed because a port chosen by `freePort` was taken by another
 * process before the server listened on it (the port is free when asked, not reserved). `start`
 * must close whatever it had started before it throws.
 */
export async function retryOnPortTaken<T>(start: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (!isAddressInUse(err) || attempt >= attempts) throw err;
    }
  }
}
