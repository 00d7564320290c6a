import { testWorker } from '../worker/test-worker.ts';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Claim, ClaimResponse, Task } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { isAppError } from '../../src/errors/app-error.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import type { PayerAdapter } from '../../src/payer/payer-adapter.ts';
import type { Worker } from '../../worker/runtime/build-worker.ts';
import { openFileLedger } from '../../worker/ledger/file-ledger.ts';
import { buildHealthServer } from '../../worker/runtime/health-server.ts';
import type { Ledger, LedgerItem } from '../../worker/ledger/ledger.ts';
import { all, logger, startWorld, type World } from '../worker/worker-kit.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import { fullDisk } from './full-disk-fs.ts';
import { SEEDED_SUBMITTED } from './exactly-once.ts';

let world: World | undefined;
let dir: string | undefined;
const ledgers: Ledger[] = [];
afterEach(async () => {
  await Promise.all(ledgers.splice(0).map((l) => l.close().catch(() => undefined)));
  await world?.close();
  world = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

// Short leases: an encounter whose state could not be written keeps its lease until it runs out
// (releasing it would forget the encounter), and only then comes due again.
const SETTINGS = {
  CHARTBILL_WORKER_CONCURRENCY: '1',
  CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0',
  CHARTBILL_WORKER_IDLE_MAX_SECONDS: '0',
  CHARTBILL_WORKER_SCHEDULE: '* * * * * *',
  CHARTBILL_WORKER_MAX_ATTEMPTS: '100',
  CHARTBILL_WORKER_RETRY_BASE_SECONDS: '0.001',
  CHARTBILL_WORKER_LEASE_SECONDS: '1',
};

async function ledgerPath(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'chartbill-disk-'));
  return join(dir, 'ledger.json');
}

function workerOn(
  w: World,
  ledger: Ledger,
  payer: PayerAdapter = adapter(w),
  log = logger,
): Worker {
  ledgers.push(ledger);
  return testWorker(SETTINGS, {
    clinical: w.fhir,
    billing: w.fhir,
    codes: starterCodeSet(),
    logger: log,
    ledger,
    payer,
  });
}

function adapter(w: World): PayerAdapter {
  return createFhirPayerAdapter({ baseUrl: w.payer.fhirBase, retry: { attempts: 1 } });
}

/** A payer whose answers to claims are lost on the way back: the payer took the claim, the worker never heard. */
function answersLost(payer: PayerAdapter): PayerAdapter {
  return {
    payerIds: payer.payerIds,
    checkEligibility: (bundle) => payer.checkEligibility(bundle),
    claimStatus: (identifier) => payer.claimStatus(identifier),
    submitClaim: async (bundle) => {
      await payer.submitClaim(bundle);
      throw new Error('the answer was lost on the way back');
    },
  };
}

/** Ticks (as the schedule does: a failed tick is logged, the next one runs) until `expected` are answered. */
async function drain(worker: Worker, ledger: Ledger, expected: readonly string[]): Promise<void> {
  // Ticks until every encounter is answered: some wait for a lease to run out first.
  const giveUpAt = Date.now() + 60_000;
  while (Date.now() < giveUpAt) {
    await worker.tick().catch(() => undefined);
    const answered = new Set(
      (await ledger.listItems({ stages: ['answered'] })).map((i) => i.encounter),
    );
    if (expected.every((id) => answered.has(`Encounter/${id}`))) return;
  }
}

/**
 * What a user of the billing store and the payer sees, per encounter the ledger knows: one Claim,
 * one submission received by the payer and one final answer; or, when not answered, a Task saying
 * why. And no claim identifier reached the payer twice.
 */
async function expectExactlyOnce(
  w: World,
  ledger: Ledger,
  expected: readonly string[],
): Promise<void> {
  const claims = await all<Claim>(w.fhir, 'Claim');
  const answers = await all<ClaimResponse>(w.fhir, 'ClaimResponse');
  const tasks = await all<Task>(w.fhir, 'Task');
  const audit = w.payer.audit();
  const items = await ledger.listItems();
  for (const id of expected)
    expect(items.find((i) => i.encounter === `Encounter/${id}`)?.stage, id).toBe('answered');
  for (const item of items) {
    const id = item.encounter.replace('Encounter/', '');
    if (item.stage !== 'answered') {
      expect(
        tasks.some((t) => t.encounter?.reference === item.encounter),
        `${id} has no answer and no Task`,
      ).toBe(true);
      continue;
    }
    const mine = claims.filter((c) => c.identifier?.[0]?.value === `enc-${id}`);
    expect(mine, id).toHaveLength(1);
    expect(audit.submits[`${SYSTEM.claimId}|enc-${id}`], id).toBe(1);
    expect(
      answers
        .filter((r) => r.request?.reference === `Claim/${mine[0]?.id ?? ''}`)
        .map((r) => r.outcome === 'queued'),
      id,
    ).toEqual([false]);
  }
  expect(Object.entries(audit.submits).filter(([, n]) => n > 1)).toEqual([]);
}

const SUBMITTED = SEEDED_SUBMITTED;

describe('file ledger on a disk that fills up', () => {
  it('refuses what does not fit, takes no new work and says so, then finishes every encounter once when space comes back', async () => {
    world = await startWorld();
    const expected = [...(await seedCodedEncounters(world.fhir, 20, 'full')), ...SUBMITTED];
    const path = await ledgerPath();
    const disk = fullDisk();
    const logged: string[] = [];
    const log = createLogger(
      'info',
      'disk-full-test',
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logged.push(chunk.toString());
          done();
        },
      }),
    );
    const ledger = await openFileLedger(path, { fs: disk.fs, log });
    const worker = workerOn(world, ledger, adapter(world), log);
    const health = buildHealthServer({ metrics: worker.metrics, logger, ledger });

    // Room for a few encounters' changes: the disk fills part-way through the first tick.
    disk.room = 3000;
    await worker.tick().catch(() => undefined);
    expect(disk.refused + disk.short).toBeGreaterThan(0);
    expect(ledger.health?.()).toMatchObject({ writable: false });
    const healthz = await health.inject({ url: '/healthz' });
    expect(healthz.statusCode).toBe(503);
    expect(healthz.json()).toMatchObject({
      status: 'failing',
      ledger: { writable: false, error: expect.stringContaining('ENOSPC') as unknown },
    });
    expect((await health.inject({ url: '/metrics' })).body).toContain(
      'chartbill_worker_ledger_writable 0',
    );
    expect(logged.some((l) => l.includes('ledger write refused'))).toBe(true);

    // Still full: a tick takes no new work, so the payer receives nothing more.
    const submitsWhileFull = world.payer.audit().submits;
    await expect(worker.tick()).rejects.toSatisfy((err: unknown) =>
      isAppError(err, 'LEDGER_UNAVAILABLE'),
    );
    expect(world.payer.audit().submits).toEqual(submitsWhileFull);
    // The journal on disk is whole: what memory says is what a restart would read.
    const onDisk = await openFileLedger(path);
    expect(onDisk.health?.().quarantine).toBeUndefined();
    expect(await onDisk.listItems()).toEqual(await ledger.listItems());
    await onDisk.close();

    disk.room = Number.POSITIVE_INFINITY;
    await drain(worker, ledger, expected);
    expect((await health.inject({ url: '/healthz' })).statusCode).toBe(200);
    await expectExactlyOnce(world, ledger, expected);

    // A restart reads the whole journal and has nothing left to send.
    await ledger.close();
    const reopened = await openFileLedger(path);
    expect(reopened.health?.()).toEqual({ writable: true });
    const before = world.payer.audit().submits;
    await workerOn(world, reopened).tick();
    expect(world.payer.audit().submits).toEqual(before);
    await expectExactlyOnce(world, reopened, expected);
  }, 120_000);
});

describe('file ledger lost or damaged while claims are in flight', () => {
  it('asks the payer before sending anything when the ledger was deleted between two runs', async () => {
    world = await startWorld();
    const path = await ledgerPath();
    const first = await workerOn(
      world,
      await openFileLedger(path),
      answersLost(adapter(world)),
    ).tick();
    expect(first).toMatchObject({ submitted: 0, failed: SUBMITTED.length });
    await rm(path);

    const ledger = await openFileLedger(path);
    await drain(workerOn(world, ledger), ledger, SUBMITTED);
    await expectExactlyOnce(world, ledger, SUBMITTED);
    expect(world.payer.audit().inquiries).toBeGreaterThanOrEqual(SUBMITTED.length);
  }, 60_000);

  it('starts on a journal torn in the middle, reports it and sends no claim twice', async () => {
    world = await startWorld();
    const path = await ledgerPath();
    await workerOn(world, await openFileLedger(path), answersLost(adapter(world))).tick();
    await ledgers.pop()?.close();
    // A line cut short in the middle: everything after it (the outbox records too) is set aside.
    const [header, ...rest] = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, [header, '{"item":{"encounter":"Encou', ...rest].join('\n'), 'utf8');

    const ledger = await openFileLedger(path);
    expect(ledger.health?.().quarantine).toMatchObject({ line: 2, lines: rest.length });
    const worker = workerOn(world, ledger);
    const metrics = await buildHealthServer({ metrics: worker.metrics, logger, ledger }).inject({
      url: '/metrics',
    });
    expect(metrics.body).toContain(
      `chartbill_worker_ledger_quarantined_lines ${String(rest.length)}`,
    );
    await drain(worker, ledger, SUBMITTED);
    await expectExactlyOnce(world, ledger, SUBMITTED);
  }, 60_000);
});

describe('file ledger on a real full file system', () => {
  // A small tmpfs needs root (CI runs as root); the injected full disk above runs everywhere.
  it.runIf(process.getuid?.() === 0)(
    'refuses the change a full tmpfs cannot take, keeps the journal whole, and carries on once space is freed',
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'chartbill-tmpfs-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', dir]);
      try {
        const path = join(dir, 'ledger.json');
        const ledger = await openFileLedger(path);
        ledgers.push(ledger);
        await writeFile(join(dir, 'filler'), Buffer.alloc(48 * 1024));
        const item = (n: number): LedgerItem => ({
          encounter: `Encounter/${String(n)}`,
          stage: 'held',
          attempts: 0,
          reason: 'no-coverage',
          updatedAt: new Date().toISOString(),
        });
        let refused: unknown;
        let n = 0;
        for (; n < 2000 && refused === undefined; n++)
          await ledger.putItem(item(n)).catch((err: unknown) => {
            refused = err;
          });
        expect(refused).toMatchObject({ code: 'ENOSPC' });
        expect(ledger.health?.()).toMatchObject({ writable: false });
        const kept = await ledger.listItems();
        expect(kept).toHaveLength(n - 1);
        const onDisk = await openFileLedger(path);
        expect(onDisk.health?.().quarantine).toBeUndefined();
        expect(await onDisk.listItems()).toEqual(kept);
        await onDisk.close();

        await rm(join(dir, 'filler'));
        await ledger.ensureWritable?.();
        await ledger.putItem(item(n));
        await ledger.close();
        expect(await (await openFileLedger(path)).listItems()).toHaveLength(n);
      } finally {
        await Promise.all(ledgers.splice(0).map((l) => l.close().catch(() => undefined)));
        execFileSync('umount', [dir]);
      }
    },
  );
});
