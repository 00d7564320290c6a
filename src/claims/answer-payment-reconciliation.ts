import type { ClaimResponse, PaymentReconciliation, Reference } from 'fhir/r4';
import { eraToPaymentReconciliation } from '../x12/era-payment-reconciliation.ts';
import type { EraPayment } from '../x12/era-types.ts';
import { X12_SYSTEM } from '../x12/x12-systems.ts';
import { SYSTEM } from '../fhir/systems.ts';

/**
 * The PaymentReconciliation of a payment a payer reports in its ClaimResponse (`payment`: amount,
 * date, EFT trace), as a FHIR payer's `Claim/$submit` answers. The payment is read as the BPR/TRN
 * record an 835 gives and mapped by `eraToPaymentReconciliation`, so both payer doors write one
 * shape (identifier payer id/trace: the same payment answered twice is one resource). Undefined
 * when the answer pays nothing, or when it came from an 835 (whose import wrote the payment with
 * every claim it pays). Pure.
 */
export function answerPaymentReconciliation(
  answer: ClaimResponse & { id: string },
  request: Reference,
  created: string,
): PaymentReconciliation | undefined {
  const amount = answer.payment?.amount.value;
  if (!answer.payment || amount === undefined || amount === 0) return undefined;
  if (answer.identifier?.some((i) => i.system === X12_SYSTEM.eraClaim)) return undefined;
  const trace = answer.payment.identifier?.value ?? `ClaimResponse/${answer.id}`;
  // The payer id when the claim names the payer by it, else its reference: part of the identifier.
  const payerId =
    answer.insurer.identifier?.system === SYSTEM.payerId
      ? answer.insurer.identifier.value
      : answer.insurer.reference;
  const payment: EraPayment = {
    transactionControl: '',
    handling: 'C',
    amount,
    creditDebit: amount < 0 ? 'D' : 'C',
    // FHIR R4 names no payment method; an EFT trace says the money came as an ACH transfer.
    method: answer.payment.identifier?.system === X12_SYSTEM.eftTrace ? 'ACH' : 'NON',
    ...(answer.payment.date ? { date: answer.payment.date } : {}),
    trace,
    ...(answer.insurer.display ? { payerName: answer.insurer.display } : {}),
    ...(payerId ? { payerId } : {}),
    warnings: [],
    at: { segment: 0, offset: 0, tag: '' },
  };
  const recon = eraToPaymentReconciliation(
    payment,
    [{ request, response: { reference: `ClaimResponse/${answer.id}` }, amount }],
    [],
    created,
  );
  // The payer is the answer's insurer as the claim names it (a reference), not an 835's N1*PR.
  return { ...recon, paymentIssuer: answer.insurer };
}
