import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import ssh2 from 'ssh2';
import type { FeeSchedule } from '../../src/claims/fee-schedule.ts';
import type { Logger } from '../../src/log/create-logger.ts';
import { sshFingerprint } from '../../src/x12/transport/sftp-batch-transport.ts';
import { CLEARINGHOUSE } from './answer-envelope.ts';
import { answerClaimFile, newIntakeState, type AnswerFile } from './claim-intake.ts';
import { buildCoreEndpoint } from './core-endpoint.ts';
import type { MemberLookup } from './members.ts';
import { startSftpServer } from './sftp-server.ts';

export interface SandboxClearinghouseOptions {
  host: string;
  /** 0 picks a free port. */
  sftpPort: number;
  corePort: number;
  /** Where the host key, the sandbox password and the file folders are kept. */
  stateDir: string;
  members: MemberLookup;
  logger: Logger;
  now?: () => Date;
  feeSchedule?: FeeSchedule;
}

/** What reached the clearinghouse (read-only counts, for tests and the demo). */
export interface ClearinghouseAudit {
  filesAnswered: number;
  claimsAdjudicated: number;
  duplicatesDenied: number;
  rejectedAtFrontDoor: number;
  realTime: Record<string, number>;
}

export interface SandboxClearinghouse {
  sftp: { host: string; port: number; user: string; hostKey: string; root: string };
  coreUrl: string;
  /** The `CHARTBILL_X12_*` settings that point ChartBill at this clearinghouse. */
  settings: Readonly<Record<string, string>>;
  /**
   * Resolves with the answer files' names once a claim file of this name has been answered
   * (`times`: the n-th file of that name, for a file sent again).
   */
  answered(name: string, times?: number): Promise<string[]>;
  audit(): ClearinghouseAudit;
  /** Drops every SFTP session (fault tests: a connection lost mid-session). */
  dropSftpConnections(): void;
  close(): Promise<void>;
}

const USER = 'chartbill';
const SEND = '/send';
const PROCESSED = '/send/processed';
const RECEIVE = '/receive';

/**
 * The sandbox clearinghouse: an SFTP server whose `/send` folder takes 837P files and whose
 * `/receive` folder gets the answers (TA1, 999, 277CA, 835), and a CAQH CORE real-time
 * endpoint for 270/271 and 276/277. Its payers adjudicate with the sandbox payer's own rules.
 * The host key is made at first start and kept in `stateDir` (so ChartBill's pinned fingerprint
 * stays valid across restarts); so is the sandbox's generated password (a file, mode 0600).
 */
export async function startSandboxClearinghouse(
  options: SandboxClearinghouseOptions,
): Promise<SandboxClearinghouse> {
  const dir = join(options.stateDir, 'clearinghouse');
  const root = join(dir, 'files');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const hostKey = await keptSecret(join(dir, 'ssh_host_ed25519_key'), hostKeyPair, parses);
  const passwordFile = join(dir, 'sftp-password');
  const password = await keptSecret(passwordFile, () => randomBytes(18).toString('base64url'));
  // The adjudications live in memory, like the sandbox payer's: a new start begins with empty folders.
  await rm(root, { recursive: true, force: true });
  for (const folder of [SEND, PROCESSED, RECEIVE, `${RECEIVE}/archive`])
    await mkdir(join(root, folder), { recursive: true });
  const state = newIntakeState();
  const now = options.now ?? (() => new Date());
  const log = options.logger;
  const realTime: Record<string, number> = {};
  const waiting = new Map<string, { times: number; resolve: (names: string[]) => void }[]>();
  const done = new Map<string, string[][]>();
  let filesAnswered = 0;
  let sequence = 0;
  let queue = Promise.resolve();

  async function answer(name: string): Promise<void> {
    const from = join(root, SEND, name);
    const text = await readFile(from, 'utf8').catch(() => undefined);
    if (text === undefined) return;
    // Out of /send at once: the file is "taken in" (ChartBill's `exists` looks in processed too).
    const taken = (await readdir(join(root, PROCESSED))).includes(name)
      ? `${name}.again-${Date.now()}`
      : name;
    await rename(from, join(root, PROCESSED, taken));
    const files = await answerClaimFile(text, {
      state,
      members: options.members,
      now: now(),
      ...(options.feeSchedule ? { feeSchedule: options.feeSchedule } : {}),
    }).catch((err: unknown) => {
      log.error({ err, file: name }, 'claim file could not be answered');
      return [] as AnswerFile[];
    });
    const names: string[] = [];
    for (const file of files) names.push(await put(file, name));
    filesAnswered += 1;
    log.info({ file: name, answers: names }, 'claim file answered');
    const answers = [...(done.get(name) ?? []), names];
    done.set(name, answers);
    const still = (waiting.get(name) ?? []).filter((w) => {
      if (w.times > answers.length) return true;
      w.resolve(answers[w.times - 1] ?? []);
      return false;
    });
    waiting.set(name, still);
  }

  async function put(file: AnswerFile, claimFile: string): Promise<string> {
    sequence += 1;
    const base = claimFile.replace(/\.[A-Za-z0-9]+$/, '').slice(0, 80);
    const name = `${Date.now()}-${String(sequence).padStart(4, '0')}-${file.kind.toLowerCase()}-${base}.x12`;
    const temp = join(root, RECEIVE, `.${name}.part`);
    await writeFile(temp, file.content);
    await rename(temp, join(root, RECEIVE, name));
    return name;
  }

  const enqueue = (name: string) => {
    queue = queue
      .then(() => answer(name))
      .catch((err: unknown) => log.error({ err }, 'intake failed'));
  };

  const sftp = await startSftpServer({
    host: options.host,
    port: options.sftpPort,
    root,
    hostKey,
    users: [{ user: USER, password }],
    logger: log,
    // As a clearinghouse account allows: claims into /send, answers taken from /receive.
    writable: { write: [SEND, `${RECEIVE}/archive`], take: [RECEIVE] },
    onFile: (path) => {
      if (posix.dirname(path) === SEND) enqueue(posix.basename(path));
    },
  });
  const core = buildCoreEndpoint({
    user: USER,
    password,
    members: options.members,
    state,
    logger: log,
    now,
    counts: realTime,
  });
  await core.listen({ host: options.host, port: options.corePort }).catch(async (err: unknown) => {
    await sftp.close();
    throw err;
  });
  const address = core.server.address();
  const corePort = typeof address === 'object' && address ? address.port : options.corePort;
  const hostPart = options.host.includes(':') ? `[${options.host}]` : options.host;
  const coreUrl = `http://${hostPart}:${corePort}/core/realtime`;
  const fingerprint = publicFingerprint(hostKey);
  return {
    sftp: { host: options.host, port: sftp.port, user: USER, hostKey: fingerprint, root },
    coreUrl,
    settings: Object.freeze({
      CHARTBILL_X12_SFTP_HOST: options.host,
      CHARTBILL_X12_SFTP_PORT: String(sftp.port),
      CHARTBILL_X12_SFTP_USER: USER,
      CHARTBILL_X12_SFTP_PASSWORD_FILE: passwordFile,
      CHARTBILL_X12_SFTP_HOST_KEY: fingerprint,
      CHARTBILL_X12_CORE_URL: coreUrl,
      CHARTBILL_X12_CORE_USER: USER,
      CHARTBILL_X12_CORE_PASSWORD_FILE: passwordFile,
      CHARTBILL_X12_RECEIVER_ID: CLEARINGHOUSE.id,
    }),
    answered: (name, times = 1) => {
      const known = done.get(name)?.[times - 1];
      if (known) return Promise.resolve(known);
      return new Promise((resolve) =>
        waiting.set(name, [...(waiting.get(name) ?? []), { times, resolve }]),
      );
    },
    audit: () => ({
      filesAnswered,
      claimsAdjudicated: state.adjudicated.size,
      duplicatesDenied: [...state.duplicates.values()].reduce((a, b) => a + b, 0),
      rejectedAtFrontDoor: state.rejected.size,
      realTime: { ...realTime },
    }),
    dropSftpConnections: () => sftp.dropConnections(),
    async close() {
      await Promise.all([sftp.close(), core.close()]);
      await queue;
    },
  };
}

/** A secret kept in a file (mode 0600): read when there, made and written at first start. */
async function keptSecret(
  path: string,
  make: () => string,
  usable: (value: string) => boolean = () => true,
): Promise<string> {
  const existing = (await readFile(path, 'utf8').catch(() => undefined))?.replace(/\n$/, '');
  // A kept key ssh2 cannot read was never served (the first start failed on it): make another.
  if (existing && usable(existing)) return existing;
  const value = make();
  await writeFile(path, `${value}\n`, { mode: 0o600 });
  return value;
}

function parses(privateKey: string): boolean {
  return !(ssh2.utils.parseKey(privateKey) instanceof Error);
}

/**
 * A new ed25519 host key that ssh2 itself can read back: ssh2's keygen strips a leading zero
 * byte of the public key, so about 1 key in 256 fails `parseKey` ("Malformed OpenSSH private
 * key", mscdex/ssh2#1390, #1513) and the clearinghouse failed to start now and then.
 */
function hostKeyPair(): string {
  for (let attempt = 0; attempt < 32; attempt += 1) {
    const key = ssh2.utils.generateKeyPairSync('ed25519').private;
    if (parses(key)) return key;
  }
  throw new Error('ssh2 made no readable ed25519 host key in 32 attempts');
}

/** The fingerprint ChartBill pins (CHARTBILL_X12_SFTP_HOST_KEY) for a host private key. */
function publicFingerprint(privateKey: string): string {
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) throw parsed;
  return sshFingerprint(parsed.getPublicSSH());
}
