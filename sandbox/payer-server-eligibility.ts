import type { Coverage, CoverageEligibilityRequest, CoverageEligibilityResponse } from 'fhir/r4';
import { eligibilityToFhir } from '../src/x12/eligibility-to-fhir.ts';
import type { EligibilityBenefit } from '../src/x12/read-271.ts';
import { costSharingOf, coverageInForce } from './payer-server-rules.ts';

/** Identifier system of the sandbox payer's eligibility answers (the X12 271 trace number). */
export const PAYER_ELIGIBILITY_SYSTEM = 'https://sandbox-payer.chartbill.dev/eligibility-response';

/** An eligibility request with the coverage it names, as the Bundle carried it. */
export interface AnswerEligibilityInput {
  request: CoverageEligibilityRequest;
  coverage: Coverage | undefined;
  received: Date;
  responseId: string;
  /** Deductible the member already met this plan year (the payer's accumulator); 0 when absent. */
  deductibleMet?: number;
}

/**
 * Answers an eligibility check (the FHIR form of an X12 271): is the plan in force on the date
 * of service; the plan year as the benefit period; for an office visit (X12 service type 98) the
 * copay and coinsurance; for the plan (30) deductible and out-of-pocket, annual and remaining,
 * individual and family, in and out of network. Made as 271 benefits and mapped by
 * `eligibilityToFhir`, so it has the shape a clearinghouse's 271 has. Pure.
 */
export function answerEligibility(input: AnswerEligibilityInput): CoverageEligibilityResponse {
  const { request, coverage } = input;
  const dateOfService = request.servicedDate ?? input.received.toISOString().slice(0, 10);
  const inForce = coverageInForce(coverage, dateOfService);
  const coverageRef =
    request.insurance?.find((i) => i.focal)?.coverage ?? request.insurance?.[0]?.coverage;
  const response: CoverageEligibilityResponse = {
    resourceType: 'CoverageEligibilityResponse',
    id: input.responseId,
    identifier: [{ system: PAYER_ELIGIBILITY_SYSTEM, value: input.responseId }],
    status: 'active',
    purpose: request.purpose,
    patient: request.patient,
    servicedDate: dateOfService,
    created: input.received.toISOString(),
    request: {
      ...(request.id ? { reference: `CoverageEligibilityRequest/${request.id}` } : {}),
      ...(request.identifier?.[0] ? { identifier: request.identifier[0] } : {}),
    },
    outcome: 'complete',
    insurer: request.insurer,
    ...(request.provider ? { requestor: request.provider } : {}),
    disposition: inForce.inforce
      ? `Coverage is in force on ${dateOfService}.`
      : `Coverage is not in force on ${dateOfService}: ${inForce.reason}`,
  };
  if (!coverageRef)
    return { ...response, error: [{ code: { text: 'The request names no coverage.' } }] };
  if (!inForce.inforce) {
    response.insurance = [{ coverage: coverageRef, inforce: false }];
    response.error = [{ code: { text: inForce.reason } }];
    return response;
  }
  // One mapping: the plan's answer in 271 terms (EB segments), made FHIR the way a 271 is.
  const mapped = eligibilityToFhir(
    {
      subscriber: {},
      ...planYear(coverage, dateOfService),
      benefits: benefitsOf(coverage, input.deductibleMet ?? 0),
      rejections: [],
    },
    { patient: request.patient, coverage: coverageRef, created: response.created },
  );
  response.insurance = mapped.insurance ?? [];
  return response;
}

/**
 * The plan year that holds the date of service (the sandbox plan runs on the calendar year),
 * within the coverage's own period: the 271's DTP*291 plan begin and end.
 */
function planYear(
  coverage: Coverage | undefined,
  dateOfService: string,
): { planStart: string; planEnd: string } {
  const year = dateOfService.slice(0, 4);
  const start = coverage?.period?.start?.slice(0, 10);
  const end = coverage?.period?.end?.slice(0, 10);
  return {
    planStart: start && start > `${year}-01-01` ? start : `${year}-01-01`,
    planEnd: end && end < `${year}-12-31` ? end : `${year}-12-31`,
  };
}

/** The sandbox plan's out-of-network deductible and out-of-pocket limit: twice in-network. */
const OUT_OF_NETWORK_FACTOR = 2;
/** Its family deductible and out-of-pocket limit: twice the individual one. */
const FAMILY_FACTOR = 2;

/**
 * The sandbox plan's benefits as 271 EB segments: active coverage (EB01 1, service type 30); for
 * an office visit (98) the copay (B) and coinsurance (A); and for the plan (30) the deductible (C)
 * and out-of-pocket limit (G), each individual and family, in and out of network, for the
 * calendar year (EB06 23) and what remains of it (29) after what the member met.
 */
function benefitsOf(coverage: Coverage | undefined, deductibleMet: number): EligibilityBenefit[] {
  const sharing = costSharingOf(coverage);
  const eb = (b: Omit<EligibilityBenefit, 'messages'>): EligibilityBenefit => ({
    ...b,
    messages: [],
  });
  const out: EligibilityBenefit[] = [
    eb({ info: '1', serviceTypes: ['30'] }),
    eb({
      info: 'B',
      level: 'IND',
      serviceTypes: ['98'],
      period: '27',
      amount: sharing.officeCopay,
      inNetwork: 'Y',
    }),
    eb({
      info: 'A',
      level: 'IND',
      serviceTypes: ['98'],
      percent: sharing.coinsurancePercent / 100,
      inNetwork: 'Y',
    }),
  ];
  const limits: [string, number | undefined, number][] = [
    ['C', sharing.deductible, deductibleMet],
    ['G', outOfPocketOf(coverage), deductibleMet],
  ];
  for (const [info, annual, met] of limits) {
    if (annual === undefined) continue;
    for (const [network, factor] of [
      ['Y', 1],
      ['N', OUT_OF_NETWORK_FACTOR],
    ] as const)
      for (const [level, times] of [
        ['IND', 1],
        ['FAM', FAMILY_FACTOR],
      ] as const) {
        const limit = annual * factor * times;
        // What the member met counts in network, toward both their own and the family's.
        const used = network === 'Y' ? met : 0;
        out.push(
          eb({
            info,
            level,
            serviceTypes: ['30'],
            period: '23',
            amount: limit,
            inNetwork: network,
          }),
          eb({
            info,
            level,
            serviceTypes: ['30'],
            period: '29',
            amount: Math.max(0, Math.round((limit - used) * 100) / 100),
            inNetwork: network,
          }),
        );
      }
  }
  return out;
}

/** The plan's out-of-pocket limit: Coverage.costToBeneficiary of type `maxoutofpocket`. */
function outOfPocketOf(coverage: Coverage | undefined): number | undefined {
  return coverage?.costToBeneficiary?.find((c) =>
    c.type?.coding?.some((k) => k.code === 'maxoutofpocket'),
  )?.valueMoney?.value;
}
