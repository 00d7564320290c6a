import type { Claim, ClaimResponse } from 'fhir/r4';
import { AppError } from '../src/errors/app-error.ts';
import { EXT } from '../src/fhir/systems.ts';
import { PAYER_CONTROL_NUMBER_SYSTEM } from './payer-server-adjudicate.ts';

/** What a replacement (7) or void (8) says of the claim it is about. */
export interface FrequencyFacts {
  frequency: string;
  /** REF*F8: the payer's control number of the prior claim. */
  payerClaimNumber?: string;
}

export function frequencyFacts(claim: Claim): FrequencyFacts {
  const frequency =
    claim.extension?.find((e) => e.url === EXT.claimFrequency)?.valueCoding?.code ?? '1';
  const payerClaimNumber = claim.related?.find((r) => r.reference?.value)?.reference?.value;
  return { frequency, ...(payerClaimNumber ? { payerClaimNumber } : {}) };
}

/**
 * As a strict payer does: a replacement or void must name, in REF*F8, a claim this payer
 * numbered, and a voided claim can be neither voided nor replaced again.
 */
export function checkPrior(
  facts: FrequencyFacts,
  answers: Iterable<ClaimResponse>,
  voided: ReadonlySet<string>,
): ClaimResponse | undefined {
  if (facts.frequency !== '7' && facts.frequency !== '8') return undefined;
  const number = facts.payerClaimNumber;
  if (!number)
    throw new AppError(
      'INPUT_INVALID',
      `A claim of frequency ${facts.frequency} needs the payer claim number of the prior claim (REF*F8).`,
    );
  const prior = [...answers].find((r) =>
    r.identifier?.some((i) => i.system === PAYER_CONTROL_NUMBER_SYSTEM && i.value === number),
  );
  if (!prior)
    throw new AppError('INPUT_INVALID', `The payer has no claim numbered ${number} (REF*F8).`);
  if (voided.has(number))
    throw new AppError('INPUT_INVALID', `Claim ${number} was voided; it cannot be changed.`);
  return prior;
}

/** The answer to a void: accepted, nothing more paid, what was paid on the prior claim taken back. */
export function answerVoid(
  claim: Claim,
  prior: ClaimResponse,
  received: Date,
  responseId: string,
  controlNumber: string,
): ClaimResponse {
  const paid = prior.payment?.amount.value ?? 0;
  const claimIdentifier = claim.identifier?.[0];
  const number = prior.identifier?.[0]?.value ?? '';
  return {
    resourceType: 'ClaimResponse',
    id: responseId,
    identifier: [{ system: PAYER_CONTROL_NUMBER_SYSTEM, value: controlNumber }],
    status: 'active',
    type: claim.type,
    use: 'claim',
    patient: claim.patient,
    created: received.toISOString(),
    insurer: claim.insurer ?? { display: 'Sandbox Health Plan' },
    requestor: claim.provider,
    request: {
      ...(claim.id ? { reference: `Claim/${claim.id}` } : {}),
      ...(claimIdentifier ? { identifier: claimIdentifier } : {}),
    },
    outcome: 'complete',
    disposition: `Void of claim ${number} accepted${paid > 0 ? `: the $${paid.toFixed(2)} paid is taken back` : ''}.`,
    ...(paid > 0
      ? {
          payment: {
            type: {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/ex-paymenttype',
                  code: 'complete',
                },
              ],
            },
            date: received.toISOString().slice(0, 10),
            amount: { value: -paid, currency: 'USD' },
          },
        }
      : {}),
  };
}
