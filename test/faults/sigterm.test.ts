import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Claim, ClaimResponse } from 'fhir/r4';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { startSandboxPayer } from '../../src/sandbox/payer-server.ts';
import { startSandboxEhr } from '../../src/sandbox/start-sandbox-ehr.ts';
import { all, logger } from '../worker/worker-kit.ts';
import { dropSchema, freshSchemaName, PG_URL } from '../worker/pg-kit.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import { backendClient, spawnWorker, type WorkerChild } from './worker-child.ts';

let cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end && !done()) await new Promise((r) => setTimeout(r, 100));
  return done();
}

describe('worker stopped with SIGTERM', () => {
  it('finishes the encounter in hand, releases its leases, exits 0 and leaves nothing half-submitted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-sigterm-'));
    const schema = freshSchemaName();
    cleanup.push(() => rm(dir, { recursive: true, force: true }), () => dropSchema(schema));
    const { client, keyFile } = await backendClient(dir);
    const ehr = await startSandboxEhr({ port: 0, logger, clients: [client] });
    const payer = await startSandboxPayer({ port: 0, logger, strict: true });
    cleanup.push(() => ehr.close(), () => payer.close());
    const fhir = createFhirGateway({ baseUrl: ehr.fhirBase, getToken: () => ehr.issueSystemToken('system/*.cruds') });
    await seedCodedEncounters(fhir, 120, 'term');
    const env = {
      CHARTBILL_FHIR_BASE_URL: ehr.fhirBase, CHARTBILL_PAYER_BASE_URL: payer.fhirBase, CHARTBILL_TOKEN_URL: ehr.tokenUrl,
      CHARTBILL_CLIENT_ID: client.clientId, CHARTBILL_PRIVATE_KEY_FILE: keyFile, CHARTBILL_LEDGER_URL: PG_URL, CHARTBILL_LEDGER_SCHEMA: schema,
      CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
    };
    const adjudicated = () => Object.keys(payer.audit().adjudicated).length;

    const child: WorkerChild = spawnWorker(env);
    cleanup.push(async () => { child.process.kill('SIGKILL'); await child.exited; });
    await child.started;
    expect(await waitUntil(() => adjudicated() >= 10, 60_000), child.stderr()).toBe(true);
    child.process.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit, child.stderr()).toEqual({ code: 0, signal: null });
    const atStop = adjudicated();
    expect(atStop).toBeLessThan(127);

    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    cleanup.push(() => db.end());
    const { rows } = await db.query<{ leased: string; submitting: string }>(`SELECT count(*) FILTER (WHERE lease_owner IS NOT NULL) AS leased, count(*) FILTER (WHERE stage IN ('submitting', 'pending')) AS submitting FROM "${schema}".ledger_items`);
    expect(rows[0]).toEqual({ leased: '0', submitting: '0' });
    // Every claim the payer received has its final answer in the store.
    const answers = await all<ClaimResponse>(fhir, 'ClaimResponse');
    const claims = await all<Claim>(fhir, 'Claim');
    expect(answers.filter((r) => r.outcome !== 'queued')).toHaveLength(Object.keys(payer.audit().submits).length);
    expect(claims.filter((c) => c.status === 'active')).toHaveLength(atStop);
  }, 120_000);
});
