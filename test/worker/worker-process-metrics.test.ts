import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { medplumFaults } from '../../sandbox/medplum-faults.ts';
import { startSandboxPayer } from '../../sandbox/payer-server.ts';
import { startSandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { backendClient, spawnWorker } from '../faults/worker-child.ts';
import { seedCodedEncounters } from './seed-encounters.ts';
import { logger } from './worker-kit.ts';

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describe('the worker process against a Medplum-like server', () => {
  it('bills every encounter and shows its level of concurrency and its requests per server, resource, interaction and status on /metrics', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-process-metrics-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const { client, keyFile } = await backendClient(dir);
    const ehr = await startSandboxEhr({
      port: 0,
      logger,
      clients: [client],
      faults: medplumFaults({ quotaPoints: 0 }),
    });
    const payer = await startSandboxPayer({ port: 0, logger, strict: true });
    cleanup.push(
      () => ehr.close(),
      () => payer.close(),
    );
    const fhir = createFhirGateway({
      baseUrl: ehr.fhirBase,
      getToken: () => ehr.issueSystemToken('system/*.cruds'),
    });
    await seedCodedEncounters(fhir, 20, 'metrics');
    const child = spawnWorker({
      CHARTBILL_FHIR_BASE_URL: ehr.fhirBase,
      CHARTBILL_PAYER_BASE_URL: payer.fhirBase,
      CHARTBILL_TOKEN_URL: ehr.tokenUrl,
      CHARTBILL_CLIENT_ID: client.clientId,
      CHARTBILL_PRIVATE_KEY_FILE: keyFile,
      CHARTBILL_LEDGER_PATH: join(dir, 'ledger.json'),
      CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
    });
    cleanup.push(async () => {
      child.process.kill('SIGKILL');
      await child.exited;
    });
    const health = await child.started;
    const metrics = async () => (await fetch(`${health}/metrics`)).text();
    // The seed's 7 claims and the 20 added ones, each submitted once (the payer is strict).
    let text = '';
    for (let n = 0; n < 600; n++) {
      text = await metrics();
      if (Number(/^chartbill_worker_claims_submitted_total (\d+)$/m.exec(text)?.[1]) >= 27) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(text, child.stderr()).toMatch(/^chartbill_worker_claims_submitted_total 27$/m);
    expect(Object.keys(payer.audit().adjudicated)).toHaveLength(27);
    const level = Number(/^chartbill_worker_concurrency (\d+)$/m.exec(text)?.[1]);
    expect(level).toBeGreaterThanOrEqual(1);
    expect(level).toBeLessThanOrEqual(16);
    expect(text).toMatch(/^chartbill_worker_concurrency_ceiling 16$/m);
    const claimsCreated =
      /^chartbill_worker_fhir_requests_total\{server="ehr",resource="Claim",interaction="create",status="201"\} (\d+)$/m.exec(
        text,
      )?.[1];
    expect(Number(claimsCreated)).toBeGreaterThanOrEqual(27);
    expect(text).toMatch(
      /^chartbill_worker_fhir_requests_total\{server="ehr",resource="Encounter",interaction="search-type",status="200"\} \d+$/m,
    ); // The payer's requests too: each claim went to it once, each after an eligibility check.
    expect(text).toMatch(
      /^chartbill_worker_fhir_requests_total\{server="payer",resource="Claim",interaction="\$submit",status="200"\} 27$/m,
    );
    expect(text).toMatch(
      /^chartbill_worker_fhir_requests_total\{server="payer",resource="CoverageEligibilityRequest",interaction="\$submit",status="200"\} [1-9]\d*$/m,
    );
  });
});
