import type { EncounterCoding, Finding } from '../coding/coding-model.ts';

/**
 * `GET /api/billing/claims/:claimId` (issue 17, item 3): one claim as the billing office works
 * it. Shared by the server (smart-app/billing/) and the claim page (types only). Money in
 * dollars rounded to cents; dates ISO.
 */

/** One adjustment on a line, in words: group (who bears it) and CARC/RARC. */
export interface LineAdjustment {
  /** X12 group: CO (contractual), PR (patient), OA (other), PI (payer-initiated). */
  group?: string;
  groupText?: string;
  /** `CARC` 1..n or a `RARC` remark. */
  system: 'CARC' | 'RARC';
  code: string;
  text: string;
  /** The adjusted amount when the payer gave one (billed − allowed for CO-45, the share for PR). */
  amount?: number;
}

export interface ClaimDetailLine {
  sequence: number;
  code: string;
  system: 'cpt' | 'hcpcs';
  modifiers: string[];
  units: number;
  /** ICD-10-CM codes the line points to, in order. */
  diagnoses: string[];
  billed: number;
  allowed: number;
  paid: number;
  patient: number;
  denied: boolean;
  adjustments: LineAdjustment[];
}

export type TimelineKind =
  | 'claim-version'
  | 'eligibility'
  | 'submission'
  | 'acknowledgment'
  | 'claim-response'
  | 'payment'
  | 'task'
  | 'provenance';

/** One event of the claim's life, oldest first. */
export interface TimelineEvent {
  at: string;
  kind: TimelineKind;
  title: string;
  detail?: string;
  /** The FHIR resource (with version for a claim version), e.g. `Claim/1/_history/2`. */
  reference?: string;
}

/**
 * A part of the claim's history that could not be read (its store refused or failed the search):
 * the page names it, so a short timeline is never mistaken for a short history.
 */
export interface HistoryGap {
  /** What is missing, in words: "the payments", "who wrote what (Provenance)". */
  part: string;
  /** Why, as the FHIR server answered. */
  message: string;
}

export interface ClaimDenial {
  itemSequence?: number;
  group?: string;
  carc: string;
  rarc?: string;
  text: string;
  /** What to do next (src/claims/denial-next-steps.ts). */
  nextStep: string;
}

/** A workspace action already taken on the claim (appeal, void, write-off, statement). */
export interface ClaimActionRecord {
  taskId: string;
  kind: string;
  status: string;
  at: string;
  amount?: number;
  reason?: string;
  deadline?: string;
  by?: string;
}

/**
 * The payer's answer as billing staff work it: `waiting` (queued), `rejected` (FHIR `error`: not
 * processed), `denied` (a denial reason and nothing paid), `partly denied` (a denial reason and
 * money paid), `paid` (adjudicated without a denial reason).
 */
export type ClaimAnswer = 'waiting' | 'rejected' | 'denied' | 'partly denied' | 'paid' | 'reversed';

export interface ClaimDetail {
  claimId: string;
  versionId?: string;
  encounterId?: string;
  patient: { reference: string; name: string };
  payer?: string;
  serviceDate?: string;
  /** Claim.status (`active`, `draft`, `cancelled`). */
  status: string;
  /** X12 CLM05-3: 1 original, 7 replacement, 8 void. */
  frequency: string;
  /** The payer's claim control number (X12 REF*F8 on a replacement or void). */
  payerClaimNumber?: string;
  /** `Claim/…` this one replaces, and the newest that replaced it. */
  replaces?: string;
  replacedBy?: string;
  /**
   * The claim that replaced this one, with its answer: the current state of the visit's billing
   * once the payer reversed this claim (`answer` = `reversed`), as billing staff need it.
   */
  replacement?: { claim: string; identifier?: string; answer?: ClaimAnswer };
  /**
   * The payer's FHIR outcome (`complete`, `partial`, `error`, `queued`), absent before an answer.
   * An adjudicated denial is `complete` (as an 835 says it); read `answer` for denied or paid.
   */
  outcome?: string;
  /** What the payer's answer means to billing staff, from its adjudication; absent before one. */
  answer?: ClaimAnswer;
  disposition?: string;
  totals: {
    billed: number;
    allowed: number;
    paid: number;
    patient: number;
    /** Written off by billing staff (workspace write-offs, not the payer's CO-45). */
    writtenOff: number;
    /** Moved to a patient statement. */
    billedToPatient: number;
    /** What is still open: billed − paid − contractual − written off − billed to the patient. */
    balance: number;
  };
  lines: ClaimDetailLine[];
  denials: ClaimDenial[];
  /** The appeal deadline of a denial (from its Task), YYYY-MM-DD. */
  appealDeadline?: string;
  timeline: TimelineEvent[];
  /** What the timeline lacks because it could not be read; empty when it is whole. */
  historyGaps: HistoryGap[];
  /** The coding as the clinician left it (the chart's), and the edits that fire on it now. */
  coding: EncounterCoding;
  findings: Finding[];
  actions: ClaimActionRecord[];
}
