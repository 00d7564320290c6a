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
  type PipelineServices,
} from '../pipeline-types.ts';
import { claimProblemsError } from './load-context.ts';

export type Eligibility =
  { inforce: true; response: string } | { inforce: false; response: string; reason: string };

/**
 * Why the check is made: `finished` for the claim; `early` when the visit is under way
 * (arrived, in-progress), so the answer is there before it ends.
 */
export type EligibilityWhen = 'finished' | 'early';

/**
 * Asks the payer whether the coverage is in force on the date of service (X12 270/271 in FHIR
 * form). The request and the answer are written to the billing store, the request once per
 * encounter (If-None-Exist on its identifier), so billing staff see what the payer said. A
 * recent answer for the same coverage and date of service is reused (`deps.eligibility`), and
 * the visit's own earlier answer stands as `storedAnswer` says (one paid check per visit).
 */
export async function checkEligibility(
  ctx: EncounterContext,
  deps: PipelineServices,
  when: EligibilityWhen = 'finished',
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
  const ask = () => askPayer(ctx, coverage, billingProvider, deps, when);
  return deps.eligibility ? deps.eligibility.reuse(coverage, dateOfService, ask) : ask();
}

async function askPayer(
  ctx: EncounterContext,
  coverage: Coverage,
  billingProvider: Organization,
  deps: PipelineServices,
  when: EligibilityWhen,
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
  const known = created ? undefined : await storedAnswer(refOf(request), coverage, deps, when);
  if (known) return eligibilityOf(known, refOf(known), coverage);
  const answer = await deps.payer.checkEligibility(
    submissionBundle(request, [ctx.patient, coverage, billingProvider, ctx.payerOrg]),
  );
  return eligibilityOf(answer, await storeResponse(answer, refOf(request), deps), coverage);
}

/**
 * The newest answer stored for this request (this visit's), if the Coverage has not changed
 * since (a coverage corrected since is checked afresh) and it is young enough to stand:
 * - any answer within the reuse window (`CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES`);
 * - an in-force answer within the early-check horizon and a day
 *   (`CHARTBILL_ELIGIBILITY_AHEAD_DAYS`): the finished visit reuses what its arrival was told,
 *   so a visit costs one check, not one per status;
 * - for an early check, any answer within that horizon: a visit under way is asked about once
 *   per Coverage version, however often the Encounter is edited. (A finished visit held for an
 *   inactive plan is asked again only on the recheck back-off, ledger.ts `recheckDelayMs`.)
 */
async function storedAnswer(
  requestRef: string,
  coverage: Coverage,
  deps: PipelineServices,
  when: EligibilityWhen,
): Promise<(CoverageEligibilityResponse & { id: string }) | undefined> {
  const windowMs = deps.eligibility?.windowMs ?? 0;
  const visitMs = deps.eligibilityAheadMs ? deps.eligibilityAheadMs + DAY_MS : 0;
  if (windowMs <= 0 && visitMs <= 0) return undefined;
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
  if (!newest) return undefined;
  const coverageChanged = Date.parse(coverage.meta?.lastUpdated ?? '');
  if (coverageChanged > at(newest)) return undefined;
  const age = deps.now().getTime() - at(newest);
  if (windowMs > 0 && age <= windowMs) return newest;
  const stands = when === 'early' || eligibilityOf(newest, '', coverage).inforce;
  return stands && age <= visitMs ? newest : undefined;
}

const DAY_MS = 86_400_000;

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
  deps: PipelineServices,
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
