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
  const dateOfService = dateOfServiceOf(ctx.encounter, deps.practiceTimeZone);
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
    ...(deps.practiceTimeZone ? { timeZone: deps.practiceTimeZone } : {}),
  });
  built.meta = { tag: [writerTag('worker')] };
  const identifier = built.identifier?.[0] ?? {};
  const { resource: request, created } = await deps.billing.create<CoverageEligibilityRequest>(
    built,
    { ifNoneExist: identifierQuery(identifier) },
  );
  // The question was asked before (a pass that failed later, a restart): its stored answer
  // stands while it is recent, so no second CoverageEligibilityResponse is written.
  const known = created ? undefined : await storedAnswer(refOf(request), coverage, deps);
  if (known) return eligibilityOf(known, refOf(known), coverage);
  const answer = await deps.payer.checkEligibility(
    // A dependent's subscriber too: the 270 names them in 2100C, the patient in 2100D.
    submissionBundle(request, [
      ctx.patient,
      coverage,
      billingProvider,
      ctx.payerOrg,
      ctx.subscriber,
    ]),
  );
  return eligibilityOf(answer, await storeResponse(answer, refOf(request), deps), coverage);
}

/**
 * The newest answer stored for this request in the billing store, if it is younger than the
 * reuse window (`CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES`; none when reuse is off) and than
 * the Coverage (a coverage corrected since is checked afresh).
 */
async function storedAnswer(
  requestRef: string,
  coverage: Coverage,
  deps: PipelineDeps,
): Promise<(CoverageEligibilityResponse & { id: string }) | undefined> {
  const windowMs = deps.eligibility?.windowMs ?? 0;
  if (windowMs <= 0) return undefined;
  const found = await deps.billing.searchAll(
    'CoverageEligibilityResponse',
    { request: requestRef, _count: 10 },
    10,
  );
  const at = (r: CoverageEligibilityResponse) => Date.parse(r.created || r.meta?.lastUpdated || '');
  const newest = found
    .filter((r): r is CoverageEligibilityResponse & { id: string } => {
      return r.resourceType === 'CoverageEligibilityResponse' && typeof r.id === 'string';
    })
    .sort((a, b) => at(b) - at(a))[0];
  if (!newest || !(deps.now().getTime() - at(newest) <= windowMs)) return undefined;
  const coverageChanged = Date.parse(coverage.meta?.lastUpdated ?? '');
  if (coverageChanged > at(newest)) return undefined;
  return newest;
}

/** In force or not, with the payer's reason, from its answer. */
function eligibilityOf(
  answer: CoverageEligibilityResponse,
  stored: string,
  coverage: Coverage,
): Eligibility {
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
