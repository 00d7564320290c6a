import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/create-logger.ts';
import { startSandboxPayer } from '../../sandbox/payer-server.ts';
import { startSandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { backendClient } from '../faults/worker-child.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const logger = createLogger('silent', 'start-configured-test');
let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

// Starts a Node process with tsx: seconds on an idle machine, far more on a busy one.
describe('chartbill start with an EHR configured', { timeout: 180_000 }, () => {
  it('runs the app and the worker against the EHR, serves the worker JWKS, and stops cleanly on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-start-configured-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const { client, keyFile } = await backendClient(dir);
    const ehr = await startSandboxEhr({ port: 0, logger, clients: [client] });
    const payer = await startSandboxPayer({ port: 0, logger });
    cleanup.push(
      () => ehr.close(),
      () => payer.close(),
    );
    const child = spawn(process.execPath, ['bin/chartbill.js', 'start'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        CHARTBILL_LOG_LEVEL: 'error',
        CHARTBILL_DATA_DIR: join(dir, 'data'),
        CHARTBILL_APP_PORT: '0',
        CHARTBILL_EHRS: JSON.stringify([
          { iss: ehr.fhirBase, clientId: 'chartbill-app', clientAuth: 'public' },
        ]),
        CHARTBILL_FHIR_BASE_URL: ehr.fhirBase,
        CHARTBILL_TOKEN_URL: ehr.tokenUrl,
        CHARTBILL_CLIENT_ID: client.clientId,
        CHARTBILL_PRIVATE_KEY_FILE: keyFile,
        CHARTBILL_PAYER_BASE_URL: payer.fhirBase,
        CHARTBILL_LEDGER_PATH: join(dir, 'ledger.json'),
        CHARTBILL_WORKER_PORT: '0',
        CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
      },
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let out = '';
    const printed = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/Worker JWKS: \S+\n/.test(out)) resolve(out);
      });
      void exited.then((code) => {
        reject(new Error(`chartbill start exited (${String(code)}) before it was ready: ${out}`));
      });
    });
    cleanup.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    });
    const lines = await printed;
    const jwksUrl = /Worker JWKS: (\S+)/.exec(lines)?.[1] ?? '';
    const jwks = (await (await fetch(jwksUrl)).json()) as { keys: JWK[] };
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-384' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    // The worker ticks against the EHR: the seeded encounters' claims reach the payer.
    const deadline = Date.now() + 60_000;
    while (Object.keys(payer.audit().adjudicated).length < 7 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    expect(Object.keys(payer.audit().adjudicated)).toHaveLength(7);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
