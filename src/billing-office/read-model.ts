import type { AgingBucket } from './ar-aging.ts';
import type { QueueQuery, ReasonCode, WorkItemKind } from './billing-api.ts';

/**
 * The billing office's read model (issue 17, item 7): one row per claim, per work item and per
 * payment, kept by the worker as FHIR changes (read-model-sync.ts) so the queue and the analytics
 * never read every Claim on a page view. Rows hold what the pages show; FHIR stays the record.
 * Money in dollars (2 places); dates `YYYY-MM-DD`; instants ISO 8601.
 */

/** Where a claim stands, from its Claim and latest ClaimResponse. */
export type ClaimState =
  'draft' | 'submitted' | 'rejected' | 'denied' | 'partial' | 'paid' | 'void' | 'replaced';

/** One denial reason on a claim: CARC with its group and remark code, and the dollars it cost. */
export interface ClaimDenial {
  /** X12 group (CO, PR, OA, PI); CO when the payer sent none. */
  group: string;
  carc: string;
  rarc?: string;
  /** Billed dollars of the lines it denied (the whole claim's for a claim-level reason). */
  amount: number;
}

export interface ClaimRow {
  claimId: string;
  /** The encounter the claim bills, when it names one. */
  encounterId?: string;
  patient: { reference: string; name: string };
  payer: { id: string; name: string };
  /** Date of service (billablePeriod.start). */
  serviceDate: string;
  /** The claim's date (Claim.created): charge lag is this minus the date of service. */
  createdAt: string;
  provider?: { reference: string; name: string };
  cpts: string[];
  billed: number;
  allowed: number;
  paid: number;
  patientResponsibility: number;
  /** Contractual and other adjustments the provider wrote off (billed − allowed for adjudicated lines). */
  adjusted: number;
  denied: number;
  denials: ClaimDenial[];
  state: ClaimState;
  /** When the claim went to the payer (its first answer's request, else the claim date). */
  submittedAt?: string;
  /** When the first payer answer came (ClaimResponse.created). */
  answeredAt?: string;
  /** The first answer accepted and paid it without a denial or rejection (first-pass). */
  firstPass?: boolean;
  /** Submitted without being held for a person (no scrub, data or pricing work item): HFMA clean. */
  clean: boolean;
  paidAt?: string;
  /** X12 claim frequency (1 original, 7 replacement, 8 void) and the replacement number. */
  frequency: string;
  version: number;
  /** The claim this one replaces (frequency 7/8). */
  replaces?: string;
  /** When its facts last changed in FHIR (their latest meta.lastUpdated). */
  updatedAt: string;
}

export type WorkItemStatus = 'open' | 'closed';

export interface WorkItemRow {
  taskId: string;
  kind: WorkItemKind;
  status: WorkItemStatus;
  claimId?: string;
  encounterId?: string;
  patient: { reference: string; name: string };
  payer?: { id: string; name: string };
  serviceDate?: string;
  amountAtStake: number;
  reason: string;
  codes: ReasonCode[];
  createdAt: string;
  deadline?: { date: string; kind: 'timely-filing' | 'appeal' | 'work-item' };
  assignee?: { reference: string; name: string };
  /** Task.meta.versionId when read: an assignment writes with If-Match on it. */
  versionId?: string;
}

export interface PaymentRow {
  /** `PaymentReconciliation/<id>#<detail>` or `ClaimResponse/<id>`: one row per payment of a claim. */
  paymentId: string;
  claimId: string;
  payerId: string;
  date: string;
  amount: number;
}

/** The queue's filter and page (billing-api.ts QueueQuery), with `me` already resolved to a reference. */
export type QueueFilter = Omit<QueueQuery, 'assignee'> & { assignee?: string };

/** A claim list filter: what a chart's bar drills into (analytics `drill`). */
export interface ClaimFilter {
  carc?: string;
  payer?: string;
  cpt?: string;
  provider?: string;
  state?: ClaimState;
  /** `YYYY-MM`: claims with a date of service in this month. */
  month?: string;
  /** Only claims first answered with a denial or rejection. */
  deniedFirstPass?: boolean;
  /** Only claims with a balance in this A/R aging bucket on `now` (ar-aging.ts). */
  aging?: { bucket: AgingBucket; now: Date };
}

export interface QueueResult {
  items: WorkItemRow[];
  total: number;
  totalAtStake: number;
}

/** Where the rows live: memory (with a JSON file beside a file ledger) or PostgreSQL. */
export interface ReadModelStore {
  upsertClaims(rows: readonly ClaimRow[]): Promise<void>;
  upsertWorkItems(rows: readonly WorkItemRow[]): Promise<void>;
  upsertPayments(rows: readonly PaymentRow[]): Promise<void>;
  /** Open work items matching the filter, sorted and paged. */
  queue(filter: QueueFilter, now: Date): Promise<QueueResult>;
  workItems(taskIds: readonly string[]): Promise<WorkItemRow[]>;
  /** Claims matching the filter (every claim with none). */
  claims(filter?: ClaimFilter): Promise<ClaimRow[]>;
  claim(claimId: string): Promise<ClaimRow | undefined>;
  payments(): Promise<PaymentRow[]>;
  /** The `_lastUpdated` instant the last sync reached, per resource type. */
  getMark(name: string): Promise<string | undefined>;
  setMark(name: string, value: string): Promise<void>;
  close(): Promise<void>;
}
