import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Claim, Task } from 'fhir/r4';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { x12Command } from '../../cli/x12-command.ts';
import { buildActionTask } from '../../src/billing-office/action-tasks.ts';
import { claimsOf, tasksOf } from '../worker/worker-kit.ts';
import { era835, status277, type SentClaim } from './clearinghouse-kit.ts';
import { HOUR, startX12World, type X12World } from './x12-worker-kit.ts';

let x: X12World | undefined;
afterEach(async () => {
  await x?.close();
  x = undefined;
});

const ENCOUNTER = 'enc-clean-1';
const code = (t: Task) => t.code?.coding?.[0]?.code;

/** The claim sent, denied CO-50 by a first 835, and appealed as the workspace's appeal action writes it. */
async function appealedDenial(
  w: X12World,
  appealedAt?: Date,
): Promise<{ sent: SentClaim; appeal: Task }> {
  const worker = w.worker();
  await worker.tick();
  const [sent] = await w.folder.sent();
  if (!sent) throw new Error('no 837P went out');
  await w.folder.answer('era-1.835', era835([sent], 0, 'EFT-DENY-1', undefined, '50'));
  w.clock.advance(HOUR);
  await worker.tick();
  const denial = (await tasksOf(w.world.fhir, ENCOUNTER)).find((t) => code(t) === 'claim-denied');
  expect(denial?.status).toBe('requested');

  const [claim] = (await claimsOf(w.world.fhir, ENCOUNTER)) as (Claim & { id: string })[];
  if (!claim) throw new Error('no claim');
  const { resource: appeal } = await w.world.fhir.create(
    buildActionTask({
      kind: 'appeal',
      claimId: claim.id,
      key: 'appeal-1',
      patient: claim.patient.reference ?? '',
      encounterId: ENCOUNTER,
      requester: 'Practitioner/pr-biller',
      now: appealedAt ?? w.clock.now(),
      status: 'in-progress',
      description: 'First-level appeal of CO-50.',
      deadline: '2099-01-01',
    }),
  );
  return { sent, appeal };
}

async function taskById(w: X12World, id: string | undefined): Promise<Task> {
  return w.world.fhir.read<Task>('Task', id ?? '');
}

describe('appeals answered by the payer', () => {
  it('completes the appeal, and the denial, when the payer pays the appealed claim', async () => {
    const w = (x = await startX12World([ENCOUNTER]));
    const { sent, appeal } = await appealedDenial(w);
    // The same denial again (the clearinghouse resends the file) answers nothing.
    await w.folder.answer('era-1-again.835', era835([sent], 0, 'EFT-DENY-1', undefined, '50'));
    w.clock.advance(HOUR);
    await w.worker().tick();
    expect((await taskById(w, appeal.id)).status).toBe('in-progress');

    await w.folder.answer('era-2.835', era835([sent], 100, 'EFT-PAID-2'));
    w.clock.advance(HOUR);
    await w.worker().tick();

    const closed = await taskById(w, appeal.id);
    expect(closed.status).toBe('completed');
    expect(closed.businessStatus?.text).toMatch(
      /^Paid on appeal: the payer paid \$100\.00 on \d{4}-\d{2}-\d{2}\.$/,
    );
    expect(closed.output?.at(-1)?.valueReference?.reference).toMatch(/^ClaimResponse\//);
    const denial = (await tasksOf(w.world.fhir, ENCOUNTER)).find((t) => code(t) === 'claim-denied');
    expect(denial?.status).toBe('completed');
    expect(denial?.businessStatus?.text).toBe('paid on appeal');
  });

  it('completes the appeal as still denied and leaves the denial in the queue when the payer denies again', async () => {
    const w = (x = await startX12World([ENCOUNTER]));
    const { sent, appeal } = await appealedDenial(w);
    await w.folder.answer('era-2.835', era835([sent], 0, 'EFT-DENY-2', undefined, '50'));
    w.clock.advance(HOUR);
    await w.worker().tick();

    const closed = await taskById(w, appeal.id);
    expect(closed.status).toBe('completed');
    expect(closed.businessStatus?.text).toMatch(/^Still denied after the appeal \(CO-50\)/);
    const tasks = await tasksOf(w.world.fhir, ENCOUNTER);
    expect(tasks.filter((t) => code(t) === 'claim-denied').map((t) => t.status)).toEqual([
      'requested',
    ]);
  });
});

describe('appeals answered by an ERA imported by hand', () => {
  it('`chartbill x12 import` completes the appeal the imported answer answers, as the worker does', async () => {
    const w = (x = await startX12World([ENCOUNTER]));
    // The command runs on the real clock: the worker's denial and the appeal come before it.
    w.clock.advance(-3 * HOUR);
    const { sent, appeal } = await appealedDenial(w, new Date(Date.now() - 60_000));
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-era-'));
    const file = join(dir, 'appeal-paid.835');
    await writeFile(file, era835([sent], 100, 'EFT-PAID-CLI'));
    vi.stubEnv('CHARTBILL_X12_FHIR_TOKEN', await w.world.ehr.issueSystemToken('system/*.cruds'));
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    try {
      expect(await x12Command(['import', file, '--fhir', w.world.ehr.fhirBase])).toBe(0);
    } finally {
      vi.restoreAllMocks();
      vi.unstubAllEnvs();
      await rm(dir, { recursive: true, force: true });
    }
    expect(out.join('\n')).toContain('1 appeal answered: out of the work queue.');
    const closed = await taskById(w, appeal.id);
    expect(closed.status).toBe('completed');
    expect(closed.businessStatus?.text).toMatch(/^Paid on appeal: the payer paid \$100\.00 on /);
    const denial = (await tasksOf(w.world.fhir, ENCOUNTER)).find((t) => code(t) === 'claim-denied');
    expect(denial?.status).toBe('completed');
  });
});

describe('claims the clearinghouse only acknowledged', () => {
  it('counts a 277CA acceptance as no answer: one work item 30 days after submission, completed by the 835', async () => {
    const w = (x = await startX12World([ENCOUNTER]));
    const worker = w.worker();
    await worker.tick();
    const [sent] = await w.folder.sent();
    if (!sent) throw new Error('no 837P went out');
    await w.folder.answer('ca-1.277', status277(sent, 'A1:19:PR'));
    const noAnswer = async () =>
      (await tasksOf(w.world.fhir, ENCOUNTER)).filter((t) => code(t) === 'claim-no-answer');

    w.clock.advance(29 * 24 * HOUR);
    await worker.tick();
    expect(await noAnswer()).toEqual([]);
    w.clock.advance(24 * HOUR);
    await worker.tick();
    await worker.tick();
    const raised = await noAnswer();
    expect(raised.map((t) => t.status)).toEqual(['requested']);
    expect(raised[0]?.description).toMatch(
      /^No answer from Clearinghouse Health Plan 30 days after submission on /,
    );

    await w.folder.answer('era-1.835', era835([sent], 100, 'EFT-1'));
    w.clock.advance(HOUR);
    await worker.tick();
    expect((await noAnswer()).map((t) => t.status)).toEqual(['completed']);
  });
});
