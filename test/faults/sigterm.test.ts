import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Claim, ClaimResponse } from 'fhir/r4';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { startSandboxPayer } from '../../sandbox/payer-server.ts';
import { startSandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { all, logger } from '../worker/worker-kit.ts';
import { dropSchema, freshSchemaName, PG_URL } from '../worker/pg-kit.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import { startFaultProxy, type FaultProxyOptions } from './fault-proxy.ts';
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
    cleanup.push(
      () => rm(dir, { recursive: true, force: true }),
      () => dropSchema(schema),
    );
    const { client, keyFile } = await backendClient(dir);
    const ehr = await startSandboxEhr({ port: 0, logger, clients: [client] });
    const payer = await startSandboxPayer({ port: 0, logger, strict: true });
    cleanup.push(
      () => ehr.close(),
      () => payer.close(),
    );
    const fhir = createFhirGateway({
      baseUrl: ehr.fhirBase,
      getToken: () => ehr.issueSystemToken('system/*.cruds'),
    });
    await seedCodedEncounters(fhir, 120, 'term');
    const env = {
      CHARTBILL_FHIR_BASE_URL: ehr.fhirBase,
      CHARTBILL_PAYER_BASE_URL: payer.fhirBase,
      CHARTBILL_TOKEN_URL: ehr.tokenUrl,
      CHARTBILL_CLIENT_ID: client.clientId,
      CHARTBILL_PRIVATE_KEY_FILE: keyFile,
      CHARTBILL_LEDGER_URL: PG_URL,
      CHARTBILL_LEDGER_SCHEMA: schema,
      CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
    };
    const adjudicated = () => Object.keys(payer.audit().adjudicated).length;

    const child: WorkerChild = spawnWorker(env);
    cleanup.push(async () => {
      child.process.kill('SIGKILL');
      await child.exited;
    });
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
    const { rows } = await db.query<{ leased: string; submitting: string }>(
      `SELECT count(*) FILTER (WHERE lease_owner IS NOT NULL) AS leased, count(*) FILTER (WHERE stage IN ('submitting', 'pending')) AS submitting FROM "${schema}".ledger_items`,
    );
    expect(rows[0]).toEqual({ leased: '0', submitting: '0' });
    // Every claim the payer received has its final answer in the store.
    const answers = await all<ClaimResponse>(fhir, 'ClaimResponse');
    const claims = await all<Claim>(fhir, 'Claim');
    expect(answers.filter((r) => r.outcome !== 'queued')).toHaveLength(
      Object.keys(payer.audit().submits).length,
    );
    expect(claims.filter((c) => c.status === 'active')).toHaveLength(atStop);
  }, 120_000);

  it('exits within the shutdown grace period under a slow payer, releasing its leases, and a restart sends each claim once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-sigterm-slow-'));
    const schema = freshSchemaName();
    cleanup.push(
      () => rm(dir, { recursive: true, force: true }),
      () => dropSchema(schema),
    );
    const { client, keyFile } = await backendClient(dir);
    const ehr = await startSandboxEhr({ port: 0, logger, clients: [client] });
    const payer = await startSandboxPayer({ port: 0, logger, strict: true });
    cleanup.push(
      () => ehr.close(),
      () => payer.close(),
    );
    // A payer 10 s away: an encounter in hand (eligibility, then the claim) takes 20 s or more.
    const slow: FaultProxyOptions = { target: payer.url, choose: () => 'pass', latencyMs: 10_000 };
    const proxy = await startFaultProxy(slow);
    cleanup.push(() => proxy.close());
    const fhir = createFhirGateway({
      baseUrl: ehr.fhirBase,
      getToken: () => ehr.issueSystemToken('system/*.cruds'),
    });
    await seedCodedEncounters(fhir, 30, 'grace');
    const grace = 3;
    const env = {
      CHARTBILL_FHIR_BASE_URL: ehr.fhirBase,
      CHARTBILL_PAYER_BASE_URL: `${proxy.origin}/fhir`,
      CHARTBILL_TOKEN_URL: ehr.tokenUrl,
      CHARTBILL_CLIENT_ID: client.clientId,
      CHARTBILL_PRIVATE_KEY_FILE: keyFile,
      CHARTBILL_LEDGER_URL: PG_URL,
      CHARTBILL_LEDGER_SCHEMA: schema,
      CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
      CHARTBILL_WORKER_SHUTDOWN_SECONDS: String(grace),
      CHARTBILL_WORKER_RETRY_BASE_SECONDS: '0.2',
    };

    const child: WorkerChild = spawnWorker(env);
    cleanup.push(async () => {
      child.process.kill('SIGKILL');
      await child.exited;
    });
    await child.started;
    // Stopped while encounters are in hand at the payer.
    expect(await waitUntil(() => proxy.records.length >= 4, 60_000), child.stderr()).toBe(true);
    const asked = Date.now();
    child.process.kill('SIGTERM');
    const exit = await child.exited;
    const seconds = (Date.now() - asked) / 1000;
    expect(exit, child.stderr()).toEqual({ code: 0, signal: null });
    // The grace period, and a few seconds to close the ledger and the health server.
    expect(seconds).toBeLessThan(grace + 7);

    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    cleanup.push(() => db.end());
    const { rows } = await db.query<{
      leased: string;
      pending: string;
      submittingWithoutOutbox: string;
    }>(`SELECT count(*) FILTER (WHERE lease_owner IS NOT NULL) AS leased, count(*) FILTER (WHERE stage = 'pending') AS pending,
      count(*) FILTER (WHERE stage = 'submitting' AND data->>'outbox' IS NULL) AS "submittingWithoutOutbox" FROM "${schema}".ledger_items`);
    expect(rows[0]).toEqual({ leased: '0', pending: '0', submittingWithoutOutbox: '0' });

    // The payer is quick again; a new worker finishes the rest, asking before resending.
    slow.latencyMs = 0;
    const next: WorkerChild = spawnWorker(env);
    cleanup.push(async () => {
      next.process.kill('SIGKILL');
      await next.exited;
    });
    await next.started;
    const answersFor = async () =>
      (await all<ClaimResponse>(fhir, 'ClaimResponse')).filter((r) => r.outcome !== 'queued')
        .length;
    const settled = async () => {
      const { rows: left } = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${schema}".ledger_items WHERE stage IN ('pending', 'submitting', 'failed') OR lease_owner IS NOT NULL`,
      );
      return (
        left[0]?.n === '0' &&
        Object.keys(payer.audit().adjudicated).length >= 30 &&
        (await answersFor()) >= Object.keys(payer.audit().submits).length
      );
    };
    expect(await waitUntilAsync(settled, 90_000), next.stderr()).toBe(true);
    next.process.kill('SIGTERM');
    expect(await next.exited).toEqual({ code: 0, signal: null });
    const audit = payer.audit();
    expect(Object.values(audit.submits).every((n) => n === 1)).toBe(true);
    expect(audit.duplicates).toEqual({});
    const claims = await all<Claim>(fhir, 'Claim');
    expect(claims.filter((c) => c.status === 'active')).toHaveLength(
      Object.keys(audit.submits).length,
    );
    expect(await answersFor()).toBe(Object.keys(audit.submits).length);
  }, 240_000);
});

async function waitUntilAsync(done: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
