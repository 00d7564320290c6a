import type { Money, PaymentReconciliation, PaymentReconciliationDetail, Reference } from 'fhir/r4';
import type { EraPayment, ProviderAdjustment } from './era-types.ts';
import { payerReference } from './era-to-fhir.ts';
import { PAYMENT_METHOD_TEXT, PLB_REASON_TEXT } from './remit-codes.ts';
import { X12_SYSTEM } from './x12-systems.ts';

/** One claim the payment pays: the Claim (or its identifier when unmatched) and its ClaimResponse. */
export interface PaidClaim {
  request: Reference;
  response: Reference;
  amount: number;
}

const usd = (value: number): Money => ({ value: Math.round(value * 100) / 100, currency: 'USD' });
const PAYMENT_TYPE = 'http://terminology.hl7.org/CodeSystem/payment-type';

/**
 * The payment of an 835 (BPR/TRN) as a FHIR R4 PaymentReconciliation: EFT or check (BPR04, as an
 * extension: R4 has no element for it), amount (BPR02), date (BPR16), trace number (TRN02), one
 * `payment` detail per claim it pays and one `adjustment` detail per PLB amount (PLB amounts
 * reduce the payment, so they are written negated). Pure.
 */
export function eraToPaymentReconciliation(
  payment: EraPayment,
  claims: readonly PaidClaim[],
  providerAdjustments: readonly ProviderAdjustment[],
  created: string,
): PaymentReconciliation {
  const method = PAYMENT_METHOD_TEXT[payment.method] ?? `payment method ${payment.method}`;
  const details: PaymentReconciliationDetail[] = claims.map((c) => ({
    type: { coding: [{ system: PAYMENT_TYPE, code: 'payment' }] },
    request: c.request,
    response: c.response,
    ...(payment.date ? { date: payment.date } : {}),
    amount: usd(c.amount),
  }));
  for (const a of providerAdjustments)
    details.push({
      identifier: {
        system: X12_SYSTEM.providerAdjustmentReason,
        value: a.reference ? `${a.reason}:${a.reference}` : a.reason,
      },
      type: {
        coding: [{ system: PAYMENT_TYPE, code: 'adjustment' }],
        text: `PLB ${a.reason}: ${PLB_REASON_TEXT[a.reason] ?? 'provider adjustment'}`,
      },
      ...(a.fiscalPeriodDate ? { date: a.fiscalPeriodDate } : {}),
      amount: usd(-a.amount),
    });
  return {
    resourceType: 'PaymentReconciliation',
    extension: [
      {
        url: X12_SYSTEM.paymentMethodExtension,
        valueCoding: { system: X12_SYSTEM.paymentMethod, code: payment.method, display: method },
      },
    ],
    identifier: [
      { system: X12_SYSTEM.eraPayment, value: `${payment.payerId ?? ''}/${payment.trace}` },
    ],
    status: 'active',
    created,
    paymentIssuer: payerReference(payment),
    outcome: 'complete',
    disposition: `${method} ${payment.amount.toFixed(2)}${payment.date ? ` on ${payment.date}` : ''}, trace ${payment.trace}`,
    paymentDate: payment.date ?? created.slice(0, 10),
    paymentAmount: usd(payment.amount),
    paymentIdentifier: { system: X12_SYSTEM.eftTrace, value: payment.trace },
    ...(details.length > 0 ? { detail: details } : {}),
  };
}
