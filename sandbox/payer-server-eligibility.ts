import type {
  Coverage,
  CoverageEligibilityRequest,
  CoverageEligibilityResponse,
  CoverageEligibilityResponseInsuranceItemBenefit,
} from 'fhir/r4';
import { SYSTEM } from '../src/fhir/systems.ts';
import { costSharingOf, coverageInForce } from './payer-server-rules.ts';

/** Identifier system of the sandbox payer's eligibility answers (the X12 271 trace number). */
export const PAYER_ELIGIBILITY_SYSTEM = 'https://sandbox-payer.chartbill.dev/eligibility-response';

/** An eligibility request with the coverage it names, as the Bundle carried it. */
export interface AnswerEligibilityInput {
  request: CoverageEligibilityRequest;
  coverage: Coverage | undefined;
  received: Date;
  responseId: string;
}

/**
 * Answers an eligibility check (the FHIR form of an X12 271): is the plan in force on the date
 * of service, and for an office visit (benefit category 98) the copay, coinsurance and
 * deductible. Pure: the clock and the id to assign are passed in.
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
  response.insurance = [
    {
      coverage: coverageRef,
      inforce: true,
      ...(coverage?.period ? { benefitPeriod: coverage.period } : {}),
      item: [
        {
          category: {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/ex-benefitcategory',
                code: '98',
                display: 'Professional Visit - Office',
              },
            ],
          },
          network: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/benefit-network', code: 'in' },
            ],
          },
          unit: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/benefit-unit', code: 'individual' },
            ],
          },
          term: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/benefit-term', code: 'annual' },
            ],
          },
          benefit: benefitsOf(coverage),
        },
      ],
    },
  ];
  return response;
}

function benefitsOf(
  coverage: Coverage | undefined,
): CoverageEligibilityResponseInsuranceItemBenefit[] {
  const sharing = costSharingOf(coverage);
  const type = (code: string) => ({ coding: [{ system: SYSTEM.benefitType, code }] });
  const benefits: CoverageEligibilityResponseInsuranceItemBenefit[] = [
    { type: type('copay'), allowedMoney: { value: sharing.officeCopay, currency: 'USD' } },
    { type: type('copay-percent'), allowedUnsignedInt: sharing.coinsurancePercent },
  ];
  if (sharing.deductible !== undefined)
    benefits.push({
      type: type('deductible'),
      allowedMoney: { value: sharing.deductible, currency: 'USD' },
    });
  return benefits;
}
