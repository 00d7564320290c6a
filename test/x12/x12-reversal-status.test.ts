import type { Claim, ClaimResponse, Encounter } from 'fhir/r4';
import { claimRowFrom } from '../../src/billing-office/read-model-facts.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { sandboxNcciTables } from '../../src/ncci/sandbox-ncci.ts';
import { loadClaimDetail } from '../../smart-app/billing/load-claim-detail.ts';
import { loadStatus } from '../../smart-app/status/build-status.ts';
import { all } from '../worker/worker-kit.ts';
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

const ENCOUNTER = 'enc-not-covered';

describe('a claim the payer reversed after its replacement', { timeout: 120_000 }, () => {
  it('reads as reversed and replaced, with the replacement’s answer as its state, in the chart’s status and the billing claim page', async () => {
    w = await startClearinghouseWorld([ENCOUNTER]);
    const fhir = w.x.world.fhir;
    const clock = w.x.clock;
    await sendReplacement(w);
    // The replacement's 835 reverses the first payment (CLP02 22) and pays the replacement.
    await w.worker.tick();
    await w.worker.tick();
    const claimOf = async (value: string) =>
      (await all<Claim>(fhir, 'Claim', { identifier: `${SYSTEM.claimId}|${value}` }))[0];
    const original = await claimOf(`enc-${ENCOUNTER}`);
    const replacement = await claimOf(`enc-${ENCOUNTER}-r1`);
    if (!original?.id || !replacement?.id) throw new Error('no original or replacement claim');

    // The chart's claim status (GET /api/status).
    const encounter = await fhir.read<Encounter>('Encounter', ENCOUNTER);
    const patient = encounter.subject?.reference?.replace('Patient/', '') ?? '';
    const status = await loadStatus(fhir, patient, ENCOUNTER);
    const old = status.claims.find((c) => c.claimId === original.id);
    const now = status.claims.find((c) => c.claimId === replacement.id);
    expect(now?.stage).toBe('paid');
    expect(old).toMatchObject({
      stage: 'reversed',
      disposition: `Reversed by the payer; replaced by claim enc-${ENCOUNTER}-r1.`,
      replacedBy: { claimId: replacement.id, stage: 'paid' },
      denialReasons: [],
      paid: 0,
    });
    expect(old?.steps.map((s) => s.label).slice(-3)).toEqual([
      'Paid',
      'Reversed by the payer',
      `Replacement claim enc-${ENCOUNTER}-r1: paid`,
    ]);
    expect(old?.steps.map((s) => s.label)).not.toContain('Denied');

    // The billing office's claim page (GET /api/billing/claims/:id).
    const { detail } = await loadClaimDetail(fhir, original.id, starterCodeSet(), {
      ncci: sandboxNcciTables(),
    });
    expect(detail).toMatchObject({
      answer: 'reversed',
      disposition: `Reversed by the payer; replaced by claim enc-${ENCOUNTER}-r1, which the payer paid.`,
      replacedBy: `Claim/${replacement.id}`,
      replacement: {
        claim: `Claim/${replacement.id}`,
        identifier: `enc-${ENCOUNTER}-r1`,
        answer: 'paid',
      },
      denials: [],
    });
    expect(detail.totals).toMatchObject({ paid: 0, patient: 0, balance: 0 });
    expect(detail.timeline.map((e) => e.title)).toContain('Payer answered: reversed');
    const { detail: current } = await loadClaimDetail(fhir, replacement.id, starterCodeSet(), {
      ncci: sandboxNcciTables(),
    });
    expect(current.answer).toBe('paid');

    // The billing office's queue and charts (the read model): replaced, not a denial of -$.
    const answers = await all<ClaimResponse>(fhir, 'ClaimResponse');
    const rowOf = (claim: Claim & { id: string }) =>
      claimRowFrom({
        claim,
        responses: answers.filter((r) => r.request?.reference === `Claim/${claim.id}`),
        payments: [],
        tasks: [],
        patient: { reference: `Patient/${patient}`, name: 'p' },
        payer: { id: 'X12HP', name: 'Clearinghouse Health Plan' },
        now: clock.now(),
      });
    const row = rowOf({ ...original, id: original.id });
    expect(row).toMatchObject({ state: 'replaced', paid: 0, patientResponsibility: 0 });
    // What the original was denied for stays its history (first-pass denial, by reason).
    expect(row.denials.map((d) => `${d.group}-${d.carc}`)).toEqual(['CO-96']);
    expect(rowOf({ ...replacement, id: replacement.id }).state).toBe('paid');
  });
});
