/**
 * Code and identifier systems of the X12 mapping. X12 publishes its external code lists at
 * x12.org/codes; CARC/RARC are in `src/fhir/systems.ts` (SYSTEM.carc, SYSTEM.rarc).
 */
export const X12_SYSTEM = {
  /** CAS01 claim adjustment group codes (CO, PR, OA, PI, CR). */
  groupCode: 'https://x12.org/codes/claim-adjustment-group-codes',
  /** SBR09 claim filing indicator codes (CI commercial, MB Medicare Part B, MC Medicaid, HM HMO, …). */
  claimFilingIndicator: 'https://x12.org/codes/claim-filing-indicator-codes',
  /** EB03 / EQ01 service type codes (1 medical care, 30 health benefit plan coverage, 98 …). */
  serviceType: 'https://x12.org/codes/service-type-codes',
  /** STC01-1 claim status category codes (A1, A2, A3, F1, …). */
  claimStatusCategory: 'https://x12.org/codes/claim-status-category-codes',
  /** STC01-2 claim status codes. */
  claimStatus: 'https://x12.org/codes/claim-status-codes',
  /** CLP02 claim status codes of the 835. */
  remitClaimStatus: 'https://x12.org/codes/835-claim-status-codes',
  /** PLB03-1 provider adjustment reason codes. */
  providerAdjustmentReason: 'https://x12.org/codes/provider-adjustment-reason-codes',
  /** BPR04 payment method codes (ACH, CHK, NON, FWT, BOP). */
  paymentMethod: 'https://x12.org/codes/payment-method-codes',
  /** CARIN Blue Button adjudication codes (coinsurance, memberliability, …): HL7's own lacks them. */
  carinAdjudication: 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication',
  /** ChartBill's adjudication category for a RARC entry (a remark, no amount). */
  chartbillAdjudication: 'https://chartbill.dev/fhir/CodeSystem/adjudication',
  /** The payer's claim control number (835 CLP07, 837 REF*F8). */
  payerClaimNumber: 'https://chartbill.dev/fhir/identifier/payer-claim-number',
  /** One CLP of one ERA: trace/payer claim number/CLP02/CLP01. Makes a second import change nothing. */
  eraClaim: 'https://chartbill.dev/fhir/identifier/era-claim',
  /** An ERA answer (ClaimResponse) whose CLP01 named no claim ChartBill knew: the CLP01, until matched. */
  unmatchedClaim: 'https://chartbill.dev/fhir/identifier/era-unmatched-claim',
  /** One payment (BPR/TRN): payer id/trace. */
  eraPayment: 'https://chartbill.dev/fhir/identifier/era-payment',
  /** TRN02: the check or EFT trace number. */
  eftTrace: 'https://chartbill.dev/fhir/identifier/eft-trace',
  /** One claim sent as an 837P: its CLM01 (the queued ClaimResponse the acknowledgments update). */
  x12Claim: 'https://chartbill.dev/fhir/identifier/x12-claim',
  /** The interchange control number (ISA13 = GS06) of a claim's 837P, as a 999 or TA1 names it. */
  interchange: 'https://chartbill.dev/fhir/identifier/x12-interchange',
  /** ClaimResponse.processNote extension: the date of a timeline event (accepted, rejected…). */
  eventDateExtension: 'https://chartbill.dev/fhir/StructureDefinition/claim-event-date',
  /** PaymentReconciliation extension: the payment method (BPR04) as a valueCoding. */
  paymentMethodExtension: 'https://chartbill.dev/fhir/StructureDefinition/payment-method',
} as const;

/** ICD-9-CM (837P HI qualifiers BK/BF): only for dates of service before 2015-10-01. */
export const ICD9_SYSTEM = 'http://hl7.org/fhir/sid/icd-9-cm';
/** SV103 unit or basis for measurement (UN unit, MJ minutes). */
export const UNIT_SYSTEM = 'https://x12.org/codes/unit-or-basis-for-measurement';
