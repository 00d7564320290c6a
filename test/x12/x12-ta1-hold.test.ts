import type { ClaimResponse } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { releaseInterchangeHold } from '../../src/x12/interchange-guard.ts';
import { X12_SYSTEM } from '../../src/x12/x12-systems.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { claimsOf } from '../worker/worker-kit.ts';
import { HOUR } from './x12-worker-kit.ts';
import { startClearinghouseWorld, type ClearinghouseWorld } from './sandbox-clearinghouse-world.ts';

let w: ClearinghouseWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/** Every interchange leaves with an ISA the clearinghouse cannot read (a lasting envelope fault). */
const brokenIsa = (_name: string, content: string) =>
  content.replace(/^ISA\*00\*          \*/, 'ISA*00*   *');

describe('TA1 rejections through the sandbox clearinghouse', { timeout: 180_000 }, () => {
  it('sends a TA1-rejected claim again once after a back-off, then holds it with one admin work item until an admin releases it or the settings change', async () => {
    const ledger = createMemoryLedger();
    w = await startClearinghouseWorld(['enc-clean-1'], { ledger }, brokenIsa);
    const world = w;
    const files = async () => (await world.sentControls()).length;
    /** Each file the clearinghouse received is answered; the worker reads the answers. */
    const answerAll = async () => {
      for (const s of await world.sentControls()) await world.answered(s.claimNumber, s.control);
      await world.worker.tick();
    };

    await w.worker.tick();
    expect(await files()).toBe(1);
    await answerAll();
    // Within the back-off, nothing more goes out, however often the worker looks.
    for (let i = 0; i < 3; i += 1) await w.worker.tick();
    expect(await files()).toBe(1);
    // After it, once: the second file is rejected too.
    w.x.clock.advance(HOUR);
    await w.worker.tick();
    expect(await files()).toBe(2);
    await answerAll();

    // Held: over many polls (a day of them) no third file, and one work item for the admin.
    for (let i = 0; i < 6; i += 1) {
      w.x.clock.advance(4 * HOUR);
      await w.worker.tick();
    }
    expect(await files()).toBe(2);
    const [held, ...more] = await w.tasks('x12-interchange-held');
    expect(more).toEqual([]);
    expect(held?.status).toBe('requested');
    expect(held?.description).toMatch(/rejected 2 interchanges in a row \(TA1 note 02\d: the /);
    expect(held?.description).toMatch(/CHARTBILL_X12_RECEIVER_ID CLEARHOUSE/);
    expect(held?.description).toMatch(/chartbill x12 interchange release/);
    const [claim] = await claimsOf(w.x.world.fhir, 'enc-clean-1');
    const answer = (await w.answers()).find(
      (r: ClaimResponse) => r.request?.reference === `Claim/${claim?.id ?? '-'}`,
    );
    expect(answer?.outcome).toBe('queued');
    expect(answer?.disposition).toMatch(/^Held, not sent: .*2 interchanges in a row/);
    // Billing staff got the claim's own item once (the first TA1), not one per file.
    expect(
      (await w.tasks('claim-rejected')).filter((t) => t.description?.includes('TA1')),
    ).toHaveLength(1);

    // An admin confirms (`chartbill x12 interchange release`): the claim goes out once more; the
    // fault is still there, so it is held again at once, under the same work item.
    expect(await releaseInterchangeHold(ledger, w.x.clock.now())).toBeDefined();
    await w.worker.tick();
    expect(await files()).toBe(3);
    await answerAll();
    for (let i = 0; i < 4; i += 1) {
      w.x.clock.advance(4 * HOUR);
      await w.worker.tick();
    }
    expect(await files()).toBe(3);
    expect(await w.tasks('x12-interchange-held')).toHaveLength(1);

    // The admin changes the interchange settings (another fingerprint) and the fault is gone: the
    // claim goes out, is accepted and paid, and the admin's work item is done.
    const fixed = w.x.worker({
      ledger,
      batch: w.transport,
      x12Settings: { CHARTBILL_X12_RECEIVER_ID: 'SBXCLEARING' },
      settings: { CHARTBILL_WORKER_POLL_MINUTES: '0.0001' },
    });
    await fixed.tick();
    expect(await files()).toBe(4);
    const last = (await w.sentControls()).at(-1);
    if (!last) throw new Error('no file');
    await w.answered(last.claimNumber, last.control);
    await fixed.tick();
    await fixed.tick();
    expect(await files()).toBe(4);
    expect((await w.tasks('x12-interchange-held')).map((t) => t.status)).toEqual(['completed']);
    const paid = (await w.answers()).filter(
      (r) =>
        r.request?.reference === `Claim/${claim?.id ?? '-'}` &&
        r.identifier?.some((i) => i.system === X12_SYSTEM.eraClaim),
    );
    expect(paid.map((r) => (r.payment?.amount.value ?? 0) > 0)).toEqual([true]);
    expect(w.ch.clearinghouse.audit()).toMatchObject({ claimsAdjudicated: 1 });
  });
});
