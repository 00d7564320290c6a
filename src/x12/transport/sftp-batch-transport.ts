import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { AppError } from '../../errors/app-error.ts';
import type { Logger } from '../../log/create-logger.ts';
import { readConfigFile, readSecret, type SftpConfig } from '../clearinghouse-config.ts';
import type { BatchTransport } from './clearinghouse-transport.ts';

/**
 * The OpenSSH fingerprint of a host key as `ssh-keygen -lf` prints it: `SHA256:` and the
 * unpadded base64 of the SHA-256 of the key's wire form (RFC 4253 §6.6 public key blob).
 */
export function sshFingerprint(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Names the transport refuses: a path, a hidden or temporary name. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;
/** What an upload in progress is called: hidden, so the clearinghouse never picks it up. */
const tempName = (name: string) => `.${name}.part`;

interface Connection {
  client: SftpClient;
  alive: boolean;
}

/**
 * Batch files over SFTP with `ssh2-sftp-client` (over `ssh2`): one connection, opened when first
 * needed and opened again when it drops. The server's host key must match the configured
 * fingerprint (the connection is refused otherwise, before any credential is sent); uploads go
 * to a hidden temporary name and are renamed, so the clearinghouse never reads half a file.
 * A server that cannot be reached, or answers slower than the timeout, is `PAYER_UNAVAILABLE`
 * (retry later); refused credentials or host key are `CONFIG_INVALID` (fix the settings).
 */
export function createSftpBatchTransport(
  config: SftpConfig,
  deps: { logger?: Logger } = {},
): BatchTransport {
  const where = `sftp://${config.user}@${config.host}:${config.port}`;
  const log = deps.logger?.child({ clearinghouse: where });
  let current: Promise<Connection> | undefined;

  async function open(): Promise<Connection> {
    const connection: Connection = { client: undefined as unknown as SftpClient, alive: true };
    const dropped = () => {
      connection.alive = false;
    };
    // Our own listeners: the library's defaults write to the console.
    connection.client = new SftpClient('chartbill', {
      error: dropped,
      end: dropped,
      close: dropped,
    });
    let presented: string | undefined;
    const credentials =
      'password' in config.auth
        ? { password: await readSecret(config.auth.password) }
        : {
            privateKey: await readConfigFile(
              config.auth.privateKeyFile,
              'CHARTBILL_X12_SFTP_KEY_FILE',
            ),
          };
    try {
      await connection.client.connect({
        host: config.host,
        port: config.port,
        username: config.user,
        ...credentials,
        readyTimeout: config.timeoutMs,
        // Host key pinning: the key is checked before authentication, so no password or key
        // signature ever reaches a server that is not the configured one (RFC 4251 §4.1).
        hostVerifier: (key: Buffer) => {
          presented = sshFingerprint(key);
          return presented === config.hostKey;
        },
      });
    } catch (err) {
      connection.alive = false;
      await connection.client.end().catch(() => undefined);
      throw connectError(err, presented);
    }
    // Each SFTP request is a small write answered by a small read: with Nagle's algorithm on, each
    // waited for the peer's delayed ACK (on Node 24 about 90 ms a round trip, 0.3 s an operation).
    (
      connection.client as unknown as { client?: { setNoDelay?(on: boolean): void } }
    ).client?.setNoDelay?.(true);
    log?.info('sftp connected');
    return connection;
  }

  function connectError(err: unknown, presented: string | undefined): AppError {
    const message = err instanceof Error ? err.message : String(err);
    if (presented !== undefined && presented !== config.hostKey)
      return new AppError(
        'CONFIG_INVALID',
        `The SFTP server at ${config.host}:${config.port} presented host key ${presented}, not the configured CHARTBILL_X12_SFTP_HOST_KEY ${config.hostKey}: connection refused, nothing was sent`,
        {
          hint: 'If the clearinghouse has changed its host key, confirm the new fingerprint with them (not from the server itself) and update CHARTBILL_X12_SFTP_HOST_KEY.',
          cause: err,
        },
      );
    if (/authentication methods failed|auth/i.test(message))
      return new AppError(
        'CONFIG_INVALID',
        `The clearinghouse's SFTP server at ${config.host}:${config.port} refused the sign-in of user ${config.user} (wrong password or key)`,
        {
          hint: 'Check CHARTBILL_X12_SFTP_USER and its password file or key file.',
          cause: err,
        },
      );
    return unavailable(`cannot connect (${firstLine(message)})`, err);
  }

  function unavailable(what: string, cause?: unknown): AppError {
    return new AppError(
      'PAYER_UNAVAILABLE',
      `The clearinghouse's SFTP server at ${config.host}:${config.port}: ${what}`,
      { hint: 'ChartBill tries again later.', ...(cause ? { cause } : {}) },
    );
  }

  async function connection(): Promise<Connection> {
    const live = current ? await current.catch(() => undefined) : undefined;
    if (live?.alive) return live;
    if (live) void live.client.end().catch(() => undefined);
    const opening = open();
    current = opening;
    opening.catch(() => {
      if (current === opening) current = undefined;
    });
    return opening;
  }

  /** Runs `op` on a live connection; a connection that dropped is opened again, once. */
  async function withClient<T>(what: string, op: (c: SftpClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const conn = await connection();
      try {
        return await timed(what, op(conn.client), conn);
      } catch (err) {
        if (err instanceof AppError) throw err;
        const lost = !conn.alive || isConnectionLost(err);
        if (!lost) throw err;
        conn.alive = false;
        log?.warn({ attempt }, 'sftp connection lost; reconnecting');
        if (attempt >= 2) throw unavailable(`the connection dropped during ${what}`, err);
      }
    }
  }

  async function timed<T>(what: string, work: Promise<T>, conn: Connection): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        conn.alive = false;
        void conn.client.end().catch(() => undefined);
        reject(unavailable(`no answer to ${what} within ${config.timeoutMs / 1000} s`));
      }, config.timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  const outbound = (name: string) => posix.join(config.outboundDir, checkName(name));
  const inbound = (name: string) => posix.join(config.inboundDir, checkName(name));
  const isFile = async (c: SftpClient, path: string) => (await c.exists(path)) === '-';

  return {
    describe: `${where} (send ${config.outboundDir}, receive ${config.inboundDir})`,

    async upload(name, content) {
      const final = outbound(name);
      const temp = posix.join(config.outboundDir, tempName(name));
      await withClient('upload', async (c) => {
        await c.put(Buffer.from(content, 'utf8'), temp);
        try {
          await c.rename(temp, final);
        } catch (err) {
          // SFTP v3 rename never replaces: the same deterministic name is the same claim, sent.
          if (!(await isFile(c, final))) throw err;
          await c.delete(temp, true);
        }
      });
      log?.info({ file: name }, 'file uploaded');
    },

    async exists(name) {
      checkName(name);
      return withClient(
        'exists',
        async (c) =>
          (await isFile(c, outbound(name))) ||
          (await isFile(c, posix.join(config.processedDir, name))),
      );
    },

    async listInbound() {
      const files = await withClient('list', (c) => c.list(config.inboundDir));
      return files
        .filter((f) => f.type === '-' && SAFE_NAME.test(f.name) && !f.name.endsWith('.part'))
        .sort((a, b) => a.modifyTime - b.modifyTime || a.name.localeCompare(b.name))
        .map((f) => f.name);
    },

    async download(name) {
      const data = await withClient('download', (c) => c.get(inbound(name)));
      if (!Buffer.isBuffer(data)) throw unavailable(`download of ${name} returned no data`);
      return data.toString('utf8');
    },

    async archiveInbound(name) {
      const from = inbound(name);
      const to = posix.join(config.archiveDir, name);
      await withClient('archive', async (c) => {
        if (!(await isFile(c, from))) return;
        if ((await c.exists(config.archiveDir)) !== 'd') await c.mkdir(config.archiveDir, true);
        if (await isFile(c, to)) await c.delete(from, true);
        else await c.rename(from, to);
      });
      log?.info({ file: name }, 'file archived');
    },

    async close() {
      const live = current ? await current.catch(() => undefined) : undefined;
      current = undefined;
      if (live?.alive) await live.client.end().catch(() => undefined);
    },
  };
}

function checkName(name: string): string {
  if (!SAFE_NAME.test(name))
    throw new AppError(
      'INPUT_INVALID',
      `'${name.slice(0, 40)}' is not a file name ChartBill sends or reads (letters, digits, dots, dashes and underscores; no folders)`,
    );
  return name;
}

/** The errors `ssh2` / `ssh2-sftp-client` give when the connection itself went away. */
function isConnectionLost(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return (
    code === 'ERR_NOT_CONNECTED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    /No SFTP connection|not connected|No response from server|Connection lost|end event|close event|channel|socket|closed/i.test(
      message,
    )
  );
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.slice(0, 200) ?? '';
}
