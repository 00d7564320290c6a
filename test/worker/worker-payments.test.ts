import type { ClaimResponse, PaymentReconciliation } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { X12_SYSTEM } from '../../src/x12/x12-systems.ts';
import { all, claimsOf, startWorld, workerFor, type World } from './worker-kit.ts';

/**
 * A payer answering FHIR `Claim/$submit` reports its payment in ClaimResponse.payment (amount,
 * date, EFT trace); billing staff see it as a PaymentReconciliation, as they do an 835's.
 */
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('payments a FHIR payer reports', () => {
  it('become one PaymentReconciliation per payment, naming the claim and its answer, written once', async () => {
    world = await startWorld();
    const worker = workerFor(world);
    await worker.tick();
    const answers = await all<ClaimResponse>(world.fhir, 'ClaimResponse');
    const paid = answers.filter((r) => (r.payment?.amount.value ?? 0) > 0);
    expect(paid.length).toBeGreaterThan(0);
    const payments = await all<PaymentReconciliation>(world.fhir, 'PaymentReconciliation');
    expect(payments).toHaveLength(paid.length);
    for (const answer of paid) {
      const trace = answer.payment?.identifier?.value;
      const payment = payments.find((p) => p.paymentIdentifier?.value === trace);
      expect(payment?.paymentAmount.value).toBe(answer.payment?.amount.value);
      expect(payment?.paymentDate).toBe(answer.payment?.date);
      expect(payment?.extension?.[0]?.valueCoding?.code).toBe('ACH');
      expect(payment?.detail?.map((d) => [d.response?.reference, d.amount?.value])).toEqual([
        [`ClaimResponse/${answer.id ?? ''}`, answer.payment?.amount.value],
      ]);
      expect(payment?.detail?.[0]?.request?.reference).toBe(answer.request?.reference);
      expect(payment?.identifier?.[0]?.system).toBe(X12_SYSTEM.eraPayment);
    }
    // A denied claim (nothing paid) has no payment.
    const [deniedClaim] = await claimsOf(world.fhir, 'enc-timely-filing');
    const denied = answers.find((r) => r.request?.reference === `Claim/${deniedClaim?.id ?? '-'}`);
    expect(denied?.payment?.amount.value ?? 0).toBe(0);
    expect(
      payments.some((p) =>
        p.detail?.some((d) => d.request?.reference === `Claim/${deniedClaim?.id ?? '-'}`),
      ),
    ).toBe(false);

    // The answers recorded again (a second worker with no ledger of its own) change nothing.
    await workerFor(world).tick();
    expect(await all<PaymentReconciliation>(world.fhir, 'PaymentReconciliation')).toHaveLength(
      paid.length,
    );
  });
});
