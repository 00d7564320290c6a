import { timingSafeEqual } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, posix } from 'node:path';
import ssh2 from 'ssh2';
import type { Attributes, AuthContext, Connection, FileEntry, SFTPWrapper } from 'ssh2';
import type { Logger } from '../../src/log/create-logger.ts';

const { Server, utils } = ssh2;
const STATUS = utils.sftp.STATUS_CODE;

/** A user the sandbox SFTP server lets in: a password, an OpenSSH public key, or both. */
export interface SftpUser {
  user: string;
  password?: string;
  /** `ssh-ed25519 AAAA…` as in authorized_keys. */
  publicKey?: string;
}

export interface SftpServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The folder the users see as `/` (they cannot leave it). */
  root: string;
  /** The host's private key (OpenSSH format). */
  hostKey: string;
  users: readonly SftpUser[];
  logger: Logger;
  /** A file became complete under a visible name (written and closed, or renamed): its path as users see it. */
  onFile?: (path: string) => void;
  /**
   * What users may change, as a clearinghouse's account allows: folders where they may write
   * files, and folders where they may remove or move files away. Reading is allowed anywhere
   * under the root. Default: everything.
   */
  writable?: { write: readonly string[]; take: readonly string[] };
}

export interface SandboxSftpServer {
  port: number;
  /** Ends every open session, as a network drop or a server restart would (fault tests). */
  dropConnections(): void;
  close(): Promise<void>;
}

/**
 * An SFTP server (SFTP v3 over `ssh2`'s Server) backed by a directory, enough for what a
 * clearinghouse's file drop is used for: list, stat, read, write, rename, remove, make folders.
 * A name starting with a dot is hidden work in progress: it never triggers `onFile`.
 */
export async function startSftpServer(options: SftpServerOptions): Promise<SandboxSftpServer> {
  const connections = new Set<Connection>();
  const server = new Server({ hostKeys: [options.hostKey] }, (client) => {
    connections.add(client);
    // No Nagle delay on the small request/answer packets of SFTP (see sftp-batch-transport.ts).
    (client as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
    client.on('close', () => connections.delete(client));
    client.on('error', () => connections.delete(client));
    client.on('authentication', (ctx) => authenticate(ctx, options.users));
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => serveSftp(acceptSftp(), options));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    dropConnections() {
      for (const c of connections) c.end();
      connections.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.end();
        server.close(() => resolve());
      }),
  };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function authenticate(ctx: AuthContext, users: readonly SftpUser[]): void {
  const user = users.find((u) => u.user === ctx.username);
  if (!user) return ctx.reject(['password', 'publickey']);
  if (ctx.method === 'password' && user.password !== undefined)
    return same(ctx.password, user.password) ? ctx.accept() : ctx.reject();
  if (ctx.method === 'publickey' && user.publicKey) {
    const allowed = utils.parseKey(user.publicKey);
    if (allowed instanceof Error) return ctx.reject();
    const matches = ctx.key.algo === allowed.type && ctx.key.data.equals(allowed.getPublicSSH());
    if (!matches) return ctx.reject();
    // Without a signature the client only asks whether the key would do (RFC 4252 §7).
    if (!ctx.signature) return ctx.accept();
    return allowed.verify(ctx.blob ?? Buffer.alloc(0), ctx.signature, ctx.hashAlgo)
      ? ctx.accept()
      : ctx.reject();
  }
  return ctx.reject(['password', 'publickey']);
}

type Open =
  | { kind: 'file'; file: FileHandle; path: string; written: boolean }
  | { kind: 'dir'; path: string; done: boolean };

function serveSftp(sftp: SFTPWrapper, options: SftpServerOptions): void {
  const handles = new Map<number, Open>();
  let next = 1;
  const real = (path: string) => join(options.root, posix.normalize(posix.join('/', path)));
  const virtual = (path: string) => posix.normalize(posix.join('/', path));
  const handleOf = (buffer: Buffer) =>
    handles.get(buffer.length === 4 ? buffer.readUInt32BE(0) : 0);
  const newHandle = (entry: Open) => {
    const id = next++;
    handles.set(id, entry);
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32BE(id, 0);
    return buffer;
  };
  const fail = (reqId: number, err: unknown) =>
    sftp.status(
      reqId,
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? STATUS.NO_SUCH_FILE : STATUS.FAILURE,
      (err as Error).message.replace(options.root, ''),
    );
  const run = (reqId: number, work: () => Promise<void>) => {
    work().catch((err: unknown) => fail(reqId, err));
  };
  const may = (kind: 'write' | 'take', path: string) =>
    !options.writable || options.writable[kind].includes(posix.dirname(virtual(path)));
  const deny = (reqId: number, what: string) =>
    sftp.status(reqId, STATUS.PERMISSION_DENIED, `${what}: not allowed for this account`);
  const complete = (path: string) => {
    if (!posix.basename(path).startsWith('.')) options.onFile?.(virtual(path));
  };

  sftp.on('REALPATH', (reqId, path) => {
    const p = virtual(path);
    sftp.name(reqId, [{ filename: p, longname: p, attrs: {} as Attributes }]);
  });
  for (const op of ['STAT', 'LSTAT'] as const)
    sftp.on(op, (reqId: number, path: string) =>
      run(reqId, async () => sftp.attrs(reqId, attrsOf(await stat(real(path))))),
    );
  sftp.on('FSTAT', (reqId, handle) =>
    run(reqId, async () => {
      const h = handleOf(handle);
      if (h?.kind !== 'file') {
        sftp.status(reqId, STATUS.FAILURE, 'bad handle');
        return;
      }
      sftp.attrs(reqId, attrsOf(await h.file.stat()));
    }),
  );
  sftp.on('SETSTAT', (reqId) => sftp.status(reqId, STATUS.OK));
  sftp.on('FSETSTAT', (reqId) => sftp.status(reqId, STATUS.OK));
  sftp.on('OPEN', (reqId, filename, flags) =>
    run(reqId, async () => {
      const mode = utils.sftp.flagsToString(flags) ?? 'r';
      if (mode !== 'r' && !may('write', filename)) {
        deny(reqId, `writing ${virtual(filename)}`);
        return;
      }
      const file = await open(real(filename), mode);
      sftp.handle(reqId, newHandle({ kind: 'file', file, path: filename, written: false }));
    }),
  );
  sftp.on('READ', (reqId, handle, offset, length) =>
    run(reqId, async () => {
      const h = handleOf(handle);
      if (h?.kind !== 'file') {
        sftp.status(reqId, STATUS.FAILURE, 'bad handle');
        return;
      }
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await h.file.read(buffer, 0, length, offset);
      if (bytesRead === 0) {
        sftp.status(reqId, STATUS.EOF);
        return;
      }
      sftp.data(reqId, buffer.subarray(0, bytesRead));
    }),
  );
  sftp.on('WRITE', (reqId, handle, offset, data) =>
    run(reqId, async () => {
      const h = handleOf(handle);
      if (h?.kind !== 'file') {
        sftp.status(reqId, STATUS.FAILURE, 'bad handle');
        return;
      }
      await h.file.write(data, 0, data.length, offset);
      h.written = true;
      sftp.status(reqId, STATUS.OK);
    }),
  );
  sftp.on('CLOSE', (reqId, handle) =>
    run(reqId, async () => {
      const h = handleOf(handle);
      if (!h) {
        sftp.status(reqId, STATUS.FAILURE, 'bad handle');
        return;
      }
      handles.delete(handle.readUInt32BE(0));
      if (h.kind === 'file') {
        await h.file.close();
        if (h.written) complete(h.path);
      }
      sftp.status(reqId, STATUS.OK);
    }),
  );
  sftp.on('OPENDIR', (reqId, path) =>
    run(reqId, async () => {
      if (!(await stat(real(path))).isDirectory()) {
        sftp.status(reqId, STATUS.FAILURE, 'not a folder');
        return;
      }
      sftp.handle(reqId, newHandle({ kind: 'dir', path, done: false }));
    }),
  );
  sftp.on('READDIR', (reqId, handle) =>
    run(reqId, async () => {
      const h = handleOf(handle);
      if (h?.kind !== 'dir') {
        sftp.status(reqId, STATUS.FAILURE, 'bad handle');
        return;
      }
      if (h.done) {
        sftp.status(reqId, STATUS.EOF);
        return;
      }
      h.done = true;
      const names: FileEntry[] = [];
      for (const name of await readdir(real(h.path))) {
        const s = await stat(join(real(h.path), name)).catch(() => undefined);
        if (s) names.push({ filename: name, longname: longname(name, s), attrs: attrsOf(s) });
      }
      if (names.length === 0) {
        sftp.status(reqId, STATUS.EOF);
        return;
      }
      sftp.name(reqId, names);
    }),
  );
  sftp.on('REMOVE', (reqId, path) =>
    run(reqId, async () => {
      if (!may('take', path) && !may('write', path)) {
        deny(reqId, `removing ${virtual(path)}`);
        return;
      }
      await rm(real(path));
      sftp.status(reqId, STATUS.OK);
    }),
  );
  sftp.on('MKDIR', (reqId, path) =>
    run(reqId, async () => {
      if (!may('write', path) && !may('write', posix.join(path, 'x'))) {
        deny(reqId, `making ${virtual(path)}`);
        return;
      }
      await mkdir(real(path));
      sftp.status(reqId, STATUS.OK);
    }),
  );
  sftp.on('RENAME', (reqId, from, to) =>
    run(reqId, async () => {
      if (!(may('write', to) && (may('take', from) || may('write', from)))) {
        deny(reqId, `moving ${virtual(from)} to ${virtual(to)}`);
        return;
      }
      // SFTP v3 (draft-ietf-secsh-filexfer-02 §6.5): renaming onto an existing name fails.
      if (await stat(real(to)).catch(() => undefined)) {
        sftp.status(reqId, STATUS.FAILURE, 'the target exists');
        return;
      }
      await rename(real(from), real(to));
      sftp.status(reqId, STATUS.OK);
      complete(to);
    }),
  );
  sftp.on('end', () => {
    for (const h of handles.values()) if (h.kind === 'file') void h.file.close();
    handles.clear();
  });
}

function attrsOf(s: Stats): Attributes {
  return {
    mode: s.mode,
    uid: 0,
    gid: 0,
    size: s.size,
    atime: Math.floor(s.atimeMs / 1000),
    mtime: Math.floor(s.mtimeMs / 1000),
  };
}

function longname(name: string, s: Stats): string {
  const type = s.isDirectory() ? 'd' : '-';
  const perms = (s.mode & constants.S_IRWXU) !== 0 ? 'rw-------' : '---------';
  return `${type}${perms} 1 sandbox sandbox ${s.size} Jan 1 00:00 ${name}`;
}
