import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClaimResponse } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { startSandboxPayer, type SandboxPayer } from '../../sandbox/payer-server.ts';
import { startSandboxEhr, type SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { all, logger } from '../worker/worker-kit.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import { seededRandom } from './fault-proxy.ts';
import { backendClient, spawnWorker, type WorkerChild } from './worker-child.ts';
import { expectOnceEach, SEEDED_SUBMITTED } from './exactly-once.ts';

const ENCOUNTERS = 200;
/** How long a wait for progress may take before the test calls the worker stuck: a hang's cap only. */
const PATIENCE_MS = 300_000;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

interface Stack {
  ehr: SandboxEhr;
  payer: SandboxPayer;
  env: Record<string, string>;
}

async function startStack(): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-crash-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const { client, keyFile } = await backendClient(dir);
  const ehr = await startSandboxEhr({ port: 0, logger, clients: [client] });
  const payer = await startSandboxPayer({ port: 0, logger, strict: true });
  cleanup.push(
    () => ehr.close(),
    () => payer.close(),
  );
  const env = {
    CHARTBILL_FHIR_BASE_URL: ehr.fhirBase,
    CHARTBILL_PAYER_BASE_URL: payer.fhirBase,
    CHARTBILL_TOKEN_URL: ehr.tokenUrl,
    CHARTBILL_CLIENT_ID: client.clientId,
    CHARTBILL_PRIVATE_KEY_FILE: keyFile,
    CHARTBILL_LEDGER_PATH: join(dir, 'ledger.json'),
    CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
    CHARTBILL_WORKER_RETRY_BASE_SECONDS: '0.2',
    CHARTBILL_HTTP_BACKOFF_MS: '20',
  };
  return { ehr, payer, env };
}

/** Waits until `done` holds, checking every 250 ms; false when `ms` passes first. */
async function waitUntil(done: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

describe('worker killed with SIGKILL at random points', () => {
  it(
    'ends with exactly one claim, one payer submission and one final answer per encounter',
    async () => {
      const { ehr, payer, env } = await startStack();
      const fhir = createFhirGateway({
        baseUrl: ehr.fhirBase,
        getToken: () => ehr.issueSystemToken('system/*.cruds'),
      });
      const extra = await seedCodedEncounters(fhir, ENCOUNTERS, 'crash');
      const expected = [...extra, ...SEEDED_SUBMITTED];
      const adjudicated = () => Object.keys(payer.audit().adjudicated).length;
      const adjudicatedAll = () => adjudicated() >= expected.length;
      const random = seededRandom(2026);
      let kills = 0;
      let child: WorkerChild | undefined;
      cleanup.push(async () => {
        child?.process.kill('SIGKILL');
        await child?.exited;
      });

      // Kill at random points while the backlog drains; a few restarts in, let the last run finish.
      // Each run is killed after a random number of the payer's answers (progress, not time, so a
      // busy machine slows the test without changing it), then a random moment later: whatever the
      // worker is doing then (a claim half written, a submission in flight, an answer not yet stored).
      for (let run = 0; run < 12 && !adjudicatedAll(); run++) {
        child = spawnWorker(env);
        await child.started;
        const target = adjudicated() + 1 + Math.floor(random() * 24);
        await waitUntil(() => adjudicated() >= target || adjudicatedAll(), PATIENCE_MS);
        await new Promise((r) => setTimeout(r, random() * 300));
        child.process.kill('SIGKILL');
        const exit = await child.exited;
        if (exit.signal === 'SIGKILL') kills += 1;
      }
      child = spawnWorker(env);
      await child.started;
      const answersFor = async () =>
        (await all<ClaimResponse>(fhir, 'ClaimResponse')).filter((r) => r.outcome !== 'queued')
          .length;
      const drained = await waitUntil(
        async () => adjudicatedAll() && (await answersFor()) >= expected.length,
        PATIENCE_MS,
      );
      expect(drained, child.stderr()).toBe(true);
      expect(kills).toBeGreaterThanOrEqual(3);

      const { claims, answers } = await expectOnceEach(fhir, payer.audit(), expected);
      expect(claims).toHaveLength(expected.length);
      expect(answers).toHaveLength(expected.length);
    },
    3 * PATIENCE_MS,
  );
});
