import { z } from 'zod';

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

/** What kind of work an item is (the worker's Task.code, src `worker/pipeline/build-task.ts`, plus the workspace's own). */
export const WORK_ITEM_KINDS = [
  'not-coded',
  'no-coverage',
  'coverage-inactive',
  'claim-scrub-errors',
  'claim-unpriced',
  'claim-underpaid',
  'claim-data-missing',
  'data-invalid',
  'claim-denied',
  'claim-rejected',
  'claim-no-answer',
  'era-unmatched',
  'worker-gave-up',
  'coding-correction',
  'appeal',
] as const;
export type WorkItemKind = (typeof WORK_ITEM_KINDS)[number];

export const QUEUE_SORTS = [
  'amount',
  'deadline',
  'age',
  'service-date',
  'patient',
  'payer',
] as const;

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
    payer: string;
    buckets: Record<'0-30' | '31-60' | '61-90' | '91-120' | '120+', number>;
  }>;
  /** Net collection rate and charges / payments / adjustments by month. */
  netCollectionRate: number;
  cashByMonth: Series[];
  /** Days from visit to claim (charge lag) and from claim to payment: median and p90. */
  chargeLagDays: { median: number; p90: number };
  claimToPaymentDays: { median: number; p90: number };
  definitions: Record<string, string>;
}
