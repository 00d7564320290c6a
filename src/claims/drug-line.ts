import type { ChargeItem, ClaimItemDetail } from 'fhir/r4';
import { EXT, SYSTEM } from '../fhir/systems.ts';
import { UNIT_SYSTEM } from '../x12/x12-systems.ts';

/** The drug given on a service line: its NDC and the amount in the NDC's unit. */
export interface DrugLine {
  /** 11 digits (5-4-2, no hyphens), as 837P LIN03 with qualifier N4 wants it. */
  ndc: string;
  quantity: number;
  /** X12 unit: UN unit, ML milliliter, GR gram, F2 international unit, ME milligram. */
  unit: DrugUnit;
}

export const DRUG_UNITS = ['UN', 'ML', 'GR', 'F2', 'ME'] as const;
export type DrugUnit = (typeof DRUG_UNITS)[number];

/**
 * The drug on a ChargeItem: `productCodeableConcept` with an NDC coding and the EXT.ndcQuantity
 * extension. Undefined when the line names no NDC; a 10-digit or hyphenated NDC is normalized
 * to the 11-digit 5-4-2 form payers require (CMS NDC guidance: a leading zero where the
 * labeler, product or package segment is short).
 */
export function drugOfChargeItem(chargeItem: ChargeItem): DrugLine | undefined {
  const code = chargeItem.productCodeableConcept?.coding?.find(
    (c) => c.system === SYSTEM.ndc,
  )?.code;
  if (!code) return undefined;
  const ndc = elevenDigitNdc(code);
  const amount = chargeItem.extension?.find((e) => e.url === EXT.ndcQuantity)?.valueQuantity;
  const unit = DRUG_UNITS.find((u) => u === amount?.code) ?? 'UN';
  if (!ndc || amount?.value === undefined || amount.value <= 0) return undefined;
  return { ndc, quantity: amount.value, unit };
}

/** The 11-digit NDC of a 5-4-2, 4-4-2, 5-3-2 or 5-4-1 hyphenated code, or of 11 digits. */
export function elevenDigitNdc(code: string): string | undefined {
  if (/^\d{11}$/.test(code)) return code;
  const parts = code.split('-');
  if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p))) return undefined;
  const [labeler = '', product = '', pack = ''] = parts;
  if (labeler.length + product.length + pack.length !== 10) return undefined;
  return labeler.padStart(5, '0') + product.padStart(4, '0') + pack.padStart(2, '0');
}

/** Claim.item.detail for the drug: the NDC as productOrService, the amount with its X12 unit. */
export function drugDetail(drug: DrugLine): ClaimItemDetail {
  return {
    sequence: 1,
    productOrService: { coding: [{ system: SYSTEM.ndc, code: drug.ndc }] },
    quantity: { value: drug.quantity, system: UNIT_SYSTEM, code: drug.unit, unit: drug.unit },
  };
}
