import type { CodeableConcept, Coding } from 'fhir/r4';
import { SYSTEM } from '../fhir/systems.ts';

/**
 * The X12 Claim Adjustment Reason Codes ChartBill uses, with ChartBill's own short,
 * plain-language explanations (not the X12 descriptions). Browser-safe.
 */
export const CARC_TEXT: Readonly<Record<string, string>> = {
  '1': 'Deductible: the patient owes this amount toward the plan deductible.',
  '2': 'Coinsurance: the patient owes this percentage share of the allowed amount.',
  '3': "Copay: the patient owes the plan's fixed copay for this visit.",
  '16': 'The claim is missing information the payer needs; correct it and resubmit.',
  '18': 'Duplicate: this claim or service was already submitted.',
  '27': "The patient's coverage was not in force on the date of service.",
  '29': "Filed too late: the payer's deadline for submitting this claim has passed.",
  '45': "Contractual adjustment: the charge is above the payer's allowed amount; the difference is written off.",
  '50': "Not medically necessary in the payer's judgment.",
  '96': 'Not covered: the plan does not pay for this service.',
  '97': 'Bundled: paid as part of another service on the claim.',
  '197':
    'No prior authorization: the plan authorizes this service beforehand and the claim named none.',
  '204': "Not covered under the patient's current benefit plan.",
};

/** X12 claim adjustment group codes: who bears the adjustment. */
export type CarcGroup = 'CO' | 'PR' | 'OA' | 'PI';

/** The RARCs ChartBill uses, with short plain-language explanations. */
export const RARC_TEXT: Readonly<Record<string, string>> = {
  N130: "Consult the plan's benefit documents for what is covered.",
  M76: 'The claim has no diagnosis, or a diagnosis is missing for this service.',
  N30: 'The patient was not eligible for this service on the date of service.',
};

/** Plain-language text of a CARC, or a generic one for codes ChartBill has no text for. */
export function carcText(code: string): string {
  return CARC_TEXT[code] ?? `Claim adjustment reason code ${code}.`;
}

/** A CodeableConcept for a CARC with its group, e.g. text `CO-96: Not covered: …`. */
export function carcConcept(code: string, group: CarcGroup, rarc?: string): CodeableConcept {
  const coding: Coding[] = [{ system: SYSTEM.carc, code, display: carcText(code) }];
  if (rarc)
    coding.push({
      system: SYSTEM.rarc,
      code: rarc,
      display: RARC_TEXT[rarc] ?? `Remark code ${rarc}.`,
    });
  return { coding, text: `${group}-${code}: ${carcText(code)}` };
}

/** The CARC codes in a CodeableConcept (usually one). */
export function carcCodesOf(concept: CodeableConcept | undefined): string[] {
  return (concept?.coding ?? [])
    .filter((c) => c.system === SYSTEM.carc && c.code)
    .map((c) => c.code ?? '');
}
