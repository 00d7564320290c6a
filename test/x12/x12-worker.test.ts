import type { ClaimResponse, Coverage, Encounter, PaymentReconciliation, Task } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStatus } from '../../smart-app/status/build-status.ts';
import { all, claimsOf, tasksOf } from '../worker/worker-kit.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Organization } from 'fhir/r4';
import { fileX12Submissions } from '../../src/x12/x12-submissions.ts';
import type { BatchTransport } from '../../src/x12/transport/clearinghouse-transport.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { ack999, era835, status277, theirFile } from './clearinghouse-kit.ts';
import { HOUR, startX12World, type X12World } from './x12-worker-kit.ts';

let x: X12World | undefined;
afterEach(async () => {
  await x?.close();
  x = undefined;
});

const patientOf = async (w: X12World, encounterId: string) =>
  (await w.world.fhir.read<Encounter>('Encounter', encounterId)).subject?.reference?.split(
    '/',
  )[1] ?? '';

async function timeline(w: X12World, encounterId: string) {
  const view = await loadStatus(w.world.fhir, await patientOf(w, encounterId), encounterId);
  return view.claims.find((c) => c.encounterId === encounterId);
}

/** The payments posted from the clearinghouse's ERAs (payer id X12HP), not the FHIR payer's. */
const eraPayments = async (w: X12World) =>
  (await all<PaymentReconciliation>(w.world.fhir, 'PaymentReconciliation')).filter((p) =>
    p.identifier?.[0]?.value?.startsWith('X12HP/'),
  );

describe('claims to payers reached through an X12 clearinghouse', () => {
  it('routes by payer id: the X12 payer gets an 837P file named from CLM01 and ISA13, the FHIR payer its $submit, self-pay nothing', async () => {
    x = await startX12World(['enc-clean-1']);
    // enc-clean-2's patient pays for themselves: the Coverage's payor is the patient.
    const selfPay = await patientOf(x, 'enc-clean-2');
    const coverage = await x.world.fhir.read<Coverage>('Coverage', `cov-${selfPay}`);
    coverage.payor = [{ reference: `Patient/${selfPay}` }];
    await x.world.fhir.update(coverage);

    await x.worker().tick();

    const sent = await x.folder.sent();
    expect(sent).toHaveLength(1);
    const [file] = sent;
    expect(file?.claimNumber).toBe('enc-enc-clean-1');
    expect(file?.file).toBe(`enc-enc-clean-1.${String(file?.control).padStart(9, '0')}.837`);
    const [claim] = await claimsOf(x.world.fhir, 'enc-clean-1');
    const x12Answer = (await all<ClaimResponse>(x.world.fhir, 'ClaimResponse')).filter(
      (r) => r.request?.reference === `Claim/${claim?.id ?? '-'}`,
    );
    expect(x12Answer.map((r) => r.outcome)).toEqual(['queued']);
    expect(x12Answer[0]?.disposition).toContain(`837P file ${file?.file ?? '-'}`);
    // The eligibility question went to the clearinghouse in real time (270 → 271).
    expect(x.realTime.requests.map((r) => r.type)).toEqual(['X12_270_Request_005010X279A1']);

    // The FHIR payer answered the others ($submit), as before.
    const [other] = await claimsOf(x.world.fhir, 'enc-clean-3');
    const otherAnswer = (await all<ClaimResponse>(x.world.fhir, 'ClaimResponse')).find(
      (r) => r.request?.reference === `Claim/${other?.id ?? '-'}`,
    );
    expect(otherAnswer?.outcome).toBe('complete');
    expect((await timeline(x, 'enc-clean-1'))?.steps.at(-1)?.label).toBe('Waiting for the payer');

    // Self-pay: no claim to any payer, and a work item that says why.
    expect(await claimsOf(x.world.fhir, 'enc-clean-2')).toEqual([]);
    const tasks = await tasksOf(x.world.fhir, 'enc-clean-2');
    expect(tasks.map((t) => t.description).join('\n')).toMatch(
      /a person pays through patient billing/,
    );
  });

  it('shows the 999 and 277CA acceptance in the timeline, posts the 835 once, and keeps the claim it does not know', async () => {
    x = await startX12World(['enc-clean-1']);
    const worker = x.worker();
    await worker.tick();
    const [sent] = await x.folder.sent();
    if (!sent) throw new Error('no 837P went out');
    await x.folder.answer('1-ack.999', ack999(sent, true));
    await x.folder.answer('2-ca.277', status277(sent, 'A1:19:PR'));
    await worker.tick();
    const steps = (await timeline(x, 'enc-clean-1'))?.steps.map((s) => s.label);
    expect(steps).toEqual([
      'Coded',
      'Eligibility: coverage in force',
      'Submitted to payer',
      'Received by clearinghouse (999)',
      'Accepted by payer',
      'Waiting for the payer',
    ]);
    expect(await x.folder.inbound()).toEqual([]);
    expect(await x.folder.archived()).toEqual(['1-ack.999', '2-ca.277']);

    const era = era835([sent], 100, 'EFT-1001', 'NOT-OURS-9');
    await x.folder.answer('era-1.835', era);
    await worker.tick();
    const view = await timeline(x, 'enc-clean-1');
    expect(view?.stage).toBe('paid');
    expect(view?.paid).toBe(100);
    const payments = await eraPayments(x);
    expect(payments.map((p) => [p.paymentIdentifier?.value, p.paymentAmount.value])).toEqual([
      ['EFT-1001', 130],
    ]);
    const unmatched = (await all<Task>(x.world.fhir, 'Task')).filter(
      (t) => t.code?.coding?.[0]?.code === 'x12-unmatched',
    );
    expect(unmatched.map((t) => t.description)).toEqual([
      expect.stringContaining('pays 30.00 on claim NOT-OURS-9 (payer claim PCN-X)'),
    ]);

    // The same ERA again (the clearinghouse resends it): nothing changes.
    const before = await counts(x);
    await x.folder.answer('era-1-again.835', era);
    await worker.tick();
    expect(await counts(x)).toEqual(before);
    expect(await x.folder.archived()).toContain('era-1-again.835');
  });

  it('puts a claim whose batch the 999 rejects back on a work item naming the segment and position', async () => {
    x = await startX12World(['enc-clean-1']);
    const worker = x.worker();
    await worker.tick();
    const [sent] = await x.folder.sent();
    if (!sent) throw new Error('no 837P went out');
    await x.folder.answer('ack-1.999', ack999(sent, false));
    await worker.tick();
    const task = (await tasksOf(x.world.fhir, 'enc-clean-1')).find(
      (t) => t.code?.coding?.[0]?.code === 'claim-rejected',
    );
    expect(task?.description).toMatch(
      /Rejected by clearinghouse \(999\).*rejected the whole batch .*\(segment \d+ \(AK9\) at character \d+\)/s,
    );
    const view = await timeline(x, 'enc-clean-1');
    expect(view?.steps.at(-1)).toMatchObject({
      label: 'Rejected by clearinghouse (999)',
      state: 'problem',
    });
  });

  it('makes a 277CA rejection a work item with the STC codes in words', async () => {
    x = await startX12World(['enc-clean-1']);
    const worker = x.worker();
    await worker.tick();
    const [sent] = await x.folder.sent();
    if (!sent) throw new Error('no 837P went out');
    await x.folder.answer('ca-1.277', status277(sent, 'A7:562:85'));
    await worker.tick();
    await worker.tick();
    const task = (await tasksOf(x.world.fhir, 'enc-clean-1')).find(
      (t) => t.code?.coding?.[0]?.code === 'claim-rejected',
    );
    expect(task?.description).toContain(
      "rejected for invalid information: the entity's National Provider Identifier (NPI) (billing provider)",
    );
    const [claim] = await claimsOf(x.world.fhir, 'enc-clean-1');
    const answers = (await all<ClaimResponse>(x.world.fhir, 'ClaimResponse')).filter(
      (r) => r.request?.reference === `Claim/${claim?.id ?? '-'}`,
    );
    expect(answers.map((r) => r.outcome)).toEqual(['error']);
  });

  it('asks with a 276 about a claim with no answer after the wait, once, and shows the 277 in the timeline', async () => {
    x = await startX12World(['enc-clean-1']);
    const worker = x.worker();
    await worker.tick();
    x.clock.advance(HOUR);
    await worker.tick();
    expect(x.realTime.requests.filter((r) => r.type.startsWith('X12_276'))).toEqual([]);
    x.clock.advance(24 * HOUR);
    await worker.tick();
    const asked = x.realTime.requests.filter((r) => r.type.startsWith('X12_276'));
    expect(asked).toHaveLength(1);
    expect(asked[0]?.x12).toContain('REF*EJ*enc-enc-clean-1~');
    const steps = (await timeline(x, 'enc-clean-1'))?.steps ?? [];
    expect(steps.map((s) => s.label)).toContain('Pending at payer');
    expect(steps.find((s) => s.label === 'Pending at payer')?.detail).toContain(
      'Claim status (276/277): P1:20',
    );
    // Asked once per wait: the next poll inside the wait does not ask again.
    x.clock.advance(HOUR);
    await worker.tick();
    expect(x.realTime.requests.filter((r) => r.type.startsWith('X12_276'))).toHaveLength(1);
  });

  it('holds each unreadable file with a reason naming the segment and position, loses nothing, and reads the next file', async () => {
    x = await startX12World(['enc-clean-1']);
    const worker = x.worker();
    await worker.tick();
    const [sent] = await x.folder.sent();
    if (!sent) throw new Error('no 837P went out');
    const good = ack999(sent, true);
    const ca = status277(sent, 'A1:19:PR');
    const bad: Record<string, string> = {
      'a-truncated.999': good.slice(0, Math.floor(good.length / 2)),
      'b-terminator.277': ca.slice(0, 106) + ca.slice(106).replace(/~/g, '|'),
      'c-isa-length.999': good.replace('*00*          *', '*00*         *'),
      'd-unknown.850': theirFile('850', 'PO', '004010', [
        [['BEG', '00', 'SA', 'PO-1', '', '20260304']],
      ]),
      'e-unbalanced.835': era835([sent], 100, 'EFT-9').replace('BPR*I*100.00', 'BPR*I*90.00'),
    };
    for (const [name, text] of Object.entries(bad)) await x.folder.answer(name, text);
    await x.folder.answer('f-good.999', good);
    await worker.tick();
    await worker.tick();

    // Every bad file is still there, untouched; the good one after them was read.
    expect(await x.folder.inbound()).toEqual(Object.keys(bad));
    expect(await x.folder.archived()).toEqual(['f-good.999']);
    expect((await timeline(x, 'enc-clean-1'))?.steps.map((s) => s.label)).toContain(
      'Received by clearinghouse (999)',
    );
    const held = (await all<Task>(x.world.fhir, 'Task')).filter(
      (t) => t.code?.coding?.[0]?.code === 'x12-file-held',
    );
    const reasons: Record<string, string> = Object.fromEntries(
      held.map((t): [string, string] => [
        /file (\S+) could not/.exec(t.description ?? '')?.[1] ?? '',
        t.description ?? '',
      ]),
    );
    expect(Object.keys(reasons).sort()).toEqual(Object.keys(bad));
    expect(reasons['a-truncated.999']).toMatch(/truncated.*\(segment 2 \(GS\) at character \d+\)/);
    expect(reasons['b-terminator.277']).toMatch(/no segment terminator '~'.*\(segment \d+ \(GS\)/);
    expect(reasons['c-isa-length.999']).toMatch(
      /ISA is 105 characters.*\(segment 1 \(ISA\) at character 0\)/,
    );
    expect(reasons['d-unknown.850']).toMatch(/Unknown transaction set '850'.*\(segment 3 \(ST\)/);
    expect(reasons['e-unbalanced.835']).toMatch(
      /does not balance.*BPR02 pays 90\.00 \(segment \d+ \(BPR\)/,
    );
    // Nothing of the unbalanced ERA was posted.
    expect(await eraPayments(x)).toEqual([]);
  });

  it('does not send a claim twice when the worker dies between the upload and recording it', async () => {
    x = await startX12World(['enc-clean-1']);
    const dir = await mkdtemp(join(tmpdir(), 'chartbill-x12-sub-'));
    try {
      const ledger = createMemoryLedger();
      let uploads = 0;
      const real = x.folder.transport;
      // The process dies right after the file reached the clearinghouse: nothing is recorded.
      const dying: BatchTransport = {
        ...real,
        async upload(name, content) {
          uploads += 1;
          await real.upload(name, content);
          throw new Error('worker killed after the upload');
        },
      };
      const counting: BatchTransport = {
        ...real,
        async upload(name, content) {
          uploads += 1;
          await real.upload(name, content);
        },
      };
      const store = join(dir, 'x12-submissions.json');
      await x.worker({ ledger, batch: dying, submissions: fileX12Submissions(store) }).tick();
      expect(uploads).toBe(1);
      // A new process: the same ledger and submissions file, a working transport.
      x.clock.advance(HOUR);
      const restarted = x.worker({
        ledger,
        batch: counting,
        submissions: fileX12Submissions(store),
      });
      await restarted.tick();
      await restarted.tick();
      expect(uploads).toBe(1);
      expect((await x.folder.sent()).map((s) => s.claimNumber)).toEqual(['enc-enc-clean-1']);
      expect((await ledger.getItem('Encounter/enc-clean-1'))?.stage).toBe('submitted');
      const [claim] = await claimsOf(x.world.fhir, 'enc-clean-1');
      const answers = (await all<ClaimResponse>(x.world.fhir, 'ClaimResponse')).filter(
        (r) => r.request?.reference === `Claim/${claim?.id ?? '-'}`,
      );
      expect(answers.map((r) => r.outcome)).toEqual(['queued']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('holds a claim an 837P cannot express on a work item naming the missing element, without retrying', async () => {
    x = await startX12World(['enc-clean-1']);
    const org = await x.world.fhir.read<Organization>('Organization', 'org-billing');
    const address = org.address?.[0];
    if (address) address.postalCode = '62704';
    await x.world.fhir.update(org);
    const ledger = createMemoryLedger();
    await x.worker({ ledger }).tick();
    expect(await x.folder.sent()).toEqual([]);
    const task = (await tasksOf(x.world.fhir, 'enc-clean-1')).find(
      (t) => t.code?.coding?.[0]?.code === 'claim-data-missing',
    );
    expect(task?.description).toMatch(/needs Organization\.address\.postalCode for 2010AA/);
    expect(await ledger.getItem('Encounter/enc-clean-1')).toMatchObject({
      stage: 'held',
      reason: 'claim-data-missing',
      attempts: 0,
    });
  });
});

async function counts(w: X12World): Promise<Record<string, number>> {
  const types = ['ClaimResponse', 'PaymentReconciliation', 'Task'] as const;
  const out: Record<string, number> = {};
  for (const t of types) out[t] = (await all(w.world.fhir, t)).length;
  return out;
}
