import { z } from 'zod';
// The lists live in a file without zod, so the browser's bundle can import them (budget: 60 KB).
import { QUEUE_SORTS, WORK_ITEM_KINDS, type WorkItemKind } from './work-item-kinds.ts';
import { AGING_BUCKETS, type AgingBucket } from './ar-aging.ts';

export { QUEUE_SORTS, WORK_ITEM_KINDS, type WorkItemKind } from './work-item-kinds.ts';

/**
 * The billing workspace's HTTP API (issue 17): the JSON the server answers and the queries it
 * takes, shared by the server (smart-app/routes) and the pages (browser code imports only the
 * types). Money is in dollars with cents (numbers rounded to 2 places); dates are ISO
 * `YYYY-MM-DD`, instants ISO 8601. Every route needs a workspace session and checks the role
 * (roles.ts) on the server.
 *
 * - `GET  /api/billing/me` → `BillingMe`
 * - `GET  /api/billing/queue?…QueueQuery` → `QueuePage` (filter, sort, search, paginate on the server)
 * - `POST /api/billing/queue/assign` `AssignRequest` → `{ assigned: number }`
 * - `GET  /api/billing/claims/:claimId` → `ClaimDetail` (see claim-detail types beside the page)
 * - `POST /api/billing/claims/:claimId/<action>` → actions (correct, resubmit, void, appeal,
 *   write-off, bill-patient), each with an `Idempotency-Key` header
 * - `GET  /api/billing/analytics?…AnalyticsQuery` → `Analytics`; `…&format=csv` → CSV
 */

/** `GET /api/billing/queue` query; parse with `queueQuery.parse(request.query)`. */
export const queueQuery = z.object({
  kind: z.enum(WORK_ITEM_KINDS).optional(),
  payer: z.string().max(64).optional(),
  /** `me`, `none` (unassigned) or a user reference (`Practitioner/1`). */
  assignee: z.string().max(128).optional(),
  /** Free text over patient name, claim id, codes (CARC/RARC/STC, CPT) and reason words. */
  q: z.string().max(100).optional(),
  /** Only items whose deadline falls within this many days. */
  dueWithinDays: z.coerce.number().int().min(0).max(3650).optional(),
  sort: z.enum(QUEUE_SORTS).default('amount'),
  order: z.enum(['asc', 'desc']).default('desc'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type QueueQuery = z.infer<typeof queueQuery>;

/** A code a reason carries, with its system's name (CARC, RARC, STC, or an edit id) and words. */
export interface ReasonCode {
  system: 'CARC' | 'RARC' | 'STC' | 'edit';
  /** e.g. `CO-97`, `N56`, `A7:21`. */
  code: string;
  display: string;
}

export interface WorkItem {
  /** The FHIR Task id. */
  taskId: string;
  kind: WorkItemKind;
  /** The Claim it is about, when there is one (links to the claim detail). */
  claimId?: string;
  encounterId?: string;
  patient: { reference: string; name: string };
  payer?: { id: string; name: string };
  serviceDate?: string;
  /** Dollars at stake: the claim's unpaid billed amount, or the underpaid difference. */
  amountAtStake: number;
  /** What is wrong and what to do, in words. */
  reason: string;
  codes: ReasonCode[];
  /** When the item was raised (instant) and its age in days. */
  createdAt: string;
  ageDays: number;
  /** The deadline that matters: timely filing for unsent claims, appeal for denials. */
  deadline?: { date: string; kind: 'timely-filing' | 'appeal' | 'work-item' };
  assignee?: { reference: string; name: string };
}

export interface QueuePage {
  items: WorkItem[];
  total: number;
  page: number;
  pageSize: number;
  /** Totals over every item the filter matches (not only this page). */
  totalAtStake: number;
}

export const assignRequest = z.object({
  taskIds: z.array(z.string().min(1).max(64)).min(1).max(500),
  /** A user reference, or `me`; null unassigns. */
  assignee: z.string().max(128).nullable(),
});
export type AssignRequest = z.infer<typeof assignRequest>;

export interface BillingMe {
  user: { reference: string; name: string };
  roles: Array<'coder' | 'biller' | 'manager'>;
  /** The actions this user's roles allow (roles.ts BillingAction), so the page hides the rest. */
  actions: string[];
  writeOffLimit: number;
}

/** `GET /api/billing/analytics`; months are `YYYY-MM`, defaults the last 6 months. */
export const analyticsQuery = z.object({
  from: z
    .string()
    .regex(/^\d{4}-\d{2}$/)
    .optional(),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}$/)
    .optional(),
  payer: z.string().max(64).optional(),
  format: z.enum(['json', 'csv']).default('json'),
  /** For CSV: which table. */
  table: z.string().max(40).optional(),
});
export type AnalyticsQuery = z.infer<typeof analyticsQuery>;

/** One bar or point: a label, its value, and the queue filter that lists the claims behind it. */
export interface Datum {
  label: string;
  value: number;
  /** Dollars behind the value, where it has one (e.g. denied charges). */
  amount?: number;
  /** Query string for `/billing?…` (the queue or claim list) that shows the claims behind it. */
  drill?: string;
}

export interface Series {
  name: string;
  data: Datum[];
}

/**
 * Every figure with the definition it follows (HFMA MAP Keys where one exists; the README
 * repeats them). Rates are fractions 0–1; days are days.
 */
export interface Analytics {
  from: string;
  to: string;
  /** Clean-claim rate and first-pass acceptance rate by month. */
  cleanClaimRate: Series[];
  /** Denial rate and denied dollars by CARC group and reason, payer, CPT and rendering provider. */
  denials: {
    byReason: Datum[];
    byGroup: Datum[];
    byPayer: Datum[];
    byCpt: Datum[];
    byProvider: Datum[];
    rateByMonth: Datum[];
  };
  /** Days in A/R (HFMA: net A/R ÷ average daily net patient service revenue) and aging buckets by payer. */
  daysInAr: number;
  arAging: Array<{
    /** The payer's name; `payerId` its Organization id. */
    payer: string;
    payerId: string;
    /** Dollars outstanding in each bucket. */
    buckets: Record<AgingBucket, number>;
    /** How many claims owe those dollars. */
    claims: Record<AgingBucket, number>;
    /** Query for `/billing?…` that lists exactly those claims (`aging=` on the claim list). */
    drills: Record<AgingBucket, string>;
  }>;
  /** Net collection rate and charges / payments / adjustments by month. */
  netCollectionRate: number;
  cashByMonth: Series[];
  /** Days from visit to claim (charge lag) and from claim to payment: median and p90. */
  chargeLagDays: { median: number; p90: number };
  claimToPaymentDays: { median: number; p90: number };
  definitions: Record<string, string>;
}

/**
 * `GET /api/billing/claims?…ClaimListQuery` → `ClaimListPage` (added by the read model, issue 17
 * item 6): the claims behind an analytics bar (each Datum's `drill`), from the read model.
 * `carc` is `CO-97` (group and reason) or `97` (the reason in any group); `provider` a reference.
 */
export const claimListQuery = z.object({
  carc: z.string().max(16).optional(),
  payer: z.string().max(64).optional(),
  cpt: z.string().max(10).optional(),
  provider: z.string().max(128).optional(),
  state: z
    .enum(['draft', 'submitted', 'rejected', 'denied', 'partial', 'paid', 'void', 'replaced'])
    .optional(),
  /** `YYYY-MM`: date of service in this month. */
  month: z
    .string()
    .regex(/^\d{4}-\d{2}$/)
    .optional(),
  /** `true`: only claims whose first answer was a denial or rejection. */
  deniedFirstPass: z.enum(['true', 'false']).optional(),
  /** An A/R aging bucket: claims with a balance this many days after the date of service, today. */
  aging: z.enum(AGING_BUCKETS).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type ClaimListQuery = z.infer<typeof claimListQuery>;

/** One claim in a list: who, payer, date, money and where it stands. */
export interface ClaimSummary {
  claimId: string;
  patient: { reference: string; name: string };
  payer: { id: string; name: string };
  serviceDate: string;
  provider?: { reference: string; name: string };
  cpts: string[];
  billed: number;
  paid: number;
  denied: number;
  /** What it still owes: billed less paid and contractual adjustments (ar-aging.ts). */
  balance: number;
  state: string;
  /** The denial reasons, e.g. `CO-97`. */
  reasons: ReasonCode[];
}

export interface ClaimListPage {
  items: ClaimSummary[];
  total: number;
  page: number;
  pageSize: number;
  totalBilled: number;
  totalDenied: number;
  totalBalance: number;
}
