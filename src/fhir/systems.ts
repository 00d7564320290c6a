/**
 * Code systems, identifier systems and extension URLs that ChartBill reads and writes.
 * Browser-safe: no Node imports.
 */
export const SYSTEM = {
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  cpt: 'http://www.ama-assn.org/go/cpt',
  hcpcs: 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  npi: 'http://hl7.org/fhir/sid/us-npi',
  carc: 'https://x12.org/codes/claim-adjustment-reason-codes',
  rarc: 'https://x12.org/codes/remittance-advice-remark-codes',
  placeOfService:
    'https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  claimType: 'http://terminology.hl7.org/CodeSystem/claim-type',
  processPriority: 'http://terminology.hl7.org/CodeSystem/processpriority',
  payeeType: 'http://terminology.hl7.org/CodeSystem/payeetype',
  adjudication: 'http://terminology.hl7.org/CodeSystem/adjudication',
  diagnosisType: 'http://terminology.hl7.org/CodeSystem/ex-diagnosistype',
  careTeamRole: 'http://terminology.hl7.org/CodeSystem/claimcareteamrole',
  subscriberRelationship: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship',
  coverageClass: 'http://terminology.hl7.org/CodeSystem/coverage-class',
  copayType: 'http://terminology.hl7.org/CodeSystem/coverage-copay-type',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  benefitType: 'http://terminology.hl7.org/CodeSystem/benefit-type',
  /** ChartBill's own identifiers and work-item codes. */
  claimId: 'https://chartbill.dev/fhir/identifier/claim',
  taskId: 'https://chartbill.dev/fhir/identifier/task',
  eligibilityId: 'https://chartbill.dev/fhir/identifier/eligibility',
  claimResponseId: 'https://chartbill.dev/fhir/identifier/claim-response',
  memberId: 'https://chartbill.dev/fhir/identifier/member-id',
  /**
   * The patient control number (837P CLM01, at most 20 characters), echoed by the payer in the
   * 277CA and the 835 (CLP01); one per claim, derived from its claim identifier.
   */
  patientControlNumber: 'https://chartbill.dev/fhir/identifier/patient-control-number',
  /** National Drug Code (837P 2410 LIN03 with qualifier N4, 11 digits in 5-4-2). */
  ndc: 'http://hl7.org/fhir/sid/ndc',
  /** CARIN Blue Button claim care team roles: HL7's claimcareteamrole has no `referring`. */
  careTeamRoleCarin: 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole',
  /** HL7 v3 ParticipationType (Encounter.participant.type: ATND, PPRF, REF referrer). */
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  /** HL7 v3 RoleCode (Location.type: HOSP, ER, PTRES patient's residence, …). */
  roleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  /** A payer id (as a clearinghouse lists it) on the payer's Organization; the sandbox payer is SBXHP. */
  payerId: 'https://chartbill.dev/fhir/identifier/payer-id',
  taskCode: 'https://chartbill.dev/fhir/CodeSystem/work-item',
  writer: 'https://chartbill.dev/fhir/CodeSystem/writer',
} as const;

/** Extension URLs defined by the StructureDefinitions in `profiles/`. */
export const EXT = {
  /** ChargeItem: one CPT/HCPCS modifier (valueCoding), repeated up to 4 times, in order. */
  modifier: 'https://chartbill.dev/fhir/StructureDefinition/chargeitem-modifier',
  /** ChargeItem: one diagnosis pointer (valueReference → Condition), repeated up to 4 times, in order. */
  diagnosisPointer: 'https://chartbill.dev/fhir/StructureDefinition/chargeitem-diagnosis-pointer',
  /** ChargeItem: the line's position on the claim (valuePositiveInt, 1 = first line). */
  lineSequence: 'https://chartbill.dev/fhir/StructureDefinition/chargeitem-line-sequence',
  /**
   * ChargeItem of an office visit (99202–99215): the basis the clinician documented for its level
   * (2021 AMA E/M rules), a complex extension with `minutes` (valueInteger, total time on the
   * date) and `problems`, `data`, `risk` (valueCode, the MDM elements).
   */
  emBasis: 'https://chartbill.dev/fhir/StructureDefinition/chargeitem-em-basis',
  /** Condition: the diagnosis's rank on the encounter's claim (valuePositiveInt, 1 = primary). */
  diagnosisRank: 'https://chartbill.dev/fhir/StructureDefinition/condition-diagnosis-rank',
  /** Condition: why the clinician keeps a code outside its MCE age group (valueString, the reason). */
  ageConflictOverride:
    'https://chartbill.dev/fhir/StructureDefinition/condition-age-conflict-override',
  /**
   * Claim: the X12 837P claim frequency type code (CLM05-3, valueCoding in
   * SYSTEM_CLAIM_FREQUENCY): 1 original, 7 replacement of a prior claim, 8 void. FHIR R4 Claim has
   * no element for it. Defined in `profiles/StructureDefinition-claim-frequency.json`.
   */
  claimFrequency: 'https://chartbill.dev/fhir/StructureDefinition/claim-frequency',
  /**
   * ChargeItem: the amount of drug given on a line with an NDC (valueQuantity, unit in the X12
   * unit-or-basis-for-measurement system: UN, ML, GR, F2, ME; 837P 2410 CTP04/CTP05-1). Defined
   * in `profiles/StructureDefinition-chargeitem-ndc-quantity.json`.
   */
  ndcQuantity: 'https://chartbill.dev/fhir/StructureDefinition/chargeitem-ndc-quantity',
} as const;

/** Code system of the X12 claim frequency type codes (CLM05-3; NUBC type-of-bill 4th digit). */
export const SYSTEM_CLAIM_FREQUENCY = 'https://x12.org/codes/claim-frequency-type-codes';
/** HL7 related-claim relationship codes (`prior`, `associated`). */
export const SYSTEM_RELATED_CLAIM =
  'http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship';

/** The tag every resource ChartBill writes carries, naming the part that wrote it. */
export function writerTag(writer: 'smart-app' | 'worker' | 'sandbox-seed' | 'payer'): {
  system: string;
  code: string;
} {
  return { system: SYSTEM.writer, code: writer };
}
