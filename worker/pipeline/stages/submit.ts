import type { ClaimResponse } from 'fhir/r4';
import { submissionBundle } from '../../../src/claims/submission-bundle.ts';
import type { ClaimWithId, EncounterContext, PipelineDeps } from '../pipeline-types.ts';

/**
 * Sends the claim with the resources it references to the payer. Not safe to repeat blindly (a
 * clearinghouse rejects or, worse, pays a duplicate): the caller recorded the outbox first, and
 * the payer adapter asks the payer before it sends again after an answer was lost.
 */
export async function submitClaim(
  ctx: EncounterContext,
  claim: ClaimWithId,
  deps: PipelineDeps,
): Promise<ClaimResponse> {
  const bundle = submissionBundle(claim, [
    ctx.patient,
    ctx.coverage,
    ctx.billingProvider,
    ctx.payerOrg,
    ctx.practitioner,
    // What the 837P also names: the referring provider (2310A), the service facility (2310C)
    // and, for a dependent, the subscriber (2010BA), so a clearinghouse claim carries them too.
    ctx.referring,
    ctx.location,
    ctx.subscriber,
  ]);
  return deps.payer.submitClaim(bundle);
}
