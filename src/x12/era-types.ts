import type { X12Position } from './x12-error.ts';

/** CAS01 claim adjustment group codes (X12 835 CAS): who bears the adjustment. */
export type GroupCode = 'CO' | 'PR' | 'OA' | 'PI' | 'CR';

/** One CAS reason with its amount (a CAS segment holds up to 6). */
export interface EraAdjustment {
  group: GroupCode;
  /** CARC, e.g. `45`. */
  reason: string;
  amount: number;
  quantity?: number;
}

/** Loop 2110: one service line's payment. */
export interface EraServiceLine {
  /** SVC01-1 qualifier (HC = CPT/HCPCS, NU = revenue code, N4 = NDC …). */
  qualifier: string;
  code: string;
  modifiers: string[];
  charge: number;
  paid: number;
  units?: number;
  /** SVC06: the procedure as submitted, when the payer changed it. */
  submittedCode?: string;
  /** DTM*472 (or 150/151) service dates, YYYY-MM-DD. */
  serviceDate?: string;
  /** REF*6R: the line item control number ChartBill sent (REF*6R in 837P loop 2400). */
  lineControlNumber?: string;
  /** AMT*B6: the allowed amount. */
  allowed?: number;
  adjustments: EraAdjustment[];
  /** LQ*HE: remittance advice remark codes. */
  remarks: string[];
}

/** One CLP (loop 2100): the payer's answer to one claim. */
export interface EraClaim {
  /** CLP01: the patient control number = CLM01 of the 837P = ChartBill's claim identifier. */
  patientControlNumber: string;
  /** CLP02: 1/2/3 processed as primary/secondary/tertiary, 4 denied, 22 reversal, … */
  status: string;
  charge: number;
  paid: number;
  /** CLP05, as the payer states it. */
  patientResponsibility?: number;
  /** CLP06 claim filing indicator (12 PPO, MB Medicare B, MC Medicaid, …). */
  filingIndicator: string;
  /** CLP07: the payer's claim control number (REF*F8 on a replacement or void). */
  payerClaimControlNumber: string;
  /** CLP08 facility code and CLP09 frequency code. */
  facilityCode?: string;
  frequency?: string;
  patient: { lastName?: string; firstName?: string; memberId?: string };
  /** NM1*74: the payer's corrected patient/insured name. */
  correctedPatient?: { lastName?: string; firstName?: string; memberId?: string };
  renderingNpi?: string;
  /** DTM*232/233 statement period, DTM*050 received date. */
  statementFrom?: string;
  statementTo?: string;
  received?: string;
  adjustments: EraAdjustment[];
  /** MOA/MIA remark codes (RARCs at claim level). */
  remarks: string[];
  lines: EraServiceLine[];
  /** CLP03 − all adjustments = CLP04 (835 TR3 §1.10.2.1 balancing). */
  balanced: boolean;
  /** What was read but is not as the TR3 wants it (an empty SVC02, …), in words with its position. */
  warnings: string[];
  at: X12Position;
}

/** BPR/TRN and the payer/payee (header and loops 1000A/1000B). */
export interface EraPayment {
  /** ST02 of the 835 transaction set. */
  transactionControl: string;
  /** BPR01: C payment accompanies remittance, D make payment only, H notification only, I remittance information only, P prenotification, U split, X separate. */
  handling: string;
  /** BPR02: the total actual provider payment. */
  amount: number;
  /** BPR03: C credit, D debit. */
  creditDebit: string;
  /** BPR04: ACH, CHK, NON, FWT, BOP. */
  method: string;
  /** BPR16: the check issue or EFT effective date (YYYY-MM-DD). */
  date?: string;
  /** TRN02: check or EFT trace number; TRN03 the payer's identifier. */
  trace: string;
  originator?: string;
  payerName?: string;
  /** N1*PR REF*2U or TRN03: the payer id. */
  payerId?: string;
  payeeName?: string;
  payeeNpi?: string;
  payeeTaxId?: string;
  /** What was read but is not as the TR3 wants it (a BPR16 that is no date, …). */
  warnings: string[];
  at: X12Position;
}

/** PLB: provider-level adjustments, not tied to a claim (interest, forward balance, recoupment). */
export interface ProviderAdjustment {
  provider: string;
  fiscalPeriodDate?: string;
  /** PLB03-1 reason (L6 interest, WO overpayment recovery, FB forward balance, …), PLB03-2 reference. */
  reason: string;
  reference?: string;
  /** Positive decreases the payment (835 TR3: PLB amounts are subtracted from the total). */
  amount: number;
  at: X12Position;
}

/** What an 835 yields while it is read: the payment, then each claim, then the totals. */
export type EraEvent =
  | { kind: 'payment'; payment: EraPayment }
  | { kind: 'claim'; payment: EraPayment; claim: EraClaim }
  | {
      kind: 'end';
      payment: EraPayment;
      providerAdjustments: ProviderAdjustment[];
      claimCount: number;
      /** Sum of CLP04. */
      claimsPaid: number;
    };
