import type {
  ClaimResponse,
  ClaimResponseItem,
  ClaimResponseItemAdjudication,
  CodeableConcept,
} from 'fhir/r4';
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

/** X12 claim adjustment group codes (CAS01) as an adjudication category: who bears the amount. */
export const GROUP_CODE_SYSTEM = 'https://x12.org/codes/claim-adjustment-group-codes';

/**
 * The group and remark code of a reason: the group coded as the entry's category (one
 * adjudication per CAS reason, as an 835 says it), else read from the text (`CO-16: …`); the
 * RARC from the concept, else from the item's own remark entries.
 */
function groupAndRemark(
  concept: CodeableConcept | undefined,
  category?: CodeableConcept,
  remarks: readonly string[] = [],
): Pick<DenialReason, 'group' | 'rarc'> {
  const group =
    category?.coding?.find((c) => c.system === GROUP_CODE_SYSTEM)?.code ??
    /^(CO|PR|OA|PI|CR)-/.exec(concept?.text ?? '')?.[1];
  const rarc = concept?.coding?.find((c) => c.system === SYSTEM.rarc)?.code ?? remarks[0];
  return { ...(group ? { group } : {}), ...(rarc ? { rarc } : {}) };
}

/** The RARCs of a list of adjudications: entries whose reason is a remark code alone. */
function remarksIn(adjudications: readonly ClaimResponseItemAdjudication[]): string[] {
  return adjudications
    .filter((a) => !carcCodesOf(a.reason).length)
    .flatMap((a) => a.reason?.coding ?? [])
    .filter((c) => c.system === SYSTEM.rarc && c.code)
    .map((c) => c.code ?? '');
}

/** Whether an entry is one CAS reason of group `group` (category coded in the group system). */
function inGroup(adj: ClaimResponseItemAdjudication, group: string): boolean {
  return (
    adj.category.coding?.some((c) => c.system === GROUP_CODE_SYSTEM && c.code === group) === true
  );
}

/**
 * What the patient owes: every PR adjustment (deductible, coinsurance, copay, and PR-96, PR-204
 * non-covered services too) when the answer codes its groups; else the deductible, coinsurance
 * and copay categories.
 */
function patientResponsibilityOf(response: ClaimResponse): number {
  const all = [
    ...(response.adjudication ?? []),
    ...(response.item ?? []).flatMap((i) => i.adjudication),
  ];
  if (all.some((a) => a.category.coding?.some((c) => c.system === GROUP_CODE_SYSTEM)))
    return roundCents(
      all.filter((a) => inGroup(a, 'PR')).reduce((sum, a) => sum + (a.amount?.value ?? 0), 0),
    );
  const items = response.item ?? [];
  return roundCents(
    sumAdjudication(items, 'copay') +
      sumAdjudication(items, 'coinsurance') +
      sumAdjudication(items, 'deductible'),
  );
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
  const claimLevel = { itemSequence: undefined, adjudication: response.adjudication ?? [] };
  for (const item of [claimLevel, ...items]) {
    const remarks = remarksIn(item.adjudication);
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
            ...(item.itemSequence !== undefined ? { itemSequence: item.itemSequence } : {}),
            carc,
            text: adj.reason?.text ?? carcText(carc),
            ...groupAndRemark(adj.reason, adj.category, remarks),
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
    patientResponsibility: patientResponsibilityOf(response),
    denials,
  };
}
