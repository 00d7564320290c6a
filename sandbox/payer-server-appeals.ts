import type { ClaimResponse } from 'fhir/r4';
import { z } from 'zod';
import { claimResponseSummary } from '../src/claims/claim-response-summary.ts';
import { writerTag } from '../src/fhir/systems.ts';
import { html } from './html.ts';
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

/** One denied claim on the appeals desk page. */
export interface DeskClaim {
  system: string;
  value: string;
  disposition: string;
}

/**
 * The appeals desk as a page (`GET /admin/appeals` on the sandbox payer): each denied claim with
 * an Overturn and an Uphold button, so a person trying the sandbox can answer an appeal as the
 * payer would. The buttons post the same decision the JSON endpoint takes.
 */
export function appealsDeskPage(claims: readonly DeskClaim[]): string {
  const rows = claims.map(
    (c) => html`<tr><td>${c.value}</td><td>${c.disposition}</td><td>
<form method="post" action="/admin/appeals"><input type="hidden" name="system" value="${c.system}"><input type="hidden" name="value" value="${c.value}">
<button name="decision" value="overturn">Overturn</button> <button name="decision" value="uphold">Uphold</button></form></td></tr>`,
  );
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox Health Plan: appeals desk</title></head>
<body><main><h1>Appeals desk</h1>
<p>Denied claims. The decision is the claim's next status answer (Claim/$inquire); the ChartBill worker asks daily while an appeal is open.</p>
${rows.length ? html`<table><thead><tr><th scope="col">Claim</th><th scope="col">Answer</th><th scope="col">Decision</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p>No denied claims.</p>`}
</main></body></html>`.value;
}
