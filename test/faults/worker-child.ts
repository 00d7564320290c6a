import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateClientKeys } from '../../src/auth/keys.ts';
import type { SandboxClient } from '../../sandbox/sandbox-client.ts';
import { DEFAULT_WORKER_SCOPE } from '../../worker/runtime/worker-config.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'worker', 'runtime', 'main.ts');

/** A backend client (private_key_jwt, ES384) for the sandbox EHR, with its private key on disk. */
export async function backendClient(
  dir: string,
): Promise<{ client: SandboxClient; keyFile: string }> {
  const keys = await generateClientKeys('ES384');
  const keyFile = join(dir, 'worker-key.json');
  await writeFile(keyFile, JSON.stringify(keys.privateJwk), { mode: 0o600 });
  const client: SandboxClient = {
    clientId: 'chartbill-worker',
    name: 'ChartBill worker',
    auth: { kind: 'jwks', jwks: keys.publicJwks },
    redirectUris: [],
    scope: DEFAULT_WORKER_SCOPE,
  };
  return { client, keyFile };
}

export interface WorkerChild {
  process: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the health URL once the worker has started. */
  started: Promise<string>;
  /** The process's stderr so far (for failure messages). */
  stderr(): string;
}

/** Runs `worker/runtime/main.ts` in a child process with the given environment (on top of PATH/HOME). */
export function spawnWorker(env: Record<string, string>): WorkerChild {
  const child = spawn(process.execPath, [...nodeFlags(), '--import', 'tsx', MAIN], {
    // A data dir with nothing imported: the built-in starter code set, whatever the developer imported.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      CHARTBILL_LOG_LEVEL: 'error',
      CHARTBILL_WORKER_PORT: '0',
      CHARTBILL_DATA_DIR: join(tmpdir(), 'chartbill-nothing-imported'),
      // Work is added and workers killed at any moment: every beat polls (the idle backoff has
      // its own test, test/worker/idle-backoff.test.ts).
      CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-4000);
  });
  const started = new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /worker health (\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return { process: child, exited, started, stderr: () => err };
}

/** Extra node flags for the worker process, e.g. `--cpu-prof` to profile it in a bench run. */
function nodeFlags(): string[] {
  return (process.env.CHARTBILL_TEST_WORKER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
}
