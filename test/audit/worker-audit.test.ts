import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { AuditEvent, Patient, Provenance, Resource } from 'fhir/r4';
import pino from 'pino';
import { testWorker } from '../worker/test-worker.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { loggerOptions } from '../../src/log/create-logger.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { startFaultProxy, type FaultProxy } from '../faults/fault-proxy.ts';
import { all, startWorld, workerFor, type World } from '../worker/worker-kit.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let world: World | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await world?.close();
  world = undefined;
  proxy = undefined;
});

const unversioned = (ref: string) => ref.replace(/\/_history\/.*$/, '');
const codes = (e: AuditEvent, role: string) =>
  (e.entity ?? []).filter((x) => x.role?.code === role).map((x) => x.what?.reference ?? x.query);

describe('the worker records who did what', () => {
  it('writes a Provenance naming the worker Device for every version of every Claim, ClaimResponse, Task and eligibility it writes', async () => {
    world = await startWorld();
    const summary = await workerFor(world).tick();
    expect(summary.submitted).toBeGreaterThan(0);

    const provenance = await all<Provenance>(world.fhir, 'Provenance');
    const byTarget = new Map(
      provenance.flatMap((p) => p.target.map((t) => [t.reference ?? '', p] as const)),
    );
    const written: Resource[] = [];
    for (const type of [
      'Claim',
      'ClaimResponse',
      'Task',
      'CoverageEligibilityRequest',
      'CoverageEligibilityResponse',
    ] as const) {
      const found = await all(world.fhir, type);
      expect(found.length, type).toBeGreaterThan(0);
      written.push(...found);
    }
    for (const r of written) {
      // The current version of each resource has its own Provenance.
      const p = byTarget.get(`${r.resourceType}/${r.id ?? ''}/_history/${r.meta?.versionId ?? ''}`);
      expect(p, `${r.resourceType}/${r.id ?? ''}`).toBeDefined();
      expect(p?.agent[0]?.who).toMatchObject({ type: 'Device', display: 'ChartBill worker' });
      expect(p?.agent[0]?.type?.coding?.[0]?.code).toBe('author');
      expect(['CREATE', 'UPDATE']).toContain(p?.activity?.coding?.[0]?.code);
      expect(Date.parse(p?.recorded ?? '')).not.toBeNaN();
    }
    // Nothing but the worker's writes has a Provenance: reads write none. (The payments the
    // payer's answers report, PaymentReconciliation, are the worker's writes too.)
    expect(
      new Set(provenance.map((p) => unversioned(p.target[0]?.reference ?? '').split('/')[0])),
    ).toEqual(
      new Set([
        'Claim',
        'ClaimResponse',
        'Task',
        'CoverageEligibilityRequest',
        'CoverageEligibilityResponse',
        'PaymentReconciliation',
      ]),
    );
  });

  it('records its reads and writes of patient data as BALP AuditEvents in the EHR', async () => {
    world = await startWorld();
    await workerFor(world).tick();
    const events = await all<AuditEvent>(world.fhir, 'AuditEvent');
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.type).toMatchObject({
        system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
        code: 'rest',
      });
      expect(e.subtype?.[0]?.system).toBe('http://hl7.org/fhir/restful-interaction');
      expect(e.outcome).toBe('0');
      expect(e.source.observer.display).toBe('ChartBill worker');
      const requestor = e.agent.filter((a) => a.requestor);
      expect(requestor).toHaveLength(1);
      expect(requestor[0]?.who).toMatchObject({ type: 'Device', display: 'ChartBill worker' });
      expect(
        e.agent.some(
          (a) =>
            a.type?.coding?.[0]?.code === '110152' && a.network?.address === world?.ehr.fhirBase,
        ),
      ).toBe(true);
      // Exactly one patient per event (BALP: one event per patient).
      expect(codes(e, '1')).toHaveLength(1);
      expect(codes(e, '1')[0]).toMatch(/^Patient\//);
    }
    const cleanId = SEED_SCENARIOS.clean[0];
    const aboutEncounter = events.filter((e) => codes(e, '4').includes(`Encounter/${cleanId}`));
    const actions = new Set(
      aboutEncounter.map((e) => `${e.action ?? ''}:${e.subtype?.[0]?.code ?? ''}`),
    );
    // Searched (the encounter with its chart), created (claim, eligibility, answer, …).
    expect(actions).toContain('E:search-type');
    expect(actions).toContain('C:create');
    const search = aboutEncounter.find((e) => e.action === 'E');
    expect(search ? codes(search, '24') : []).toHaveLength(1);
    const creates = aboutEncounter.filter((e) => e.action === 'C');
    // A write names the exact version it wrote.
    expect(
      creates.some((e) =>
        codes(e, '4').some((r) => /^Claim\/[^/]+\/_history\/[^/]+$/.test(r ?? '')),
      ),
    ).toBe(true);
  });

  it('keeps the audit in the log, and everything else working, when the EHR refuses AuditEvent', async () => {
    world = await startWorld();
    const target = new URL(world.ehr.fhirBase).origin;
    // A real misbehaving server: the EHR behind a proxy that answers 403 to any AuditEvent write,
    // plain or in a batch Bundle (Provenance batches pass).
    const isAuditWrite = (req: { method?: string; url?: string }, body: string) =>
      req.method === 'POST' &&
      (/\/fhir\/AuditEvent(\?|$)/.test(req.url ?? '') ||
        (/\/fhir\/?(\?|$)/.test(req.url ?? '') && body.includes('"url":"AuditEvent"')));
    proxy = await startFaultProxy({
      target,
      choose: () => 'pass',
      chooseByBody: (req, body) => (isAuditWrite(req, body) ? 'status-403' : undefined),
    });
    const token = await world.ehr.issueSystemToken('system/*.cruds');
    const viaProxy = createFhirGateway({
      baseUrl: `${proxy.origin}/fhir`,
      getToken: () => Promise.resolve(token),
      retry: { attempts: 2, baseDelayMs: 10 },
    });
    const lines: string[] = [];
    const logger = pino(
      loggerOptions('info', 'audit-test'),
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const worker = testWorker(
      {
        CHARTBILL_WORKER_CONCURRENCY: '1',
        CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0',
        CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
        CHARTBILL_WORKER_MAX_ATTEMPTS: '3',
      },
      {
        clinical: viaProxy,
        billing: viaProxy,
        codes: starterCodeSet(),
        ledger: createMemoryLedger(),
        logger,
        payer: createFhirPayerAdapter({
          baseUrl: world.payer.fhirBase,
          timeoutMs: 5000,
          retry: { attempts: 2, baseDelayMs: 10 },
        }),
      },
    );

    const summary = await worker.tick();
    expect(summary).toMatchObject({ submitted: 7, failed: 0 });
    expect(proxy.counts()['status-403']).toBeGreaterThan(0);
    expect(await all(world.fhir, 'AuditEvent')).toHaveLength(0);
    expect((await all(world.fhir, 'Provenance')).length).toBeGreaterThan(0);

    const logged = lines.map(
      (l) => JSON.parse(l) as { msg: string; audit?: { action: string; entities: string[] } },
    );
    expect(logged.filter((l) => l.msg.includes('refuses these audit records'))).toHaveLength(1);
    const audits = logged.filter((l) => l.msg === 'audit event');
    expect(audits.length).toBeGreaterThan(0);
    const cleanId = SEED_SCENARIOS.clean[0];
    expect(
      audits.some(
        (a) => a.audit?.action === 'C' && a.audit.entities.includes(`Encounter/${cleanId}`),
      ),
    ).toBe(true);
    // References only: no patient's name or birth date reaches the log.
    const patient = await world.fhir.read<Patient>('Patient', 'pat-01');
    const text = lines.join('');
    expect(text).not.toContain(patient.name?.[0]?.family ?? '-');
    expect(text).not.toContain(patient.birthDate ?? '-');
  });

  it('keeps the audit while the EHR cannot take it, and delivers it later: nothing is lost', async () => {
    world = await startWorld();
    let down = true;
    // The EHR answers 503 to every batch (the AuditEvents and Provenances) while `down`.
    proxy = await startFaultProxy({
      target: new URL(world.ehr.fhirBase).origin,
      choose: () => 'pass',
      chooseByBody: (req, body) =>
        down &&
        req.method === 'POST' &&
        /\/fhir\/?(\?|$)/.test(req.url ?? '') &&
        body.includes('"resourceType":"Bundle"')
          ? 'status-503'
          : undefined,
    });
    const token = await world.ehr.issueSystemToken('system/*.cruds');
    const viaProxy = createFhirGateway({
      baseUrl: `${proxy.origin}/fhir`,
      getToken: () => Promise.resolve(token),
      retry: { attempts: 2, baseDelayMs: 10 },
    });
    const lines: string[] = [];
    const logger = pino(
      loggerOptions('info', 'audit-test'),
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const worker = testWorker(
      {
        CHARTBILL_WORKER_CONCURRENCY: '1',
        CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0',
        CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
        CHARTBILL_WORKER_MAX_ATTEMPTS: '3',
      },
      {
        clinical: viaProxy,
        billing: viaProxy,
        codes: starterCodeSet(),
        ledger: createMemoryLedger(),
        logger,
        payer: createFhirPayerAdapter({
          baseUrl: world.payer.fhirBase,
          timeoutMs: 5000,
          retry: { attempts: 2, baseDelayMs: 10 },
        }),
      },
    );
    expect(await worker.tick()).toMatchObject({ submitted: 7, failed: 0 });
    expect(proxy.counts()['status-503']).toBeGreaterThan(0);
    expect(await all(world.fhir, 'AuditEvent')).toHaveLength(0);
    expect(await all(world.fhir, 'Provenance')).toHaveLength(0);

    down = false;
    await worker.tick();
    const events = await all<AuditEvent>(world.fhir, 'AuditEvent');
    // The first tick's claim writes are there now.
    expect(
      events.filter((e) => e.action === 'C' && codes(e, '4').some((r) => r?.startsWith('Claim/')))
        .length,
    ).toBeGreaterThanOrEqual(7);
    const claims = await all(world.fhir, 'Claim');
    const provenance = await all<Provenance>(world.fhir, 'Provenance');
    for (const c of claims)
      expect(
        provenance.some((p) => p.target[0]?.reference?.startsWith(`Claim/${c.id ?? ''}/_history/`)),
        c.id,
      ).toBe(true);
    expect(lines.filter((l) => l.includes('"msg":"audit event"'))).toHaveLength(0);
    await worker.stop();
  });

  it("prints an encounter's trail with `chartbill audit`, in words and as JSON", async () => {
    world = await startWorld();
    await workerFor(world).tick();
    const cleanId = SEED_SCENARIOS.clean[0];
    const token = await world.ehr.issueSystemToken('system/*.rs');
    const run = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['bin/chartbill.js', 'audit', cleanId, '--fhir', world?.ehr.fhirBase ?? '', ...args],
          { cwd: ROOT, env: { ...process.env, CHARTBILL_AUDIT_TOKEN: token } },
          (err, stdout, stderr) => {
            resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
          },
        );
      });
    const words = await run();
    expect(words.stderr).toBe('');
    expect(words.code).toBe(0);
    expect(words.stdout).toContain(`Audit trail of Encounter/${cleanId}`);
    expect(words.stdout).toMatch(/ChartBill worker searched .*Encounter\//);
    expect(words.stdout).toMatch(/ChartBill worker created Claim\/[^/\s]+\/_history\//);
    expect(words.stdout).toMatch(/provenance: Claim\/\S+ created by ChartBill worker/);
    // The payer's answer, found through its claim.
    expect(words.stdout).toMatch(/ChartBill worker created ClaimResponse\/[^/\s]+\/_history\//);

    const json = JSON.parse((await run('--json')).stdout) as {
      who: string;
      action: string;
      resources: string[];
      provenance: unknown[];
    }[];
    const claimWrite = json.find(
      (e) => e.action === 'C' && e.resources.some((r) => r.startsWith('Claim/')),
    );
    expect(claimWrite?.provenance.length).toBeGreaterThan(0);
    expect(json.every((e) => e.who.length > 0)).toBe(true);
  });
});
