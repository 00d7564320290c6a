import type {
  Coverage,
  CoverageEligibilityRequest,
  CoverageEligibilityResponse,
  Organization,
} from 'fhir/r4';
import { dateOfServiceOf } from '../../../src/claims/build-claim.ts';
import { buildEligibilityRequest } from '../../../src/claims/build-eligibility-request.ts';
import { payerProblem } from '../../../src/claims/claim-payer.ts';
import { submissionBundle } from '../../../src/claims/submission-bundle.ts';
import { writerTag } from '../../../src/fhir/systems.ts';
import {
  identifierQuery,
  refOf,
  type EncounterContext,
  type PipelineDeps,
} from '../pipeline-types.ts';
import { claimProblemsError } from './load-context.ts';

export type Eligibility =
  { inforce: true; response: string } | { inforce: false; response: string; reason: string };

/**
 * Asks the payer whether the coverage is in force on the date of service (X12 270/271 in FHIR
 * form). The request and the answer are written to the billing store, the request once per
 * encounter (If-None-Exist on its identifier), so billing staff see what the payer said. A
 * recent answer for the same coverage and date of service is reused (`deps.eligibility`).
 */
export async function checkEligibility(
  ctx: EncounterContext,
  deps: PipelineDeps,
): Promise<Eligibility> {
  const { coverage, billingProvider } = ctx;
  if (!coverage || !billingProvider)
    throw new Error('checkEligibility needs a coverage and a billing provider');
  // Nothing goes to a payer (not even the eligibility question) unless the insurer is one it knows.
  const problem = payerProblem({
    coverage,
    payerOrg: ctx.payerOrg,
    billingProvider,
    knownPayers: deps.payer.payerIds,
  });
  if (problem) throw claimProblemsError([problem]);
  const dateOfService = dateOfServiceOf(ctx.encounter);
  const ask = () => askPayer(ctx, coverage, billingProvider, deps);
  return deps.eligibility ? deps.eligibility.reuse(coverage, dateOfService, ask) : ask();
}

async function askPayer(
  ctx: EncounterContext,
  coverage: Coverage,
  billingProvider: Organization,
  deps: PipelineDeps,
): Promise<Eligibility> {
  const built = buildEligibilityRequest({
    encounter: ctx.encounter,
    patient: ctx.patient,
    coverage,
    provider: billingProvider,
    created: deps.now().toISOString(),
  });
  built.meta = { tag: [writerTag('worker')] };
  const identifier = built.identifier?.[0] ?? {};
  const { resource: request } = await deps.billing.create<CoverageEligibilityRequest>(built, {
    ifNoneExist: identifierQuery(identifier),
  });
  const answer = await deps.payer.checkEligibility(
    submissionBundle(request, [ctx.patient, coverage, billingProvider, ctx.payerOrg]),
  );
  const stored = await storeResponse(answer, refOf(request), deps);
  const insurance =
    answer.insurance?.find((i) => i.coverage.reference === refOf(coverage)) ??
    answer.insurance?.[0];
  if (answer.outcome !== 'error' && insurance?.inforce === true)
    return { inforce: true, response: stored };
  const reason =
    answer.error
      ?.map((e) => e.code.text ?? e.code.coding?.[0]?.display)
      .filter(Boolean)
      .join(' ') ||
    answer.disposition ||
    'The payer did not confirm the coverage.';
  return { inforce: false, response: stored, reason };
}

async function storeResponse(
  answer: CoverageEligibilityResponse,
  requestRef: string,
  deps: PipelineDeps,
): Promise<string> {
  // The payer's id means nothing in our store; the billing store assigns its own.
  const response: CoverageEligibilityResponse = {
    ...answer,
    meta: { tag: [writerTag('worker')] },
    request: { ...answer.request, reference: requestRef },
  };
  delete response.id;
  const identifier = answer.identifier?.[0];
  const { resource } = await deps.billing.create(
    response,
    identifier ? { ifNoneExist: identifierQuery(identifier) } : {},
  );
  return refOf(resource);
}
