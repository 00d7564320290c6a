import { readFile } from 'node:fs/promises';
import { readSettings, type SettingsSource } from '../config/read-settings.ts';
import { AppError } from '../errors/app-error.ts';

/**
 * A secret as configured: given in the environment, or the path of a file holding it. Files are
 * read when a connection is made, not when settings are read, so `loadClearinghouseConfig` stays
 * pure and a rotated password is picked up at the next connection.
 */
export type Secret =
  | { kind: 'value'; value: string; setting: string }
  | { kind: 'file'; path: string; setting: string };

/** How ChartBill signs in to the clearinghouse's SFTP server. */
export type SftpAuth = { password: Secret } | { privateKeyFile: string };

/** Batch files over SFTP (837P out; 999, TA1, 277CA, 835 back). */
export interface SftpConfig {
  host: string;
  port: number;
  user: string;
  auth: SftpAuth;
  /** The server's host key fingerprint, `SHA256:…`: any other key is refused. */
  hostKey: string;
  /** Where ChartBill puts 837P files. */
  outboundDir: string;
  /** Where the clearinghouse moves the files it took in (`exists` looks there too). */
  processedDir: string;
  /** Where the clearinghouse leaves its answers. */
  inboundDir: string;
  /** Where ChartBill moves the answers it has read. */
  archiveDir: string;
  pollSeconds: number;
  timeoutMs: number;
}

/** Real-time 270/276 over HTTPS, CAQH CORE Connectivity Rule vC2.2.0 (HTTP MIME multipart). */
export interface CoreConfig {
  url: string;
  /** CORE SenderID / ReceiverID: the ISA06 and ISA08 of ChartBill's interchanges. */
  senderId: string;
  receiverId: string;
  auth:
    | { kind: 'basic'; user: string; password: Secret }
    | { kind: 'certificate'; certFile: string; keyFile: string };
  timeoutMs: number;
}

/** One clearinghouse connection, and which payers are reached through it. */
export interface ClearinghouseConfig {
  /** Payer ids (Organization identifier) routed to X12; the others use FHIR `$submit`. */
  payerIds: readonly string[];
  sftp?: SftpConfig;
  core?: CoreConfig;
}

/**
 * Reads the clearinghouse connection from the `CHARTBILL_X12_SFTP_*` and `CHARTBILL_X12_CORE_*`
 * settings, every problem reported at once. SFTP is configured when its host is set, CORE when
 * its URL is; each then needs its credentials, and SFTP the server's host key fingerprint (a
 * connection to an unpinned host would hand claims to whoever answers). Pure.
 */
export function loadClearinghouseConfig(env: SettingsSource): ClearinghouseConfig {
  const s = readSettings(env, { what: 'Clearinghouse (CHARTBILL_X12_SFTP_*, _CORE_*)' });
  const problems: string[] = [];
  const timeoutMs = s.CHARTBILL_X12_TIMEOUT_SECONDS * 1000;
  const secret = (value: string | undefined, file: string | undefined, name: string) =>
    value !== undefined
      ? ({ kind: 'value', value, setting: name } as const)
      : file !== undefined
        ? ({ kind: 'file', path: file, setting: `${name}_FILE` } as const)
        : undefined;
  let sftp: SftpConfig | undefined;
  if (s.CHARTBILL_X12_SFTP_HOST) {
    const password = secret(
      s.CHARTBILL_X12_SFTP_PASSWORD,
      s.CHARTBILL_X12_SFTP_PASSWORD_FILE,
      'CHARTBILL_X12_SFTP_PASSWORD',
    );
    const keyFile = s.CHARTBILL_X12_SFTP_KEY_FILE;
    if (!s.CHARTBILL_X12_SFTP_USER) problems.push('CHARTBILL_X12_SFTP_USER is required');
    if (!password && !keyFile)
      problems.push(
        'CHARTBILL_X12_SFTP_KEY_FILE or CHARTBILL_X12_SFTP_PASSWORD_FILE (or _PASSWORD) is required',
      );
    if (!s.CHARTBILL_X12_SFTP_HOST_KEY)
      problems.push(
        "CHARTBILL_X12_SFTP_HOST_KEY is required: the clearinghouse's host key fingerprint (SHA256:…), from the clearinghouse or `ssh-keyscan HOST | ssh-keygen -lf -`",
      );
    sftp = {
      host: s.CHARTBILL_X12_SFTP_HOST,
      port: s.CHARTBILL_X12_SFTP_PORT,
      user: s.CHARTBILL_X12_SFTP_USER ?? '',
      auth: keyFile ? { privateKeyFile: keyFile } : { password: password ?? secretMissing },
      hostKey: s.CHARTBILL_X12_SFTP_HOST_KEY ?? '',
      outboundDir: s.CHARTBILL_X12_SFTP_OUTBOUND_DIR,
      processedDir: s.CHARTBILL_X12_SFTP_PROCESSED_DIR,
      inboundDir: s.CHARTBILL_X12_SFTP_INBOUND_DIR,
      archiveDir: s.CHARTBILL_X12_SFTP_ARCHIVE_DIR,
      pollSeconds: s.CHARTBILL_X12_SFTP_POLL_SECONDS,
      timeoutMs,
    };
  }
  let core: CoreConfig | undefined;
  if (s.CHARTBILL_X12_CORE_URL) {
    if (!s.CHARTBILL_X12_SENDER_ID)
      problems.push('CHARTBILL_X12_SENDER_ID is required: it is the CORE SenderID');
    if (!s.CHARTBILL_X12_RECEIVER_ID)
      problems.push('CHARTBILL_X12_RECEIVER_ID is required: it is the CORE ReceiverID');
    const certFile = s.CHARTBILL_X12_CORE_CERT_FILE;
    const keyFile = s.CHARTBILL_X12_CORE_KEY_FILE;
    const password = secret(
      s.CHARTBILL_X12_CORE_PASSWORD,
      s.CHARTBILL_X12_CORE_PASSWORD_FILE,
      'CHARTBILL_X12_CORE_PASSWORD',
    );
    if (certFile && !keyFile) problems.push('CHARTBILL_X12_CORE_KEY_FILE is required with a cert');
    if (!certFile && !(s.CHARTBILL_X12_CORE_USER && password))
      problems.push(
        'CHARTBILL_X12_CORE_USER and CHARTBILL_X12_CORE_PASSWORD_FILE (or _PASSWORD), or CHARTBILL_X12_CORE_CERT_FILE and _KEY_FILE, are required',
      );
    core = {
      url: s.CHARTBILL_X12_CORE_URL,
      senderId: s.CHARTBILL_X12_SENDER_ID ?? '',
      receiverId: s.CHARTBILL_X12_RECEIVER_ID ?? '',
      auth: certFile
        ? { kind: 'certificate', certFile, keyFile: keyFile ?? '' }
        : {
            kind: 'basic',
            user: s.CHARTBILL_X12_CORE_USER ?? '',
            password: password ?? secretMissing,
          },
      timeoutMs,
    };
  }
  if (problems.length > 0)
    throw new AppError(
      'CONFIG_INVALID',
      `Clearinghouse configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      { hint: 'README, "Clearinghouses".' },
    );
  const payerIds = (s.CHARTBILL_X12_PAYER_IDS ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return Object.freeze({
    payerIds: Object.freeze(payerIds),
    ...(sftp ? { sftp: Object.freeze(sftp) } : {}),
    ...(core ? { core: Object.freeze(core) } : {}),
  });
}

/** Never used: a missing secret is reported above before the config is returned. */
const secretMissing: Secret = { kind: 'value', value: '', setting: '' };

/**
 * The secret's text: the value, or the file's content without its final line break. A file that
 * cannot be read is a configuration error naming the setting and the path, never the content.
 */
export async function readSecret(secret: Secret): Promise<string> {
  if (secret.kind === 'value') return secret.value;
  const text = await readFile(secret.path, 'utf8').catch((err: unknown) => {
    throw new AppError(
      'CONFIG_INVALID',
      `${secret.setting}: cannot read ${secret.path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      { cause: err },
    );
  });
  return text.replace(/\r?\n$/, '');
}

/** A file ChartBill needs (a key, a certificate), read or refused naming the setting. */
export async function readConfigFile(path: string, setting: string): Promise<Buffer> {
  return readFile(path).catch((err: unknown) => {
    throw new AppError(
      'CONFIG_INVALID',
      `${setting}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      { cause: err },
    );
  });
}
