import type { ClaimResponse } from 'fhir/r4';
import { submissionBundle } from '../../src/claims/submission-bundle.ts';
import type { ClaimWithId, EncounterContext, PipelineDeps } from '../pipeline-types.ts';

/**
 * Sends the claim with the resources it references to the payer. Safe to repeat: the payer is
 * idempotent on the claim's identifier and answers a resubmission with its first answer.
 */
export async function submitClaim(ctx: EncounterContext, claim: ClaimWithId, deps: PipelineDeps): Promise<ClaimResponse> {
  const bundle = submissionBundle(claim, [ctx.patient, ctx.coverage, ctx.billingProvider, ctx.payerOrg, ctx.practitioner]);
  return deps.payer.submitClaim(bundle);
}
