import type {
  CoverageEligibilityResponse,
  CoverageEligibilityResponseInsuranceItem as Item,
  CoverageEligibilityResponseInsuranceItemBenefit as Benefit,
  Reference,
} from 'fhir/r4';
import { SYSTEM } from '../fhir/systems.ts';
import { BENEFIT_INFO, COVERAGE_LEVEL, SERVICE_TYPE, TIME_PERIOD } from './eligibility-codes.ts';
import type { EligibilityBenefit, Eligibility271 } from './read-271.ts';
import { X12_SYSTEM } from './x12-systems.ts';

export interface EligibilityContext {
  request?: Reference;
  patient: Reference;
  coverage?: Reference;
  insurer?: Reference;
  created: string;
}

const EB01_SYSTEM = 'https://x12.org/codes/eligibility-or-benefit-information-codes';
const NETWORK = 'http://terminology.hl7.org/CodeSystem/benefit-network';
const UNIT = 'http://terminology.hl7.org/CodeSystem/benefit-unit';
const TERM = 'http://terminology.hl7.org/CodeSystem/benefit-term';
const HL7_TYPE: Readonly<Record<string, string>> = {
  B: 'copay',
  C: 'deductible',
  A: 'copay-percent',
};
const ACTIVE = new Set(['1', '2', '3', '4', '5']);
const INACTIVE = new Set(['6', '7', '8']);

/**
 * A 271 answer as a FHIR R4 CoverageEligibilityResponse: in force or not (EB01 1-5 / 6-8), the
 * plan dates as the benefit period, one item per service type (X12 service type code system) and
 * network, with copay, coinsurance, deductible and out-of-pocket, annual and remaining, individual
 * and family. AAA rejections make the outcome `error` with their reasons in words. Pure.
 */
export function eligibilityToFhir(
  answer: Eligibility271,
  context: EligibilityContext,
): CoverageEligibilityResponse {
  const inforce = answer.benefits.some((b) => ACTIVE.has(b.info))
    ? true
    : answer.benefits.some((b) => INACTIVE.has(b.info))
      ? false
      : undefined;
  const rejected = answer.rejections.length > 0;
  return {
    resourceType: 'CoverageEligibilityResponse',
    status: 'active',
    purpose: ['benefits'],
    patient: context.patient,
    created: context.created,
    ...(context.request ? { request: context.request } : { request: { display: 'X12 270' } }),
    outcome: rejected ? 'error' : 'complete',
    insurer: context.insurer ?? {
      ...(answer.payerId ? { identifier: { system: SYSTEM.payerId, value: answer.payerId } } : {}),
      display: answer.payerName ?? 'payer',
    },
    ...(rejected
      ? {
          disposition: answer.rejections
            .map((r) => `AAA ${r.reason}: ${r.text}${r.followUp ? ` (${r.followUp})` : ''}`)
            .join('; '),
          error: answer.rejections.map((r) => ({
            code: {
              coding: [
                {
                  system: 'https://x12.org/codes/reject-reason-codes',
                  code: r.reason,
                  display: r.text,
                },
              ],
            },
          })),
        }
      : {}),
    ...(rejected && answer.benefits.length === 0
      ? {}
      : {
          insurance: [
            {
              ...(context.coverage
                ? { coverage: context.coverage }
                : { coverage: { display: answer.subscriber.memberId ?? 'coverage' } }),
              ...(inforce !== undefined ? { inforce } : {}),
              ...(answer.planStart
                ? {
                    benefitPeriod: {
                      start: answer.planStart,
                      ...(answer.planEnd ? { end: answer.planEnd } : {}),
                    },
                  }
                : {}),
              item: items(answer.benefits),
            },
          ],
        }),
  };
}

function items(benefits: readonly EligibilityBenefit[]): Item[] {
  const byKey = new Map<string, Item>();
  for (const b of benefits) {
    if (ACTIVE.has(b.info) || INACTIVE.has(b.info)) continue;
    for (const serviceType of b.serviceTypes.length ? b.serviceTypes : ['30']) {
      const network = b.inNetwork === 'Y' ? 'in' : b.inNetwork === 'N' ? 'out' : undefined;
      const unit = b.level === 'FAM' ? 'family' : b.level ? 'individual' : undefined;
      const key = [serviceType, network, unit].join('|');
      let item = byKey.get(key);
      if (!item) {
        item = {
          category: {
            coding: [
              {
                system: X12_SYSTEM.serviceType,
                code: serviceType,
                display: SERVICE_TYPE[serviceType] ?? `service type ${serviceType}`,
              },
            ],
          },
          ...(network ? { network: { coding: [{ system: NETWORK, code: network }] } } : {}),
          ...(unit ? { unit: { coding: [{ system: UNIT, code: unit }] } } : {}),
          ...(b.period === '23' || b.period === '22' || b.period === '29'
            ? { term: { coding: [{ system: TERM, code: 'annual' }] } }
            : {}),
          benefit: [],
        };
        byKey.set(key, item);
      }
      if (b.authorizationRequired !== undefined)
        item.authorizationRequired = b.authorizationRequired;
      if (b.info === 'I') item.excluded = true;
      const benefit = benefitOf(b);
      if (benefit) item.benefit?.push(benefit);
    }
  }
  return [...byKey.values()];
}

/** One EB amount: copay (money), coinsurance (percent), deductible / out-of-pocket and what remains. */
function benefitOf(b: EligibilityBenefit): Benefit | undefined {
  if (b.amount === undefined && b.percent === undefined) return undefined;
  const period = b.period ? ` ${TIME_PERIOD[b.period] ?? `period ${b.period}`}` : '';
  const level = b.level ? ` (${COVERAGE_LEVEL[b.level] ?? b.level})` : '';
  const coding = [{ system: EB01_SYSTEM, code: b.info, display: BENEFIT_INFO[b.info] ?? b.info }];
  const hl7 = HL7_TYPE[b.info];
  if (hl7) coding.push({ system: SYSTEM.benefitType, code: hl7, display: hl7 });
  const type = { coding, text: `${BENEFIT_INFO[b.info] ?? b.info}${period}${level}` };
  if (b.percent !== undefined) return { type, allowedUnsignedInt: Math.round(b.percent * 100) };
  const money = { value: b.amount ?? 0, currency: 'USD' };
  return { type, allowedMoney: money };
}
