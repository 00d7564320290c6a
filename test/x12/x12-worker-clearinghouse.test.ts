import type { Claim, ClaimResponse, PaymentReconciliation } from 'fhir/r4';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXT, SYSTEM } from '../../src/fhir/systems.ts';
import { X12_SYSTEM } from '../../src/x12/x12-systems.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { retryHeldFiles } from '../../worker/pipeline/stages/read-inbound.ts';
import { all, claimsOf } from '../worker/worker-kit.ts';
import { HOUR } from './x12-worker-kit.ts';
import { era835 } from './clearinghouse-kit.ts';
import {
  sendReplacement,
  startClearinghouseWorld,
  type ClearinghouseWorld,
} from './sandbox-clearinghouse-world.ts';

let w: ClearinghouseWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const paidOf = (r: ClaimResponse | undefined) => r?.payment?.amount.value ?? 0;
const statusOf = (r: ClaimResponse) =>
  r.identifier?.find((i) => i.system === X12_SYSTEM.eraClaim)?.value?.split('/')[2];

/** The ERA answers (one per CLP) and the ERA payments of the X12 payer, not the FHIR payer's. */
async function eraState(world: ClearinghouseWorld) {
  const answers = (await world.answers()).filter((r) =>
    r.identifier?.some((i) => i.system === X12_SYSTEM.eraClaim),
  );
  const payments = (await world.payments()).filter((p) =>
    p.identifier?.[0]?.value?.startsWith('X12HP/'),
  );
  return { answers, payments };
}

describe('the worker through the sandbox clearinghouse', { timeout: 120_000 }, () => {
  it('posts a replacement’s reversal (CLP02 22) and its new payment, so the visit is paid once, and the same ERA twice changes nothing', async () => {
    const ledger = createMemoryLedger();
    w = await startClearinghouseWorld(['enc-not-covered'], { ledger });
    const fhir = w.x.world.fhir;
    // The original: 99213 paid, S9986 denied (CO-96) by the payer behind the clearinghouse; then
    // billing staff correct the denied line and the worker sends a replacement (7, REF*F8).
    let original: Claim | undefined;
    let paidFirst: ClaimResponse | undefined;
    const world = w;
    const { replacementFiles: answerFiles } = await sendReplacement(w, async () => {
      [original] = await claimsOf(fhir, 'enc-not-covered');
      paidFirst = (await eraState(world)).answers.find(
        (r) => r.request?.reference === `Claim/${original?.id ?? '-'}`,
      );
      expect(paidOf(paidFirst)).toBeGreaterThan(0);
      expect(await ledger.getItem('Encounter/enc-not-covered')).toMatchObject({
        outcome: 'denied',
      });
    });
    await w.worker.tick();
    await w.worker.tick();

    const replacement = (
      await all<Claim>(fhir, 'Claim', {
        identifier: `${SYSTEM.claimId}|enc-enc-not-covered-r1`,
      })
    )[0];
    expect(
      replacement?.extension?.find((e) => e.url === EXT.claimFrequency)?.valueCoding?.code,
    ).toBe('7');
    const { answers, payments } = await eraState(w);
    const forClaim = (claim: Claim | undefined) =>
      answers
        .filter((r) => r.request?.reference === `Claim/${claim?.id ?? '-'}`)
        .map((r) => [statusOf(r), paidOf(r)]);
    // The original's payment stands, reversed by its own ClaimResponse (CLP02 22, negated); the
    // replacement is paid.
    expect(forClaim(original)).toEqual([
      ['1', paidOf(paidFirst)],
      ['22', -paidOf(paidFirst)],
    ]);
    const [[, paidAgain] = []] = forClaim(replacement);
    expect(forClaim(replacement)).toEqual([['1', paidAgain]]);
    expect(Number(paidAgain)).toBeGreaterThan(0);
    const reversal = answers.find((r) => statusOf(r) === '22');
    expect(reversal?.disposition).toMatch(/revers/i);
    // Two payments: the first, and one that nets the reversal against the new payment; each
    // balances (BPR02 = the sum of its claims), and the visit is paid once in all.
    const amounts = (p: PaymentReconciliation) => p.detail?.map((d) => d.amount?.value ?? 0) ?? [];
    expect(payments.map((p) => amounts(p))).toEqual([
      [paidOf(paidFirst)],
      [-paidOf(paidFirst), paidAgain],
    ]);
    for (const p of payments)
      expect(p.paymentAmount.value).toBeCloseTo(
        amounts(p).reduce((s, a) => s + a, 0),
        2,
      );
    const net = payments.flatMap(amounts).reduce((s, a) => s + a, 0);
    expect(net).toBeCloseTo(Number(paidAgain), 2);

    // The clearinghouse sends the same ERA again: nothing is posted twice.
    const era = answerFiles.find((n) => n.includes('-835-'));
    if (!era) throw new Error('no 835 for the replacement');
    const receive = join(w.ch.clearinghouse.sftp.root, 'receive');
    await writeFile(
      join(receive, `again-${era}`),
      await readFile(join(receive, 'archive', era), 'utf8'),
    );
    await w.worker.tick();
    expect(await w.transport.listInbound()).toEqual([]);
    const again = await eraState(w);
    expect(again.answers).toHaveLength(answers.length);
    expect(again.payments.map((p) => amounts(p))).toEqual(payments.map((p) => amounts(p)));
  });

  it('holds an unreadable answer without reading it every tick, and reads it again when an admin asks or a day later', async () => {
    const ledger = createMemoryLedger();
    w = await startClearinghouseWorld(['enc-clean-1'], { ledger });
    await w.worker.tick();
    const [sent] = await w.sentControls();
    if (!sent) throw new Error('no 837P went out');
    const files = await w.answered(sent.claimNumber, sent.control);
    const era = files.find((n) => n.includes('-835-')) ?? '';
    // The ERA arrives cut short (a transfer broken off): held, the rest read.
    const whole = await readFile(join(w.receive, era), 'utf8');
    await writeFile(join(w.receive, era), whole.slice(0, Math.floor(whole.length / 2)));
    await w.worker.tick();
    expect(await w.transport.listInbound()).toEqual([era]);
    const [held] = await w.tasks('x12-file-held');
    expect(held?.description).toMatch(/truncated.*\(segment \d+ \(\w+\) at character \d+\)/);
    expect((await eraState(w)).payments).toEqual([]);

    // The clearinghouse puts the whole file in its place; the worker does not read a held file
    // on every tick, so it waits for the admin (or the next day).
    await writeFile(join(w.receive, era), whole);
    await w.worker.tick();
    await w.worker.tick();
    expect(w.downloads.filter((n) => n === era)).toHaveLength(1);
    expect((await eraState(w)).payments).toEqual([]);

    // `chartbill x12 inbound retry`: read at once, posted, the work item done.
    await retryHeldFiles(ledger, w.x.clock.now());
    await w.worker.tick();
    expect(await w.transport.listInbound()).toEqual([]);
    const { payments } = await eraState(w);
    expect(payments).toHaveLength(1);
    expect((await w.tasks('x12-file-held')).map((t) => t.status)).toEqual(['completed']);

    // Another file held, fixed in place: read again by itself a day later, not before.
    const ack = files.find((n) => n.includes('-999-')) ?? '';
    const ackText = await readFile(join(w.receive, 'archive', ack), 'utf8');
    await writeFile(join(w.receive, 'later.999'), ackText.slice(0, 40));
    await w.worker.tick();
    await writeFile(join(w.receive, 'later.999'), ackText);
    w.x.clock.advance(23 * HOUR);
    await w.worker.tick();
    expect(await w.transport.listInbound()).toEqual(['later.999']);
    w.x.clock.advance(2 * HOUR);
    await w.worker.tick();
    expect(await w.transport.listInbound()).toEqual([]);
    expect(w.downloads.filter((n) => n === 'later.999')).toHaveLength(2);
  });

  it('turns a TA1 rejection into a work item with the note code in words, and sends the claim again in a new interchange, once, after a back-off', async () => {
    let damaged = 0;
    w = await startClearinghouseWorld(['enc-clean-1'], {}, (_name, content) =>
      // The first interchange leaves with an ISA the clearinghouse cannot read.
      damaged++ === 0 ? content.replace(/^ISA\*00\*          \*/, 'ISA*00*   *') : content,
    );
    await w.worker.tick();
    const [first] = await w.sentControls();
    if (!first) throw new Error('no 837P went out');
    const ta1 = await w.answered(first.claimNumber, first.control);
    expect(ta1.map((n) => /-(ta1|999|277ca|835)-/.exec(n)?.[1])).toEqual(['ta1']);
    await w.worker.tick();
    const [task] = (await w.tasks('claim-rejected')).filter((t) => t.description?.includes('TA1'));
    expect(task?.description).toMatch(
      /Rejected by clearinghouse \(TA1\).*TA1 note 02\d, the (interchange|file)/,
    );
    expect(task?.description).toMatch(/no payer received the claim/);

    // Not at once (the TA1 may have been transient): after the back-off, in a new interchange.
    await w.worker.tick();
    expect(await w.sentControls()).toHaveLength(1);
    w.x.clock.advance(HOUR);
    await w.worker.tick();
    const sent = await w.sentControls();
    expect(sent.map((s) => s.claimNumber)).toEqual([first.claimNumber, first.claimNumber]);
    const again = sent.find((s) => s.control !== first.control);
    if (!again) throw new Error('the claim did not go out again');
    expect(again.control).toBeGreaterThan(first.control);
    await w.answered(again.claimNumber, again.control);
    await w.worker.tick();
    await w.worker.tick();
    await w.worker.tick();
    // Received, adjudicated and paid once; nothing more went out.
    expect(await w.sentControls()).toHaveLength(2);
    expect(w.ch.clearinghouse.audit()).toMatchObject({ claimsAdjudicated: 1, duplicatesDenied: 0 });
    const { answers, payments } = await eraState(w);
    expect(answers.map((r) => paidOf(r))).toEqual([expect.any(Number)]);
    expect(paidOf(answers[0])).toBeGreaterThan(0);
    expect(payments).toHaveLength(1);
    const [claim] = await claimsOf(w.x.world.fhir, 'enc-clean-1');
    const notes = (await w.answers())
      .filter((r) => r.request?.reference === `Claim/${claim?.id ?? '-'}` && r.outcome === 'queued')
      .flatMap((r) => r.processNote?.map((n) => n.text.split(' — ')[0]) ?? []);
    expect(notes).toEqual([
      'Rejected by clearinghouse (TA1)',
      'Received by clearinghouse (999)',
      'Accepted by clearinghouse',
    ]);
  });

  it('keeps an ERA answer for a claim it does not know as unmatched, shown, and matches it once the claim is known', async () => {
    w = await startClearinghouseWorld(['enc-clean-1']);
    const fhir = w.x.world.fhir;
    await w.worker.tick();
    // The payer pays a claim ChartBill has no record of (sent before ChartBill, or by hand).
    await writeFile(join(w.receive, 'late.835'), era835([], 0, 'EFT-LATE', 'LATE-CLAIM-1'));
    await w.worker.tick();
    const unmatched = () =>
      eraState(w as ClearinghouseWorld).then(({ answers, payments }) => ({
        answer: answers.find(
          (r) => statusOf(r) && r.identifier?.[0]?.value?.endsWith('/LATE-CLAIM-1'),
        ),
        payment: payments.find((p) => p.paymentIdentifier?.value === 'EFT-LATE'),
      }));
    const before = await unmatched();
    expect(before.answer?.request?.reference).toBeUndefined();
    expect(paidOf(before.answer)).toBe(30);
    expect(before.payment?.detail?.[0]?.request?.reference).toBeUndefined();
    const [task] = await w.tasks('x12-unmatched');
    expect(task?.status).toBe('requested');
    expect(task?.description).toMatch(/pays 30\.00 on claim LATE-CLAIM-1/);

    // The claim becomes known (billing staff record it with the number the payer echoed).
    const [model] = await claimsOf(fhir, 'enc-clean-1');
    if (!model) throw new Error('no claim for enc-clean-1');
    const { resource: late } = await fhir.create<Claim>({
      ...model,
      id: undefined,
      meta: undefined,
      identifier: [
        { system: SYSTEM.claimId, value: 'late-claim-1' },
        { system: SYSTEM.patientControlNumber, value: 'LATE-CLAIM-1' },
      ],
    });
    // Looked for once a day, not on every read of the folder.
    await w.worker.tick();
    expect((await unmatched()).answer?.request?.reference).toBeUndefined();
    w.x.clock.advance(25 * HOUR);
    await w.worker.tick();
    const after = await unmatched();
    expect(after.answer?.request?.reference).toBe(`Claim/${late.id ?? '-'}`);
    expect(after.answer?.patient).toEqual(model.patient);
    expect(after.answer?.identifier?.some((i) => i.system === X12_SYSTEM.unmatchedClaim)).toBe(
      false,
    );
    expect(after.payment?.detail?.[0]?.request?.reference).toBe(`Claim/${late.id ?? '-'}`);
    expect((await w.tasks('x12-unmatched')).map((t) => t.status)).toEqual(['completed']);
  });
});
