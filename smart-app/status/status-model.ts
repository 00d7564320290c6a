/** What the "Claim status" view shows; shared by the server (builder) and the browser (types only). */
export type ClaimStage =
  | 'held'
  | 'submitted'
  | 'queued'
  | 'paid'
  | 'partially-paid'
  | 'denied'
  /** The payer took its payment back (835 CLP02 22): the claim was replaced; see `replacedBy`. */
  | 'reversed';

export interface TimelineStep {
  label: string;
  state: 'done' | 'problem' | 'pending';
  date?: string;
  detail?: string;
}

export interface DenialReason {
  /** CARC or RARC code, e.g. `29`. */
  code: string;
  system: 'CARC' | 'RARC' | 'other';
  text: string;
  /** What billing staff do next about it (src/claims/denial-next-steps.ts), for a CARC. */
  nextStep?: string;
}

export interface ClaimView {
  claimId: string;
  encounterId?: string;
  serviceDate?: string;
  stage: ClaimStage;
  billed?: number;
  allowed?: number;
  /** What the payer's contract says it should allow (expected reimbursement), when known. */
  expected?: number;
  /** The contract it was priced by. */
  expectedBasis?: string;
  paid?: number;
  patientResponsibility?: number;
  disposition?: string;
  /** The claim that replaced this one and where it stands: the visit's current state. */
  replacedBy?: { claimId: string; identifier?: string; stage: ClaimStage };
  denialReasons: DenialReason[];
  steps: TimelineStep[];
}

export interface TaskView {
  id: string;
  title: string;
  description: string;
  status: string;
  dueDate?: string;
  encounterId?: string;
}

export interface EligibilityView {
  /** The encounter the check was made for, when ChartBill made it. */
  encounterId?: string;
  /** The appointment the check was made for when the visit was booked (issue 15). */
  appointmentId?: string;
  /** The date of service the payer was asked about. */
  servicedDate?: string;
  date?: string;
  inforce: boolean;
  detail?: string;
  /** Service-level benefits the payer returned, e.g. copay $25, deductible $500. */
  benefits: { label: string; amount: number; unit: 'USD' | 'percent' | 'count' }[];
}

export interface StatusView {
  encounterId?: string;
  claims: ClaimView[];
  tasks: TaskView[];
  eligibility: EligibilityView[];
}
