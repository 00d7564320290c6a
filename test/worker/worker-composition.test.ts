import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { generateClientKeys } from '../../src/auth/keys.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { startSandboxStack, type SandboxStackOptions } from '../../cli/sandbox-stack.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { startWorker } from '../../worker/runtime/start-worker.ts';
import { loadWorkerConfig } from '../../worker/runtime/worker-config.ts';

const logger = createLogger('silent', 'worker-composition-test');
let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

const stackOptions = (settings: Record<string, string>): SandboxStackOptions => ({
  host: '127.0.0.1',
  ports: { app: 0, ehr: 0, payer: 0, worker: 0 },
  logger,
  codes: starterCodeSet(),
  workerSchedule: '*/5 * * * * *',
  startWorker: false,
  history: false,
  settings,
});

describe('one worker composition', { timeout: 120_000 }, () => {
  it("builds the sandbox's worker from the same settings as production's", async () => {
    const stack = await startSandboxStack(
      stackOptions({ CHARTBILL_WORKER_CONCURRENCY: '2', CHARTBILL_WORKER_MAX_ATTEMPTS: '3' }),
    );
    cleanup.push(() => stack.close());
    expect(stack.workerConfig).toMatchObject({ concurrency: 2, maxAttempts: 3 });
    // Unset settings keep production's defaults; the sandbox changes only the recheck interval.
    expect(stack.workerConfig).toMatchObject({ leaseMs: 120_000, recheckMs: 15_000 });
    const summary = await stack.worker.tick();
    expect(summary).toBeDefined();
    const jwks = (await (await fetch(stack.jwksUrl)).json()) as { keys: JWK[] };
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('refuses a bad worker setting in the sandbox instead of ignoring it', async () => {
    await expect(
      startSandboxStack(stackOptions({ CHARTBILL_WORKER_CONCURRENCY: '0' })),
    ).rejects.toThrow(/CHARTBILL_WORKER_CONCURRENCY: /);
  });

  it('serves the JWKS on the configured host and names the public URL the EHR fetches', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-jwks-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const keys = await generateClientKeys('ES384');
    const keyFile = join(dir, 'key.json');
    await writeFile(keyFile, JSON.stringify(keys.privateJwk));
    const config = loadWorkerConfig({
      CHARTBILL_FHIR_BASE_URL: 'http://127.0.0.1:9/fhir',
      CHARTBILL_TOKEN_URL: 'http://127.0.0.1:9/token',
      CHARTBILL_PAYER_BASE_URL: 'http://127.0.0.1:9/payer',
      CHARTBILL_CLIENT_ID: 'worker',
      CHARTBILL_PRIVATE_KEY_FILE: keyFile,
      // Any loopback address is this machine on Linux: it stands in for a public interface.
      CHARTBILL_WORKER_HOST: '127.0.0.2',
      CHARTBILL_WORKER_PORT: '0',
      CHARTBILL_JWKS_URL: 'https://chartbill.example.org/.well-known/jwks.json',
      CHARTBILL_WORKER_HEAP_GROWTH_PERCENT: '0',
    });
    const running = await startWorker(config, logger, {
      ledger: createMemoryLedger(),
      schedule: false,
    });
    cleanup.push(() => running.close());
    expect(running.jwksUrl).toBe('https://chartbill.example.org/.well-known/jwks.json');
    expect(running.healthUrl).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    const served = (await (await fetch(`${running.healthUrl}/.well-known/jwks.json`)).json()) as {
      keys: JWK[];
    };
    expect(served.keys.map((k) => k.kid)).toEqual(keys.publicJwks.keys.map((k) => k.kid));
    expect(served.keys[0]).not.toHaveProperty('d');
  });
});
