import type {
  Coverage,
  CoverageEligibilityRequest,
  CoverageEligibilityResponse,
  Organization,
} from 'fhir/r4';
import { dateOfServiceOf } from '../../../src/claims/build-claim.ts';
import {
  appointmentEligibilityIdentifierFor,
  buildEligibilityRequest,
  type BuildEligibilityRequestInput,
} from '../../../src/claims/build-eligibility-request.ts';
import { identifierToken } from '../../../src/fhir/identifier-query.ts';
import { bookedAsOf, eligibilityLink } from '../../../src/claims/eligibility-links.ts';
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

/** What an eligibility check needs of a visit: who, which plan, who asks, and when. */
export type EligibilityVisit = Pick<
  EncounterContext,
  'patient' | 'coverage' | 'billingProvider' | 'payerOrg' | 'subscriber'
> & {
  /** The Encounter, or the booked Appointment checked ahead of it. */
  visit: BuildEligibilityRequestInput['encounter'];
  dateOfService: string;
  /** Appointment ids the encounter was booked as: their answers may stand for it. */
  bookedAs?: readonly string[];
};

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
  const bookedAs = bookedAsOf(ctx.encounter);
  return checkVisitEligibility(
    {
      visit: ctx.encounter,
      dateOfService: dateOfServiceOf(ctx.encounter, deps.practiceTimeZone),
      patient: ctx.patient,
      coverage: ctx.coverage,
      billingProvider: ctx.billingProvider,
      payerOrg: ctx.payerOrg,
      ...(ctx.subscriber ? { subscriber: ctx.subscriber } : {}),
      bookedAs,
    },
    deps,
    when,
  );
}

/** `checkEligibility` for any visit: an Encounter, or an Appointment checked ahead of it. */
export async function checkVisitEligibility(
  input: EligibilityVisit,
  deps: PipelineServices,
  when: EligibilityWhen,
): Promise<Eligibility> {
  const { coverage, billingProvider } = input;
  if (!coverage || !billingProvider)
    throw new Error('checkEligibility needs a coverage and a billing provider');
  // Nothing goes to a payer (not even the eligibility question) unless the insurer is one it knows.
  const problem = payerProblem({
    coverage,
    payerOrg: input.payerOrg,
    billingProvider,
    knownPayers: deps.payer.payerIds,
  });
  if (problem) throw claimProblemsError([problem]);
  const ask = () => askPayer(input, coverage, billingProvider, deps, when);
  return deps.eligibility ? deps.eligibility.reuse(coverage, input.dateOfService, ask) : ask();
}

async function askPayer(
  input: EligibilityVisit,
  coverage: Coverage,
  billingProvider: Organization,
  deps: PipelineServices,
  when: EligibilityWhen,
): Promise<Eligibility> {
  const built = buildEligibilityRequest({
    encounter: input.visit,
    patient: input.patient,
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
  const known =
    (created ? undefined : await storedAnswer(refOf(request), coverage, deps, when)) ??
    (await bookedAnswer(input, coverage, deps, when));
  if (known) return eligibilityOf(known, refOf(known), coverage);
  const answer = await deps.payer.checkEligibility(
    // A dependent's subscriber too: the 270 names them in 2100C, the patient in 2100D.
    submissionBundle(request, [
      input.patient,
      coverage,
      billingProvider,
      input.payerOrg,
      input.subscriber,
    ]),
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

/**
 * The answer the payer gave when the visit was booked (its Appointment's check), when it stands
 * for this visit as `storedAnswer` says and is linked to it as `eligibilityLink` says (an
 * appointment the encounter was booked as, the same date of service; the timelines show it by
 * the same rule): so booked, arrived and finished cost one check between them.
 */
async function bookedAnswer(
  input: EligibilityVisit,
  coverage: Coverage,
  deps: PipelineServices,
  when: EligibilityWhen,
): Promise<(CoverageEligibilityResponse & { id: string }) | undefined> {
  const bookedAs = input.bookedAs ?? [];
  const visit = { bookedAs, dateOfService: input.dateOfService };
  for (const appointmentId of bookedAs) {
    const [asked] = await deps.billing.searchAll(
      'CoverageEligibilityRequest',
      { identifier: identifierToken(appointmentEligibilityIdentifierFor(appointmentId)) },
      1,
    );
    if (asked?.resourceType !== 'CoverageEligibilityRequest' || !asked.id) continue;
    const check = { identifier: asked.identifier?.[0], servicedDate: asked.servicedDate };
    if (eligibilityLink(check, visit) !== 'booked') continue;
    const known = await storedAnswer(refOf(asked), coverage, deps, when);
    if (known) return known;
  }
  return undefined;
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
