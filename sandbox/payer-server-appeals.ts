import type { ClaimResponse } from 'fhir/r4';
import { z } from 'zod';
import { claimResponseSummary } from '../src/claims/claim-response-summary.ts';
import { writerTag } from '../src/fhir/systems.ts';
import { adjudicateClaim, type AdjudicateInput } from './payer-server-adjudicate.ts';

/** What the payer's appeals desk decides on a first-level appeal. */
export type AppealDecision = 'overturn' | 'uphold';

/** The body of `POST /admin/appeals`: the claim (by its identifier) and the decision. */
export const appealDecisionSchema = z
  .object({
    claim: z.object({ system: z.string().min(1), value: z.string().min(1) }).strict(),
    decision: z.enum(['overturn', 'uphold']),
  })
  .strict();

/**
 * The sandbox payer's appeals desk: a person at the payer reads the provider's appeal and
 * decides. The claim is adjudicated again, as it was received (the same date received, so a
 * timely filing denial stands unless overturned), under a new payer claim number, dated the day
 * of the decision: overturned, the denials are lifted (claim-level ones, and each denied line is
 * allowed at its charge) and the plan's cost sharing applies; upheld, the same reasons come back.
 * The new ClaimResponse is the claim's answer from then on (what `Claim/$inquire` returns), as a
 * payer's status answer carries its latest adjudication. Pure: the clock and numbers are given.
 */
export function decideAppeal(
  received: AdjudicateInput,
  decision: AppealDecision,
  at: Date,
  numbers: { responseId: string; controlNumber: string },
): ClaimResponse {
  const response = adjudicateClaim({
    ...received,
    ...numbers,
    ...(decision === 'overturn' ? { overturned: true } : {}),
  });
  const decided = at.toISOString();
  const words =
    decision === 'overturn'
      ? `Appeal decided ${decided.slice(0, 10)}: the denial is overturned.`
      : `Appeal decided ${decided.slice(0, 10)}: the denial is upheld.`;
  return {
    ...response,
    meta: { tag: [writerTag('payer')] },
    created: decided,
    ...(response.payment ? { payment: { ...response.payment, date: decided.slice(0, 10) } } : {}),
    disposition: `${words} ${response.disposition ?? ''}`.trim(),
  };
}

/** True when an answer denied something a first-level appeal can ask the payer to look at again. */
export function isAppealable(answer: ClaimResponse | undefined): boolean {
  if (!answer || answer.outcome === 'queued' || answer.outcome === 'error') return false;
  return claimResponseSummary(answer).denials.length > 0;
}
