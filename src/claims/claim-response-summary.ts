import type { ClaimResponse, ClaimResponseItem, CodeableConcept } from 'fhir/r4';
import { SYSTEM } from '../fhir/systems.ts';
import { carcCodesOf, carcText } from './carc-codes.ts';
import { roundCents } from './fee-schedule.ts';

/** CARIN Blue Button adjudication codes; R4's own code system has no `coinsurance`. */
export const ADJUDICATION_C4BB = 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication';

/**
 * CARCs that explain an amount rather than deny it: deductible (1), coinsurance (2), copay (3)
 * and the contractual write-off (45). Every other reason on an adjudication is a denial.
 */
const NOT_DENIALS = new Set(['1', '2', '3', '45']);

/** One reason a payer denied a claim or a line. */
export interface DenialReason {
  /** The line the reason is about; absent for claim-level denials. */
  itemSequence?: number;
  carc: string;
  text: string;
  /** X12 group (CO, PR, OA, PI), read from the reason's text (`CO-29: …`) when the payer says it. */
  group?: string;
  /** The remark code (RARC) sent with the reason, if any. */
  rarc?: string;
}

/** The group and remark code of a reason concept: `CO-16: …` with an M76 coding. */
function groupAndRemark(
  concept: CodeableConcept | undefined,
): Pick<DenialReason, 'group' | 'rarc'> {
  const group = /^(CO|PR|OA|PI)-/.exec(concept?.text ?? '')?.[1];
  const rarc = concept?.coding?.find((c) => c.system === SYSTEM.rarc)?.code;
  return { ...(group ? { group } : {}), ...(rarc ? { rarc } : {}) };
}

/** A payer's answer in the numbers billing staff look at. */
export interface ClaimResponseSummary {
  outcome: ClaimResponse['outcome'];
  billed: number;
  allowed: number;
  paid: number;
  patientResponsibility: number;
  /** Claim-level errors and line denials, with their CARC and plain-language text. */
  denials: DenialReason[];
}

/** Sum of the amounts of one adjudication category (by code, any system) over the lines. */
export function sumAdjudication(items: readonly ClaimResponseItem[], category: string): number {
  let sum = 0;
  for (const item of items) {
    for (const adj of item.adjudication) {
      if (adj.category.coding?.some((c) => c.code === category)) sum += adj.amount?.value ?? 0;
    }
  }
  return roundCents(sum);
}

/**
 * The numbers billing staff look at in a payer's answer: billed, allowed, paid, patient
 * responsibility, and each denial with its reason.
 */
export function claimResponseSummary(response: ClaimResponse): ClaimResponseSummary {
  const items = response.item ?? [];
  const denials: DenialReason[] = [];
  for (const error of response.error ?? []) {
    for (const carc of carcCodesOf(error.code))
      denials.push({
        carc,
        text: error.code.text ?? carcText(carc),
        ...groupAndRemark(error.code),
        ...(error.itemSequence ? { itemSequence: error.itemSequence } : {}),
      });
  }
  for (const item of items) {
    for (const adj of item.adjudication) {
      for (const carc of carcCodesOf(adj.reason)) {
        if (
          !NOT_DENIALS.has(carc) &&
          !denials.some(
            (d) =>
              d.carc === carc &&
              (d.itemSequence === undefined || d.itemSequence === item.itemSequence),
          )
        ) {
          denials.push({
            itemSequence: item.itemSequence,
            carc,
            text: adj.reason?.text ?? carcText(carc),
            ...groupAndRemark(adj.reason),
          });
        }
      }
    }
  }
  return {
    outcome: response.outcome,
    billed: sumAdjudication(items, 'submitted'),
    allowed: sumAdjudication(items, 'eligible'),
    paid: response.payment?.amount.value ?? sumAdjudication(items, 'benefit'),
    patientResponsibility: roundCents(
      sumAdjudication(items, 'copay') +
        sumAdjudication(items, 'coinsurance') +
        sumAdjudication(items, 'deductible'),
    ),
    denials,
  };
}
