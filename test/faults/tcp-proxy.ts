import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  /** The port to connect to in place of the target's. */
  port: number;
  /**
   * An outage: every open connection is cut, and new ones are refused (accepted and closed at
   * once) until `up()`; as a database that crashed and is restarting.
   */
  down(): void;
  up(): void;
  /** Connections accepted so far (refused ones included). */
  connections(): number;
  close(): Promise<void>;
}

/**
 * A real TCP proxy in front of a server (PostgreSQL here) that can cut every connection and
 * refuse new ones for a while: the server's outage and fast restart, without touching the
 * machine's server.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let isDown = false;
  let accepted = 0;
  const server = createServer((client) => {
    accepted += 1;
    if (isDown) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', cut).on('close', cut);
    upstream.on('error', cut).on('close', cut);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    down() {
      isDown = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    up() {
      isDown = false;
    },
    connections: () => accepted,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
