import type { Claim, ClaimResponse, PaymentReconciliation, Task } from 'fhir/r4';
import { claimResponseSummary } from '../claims/claim-response-summary.ts';
import { isReversal } from '../x12/era-to-fhir.ts';
import { carcText, RARC_TEXT } from '../claims/carc-codes.ts';
import { roundCents } from '../claims/fee-schedule.ts';
import {
  addDays,
  DEFAULT_TIMELY_FILING,
  timelyFilingDays,
  type TimelyFilingConfig,
} from '../edits/timely-filing.ts';
import { EXT, SYSTEM, SYSTEM_RELATED_CLAIM } from '../fhir/systems.ts';
import { WORK_ITEM_KINDS, type ReasonCode, type WorkItemKind } from './billing-api.ts';
import type { ClaimDenial, ClaimRow, ClaimState, PaymentRow, WorkItemRow } from './read-model.ts';

/**
 * FHIR facts to read-model rows (read-model.ts). Pure: the sync (read-model-sync.ts) reads the
 * resources and names; these functions only compute.
 */

export interface Named {
  reference: string;
  name: string;
}

/** What one claim's row is made of, as read from FHIR. */
export interface ClaimFacts {
  claim: Claim & { id: string };
  /** Its ClaimResponses (request → the claim), any order. */
  responses: readonly ClaimResponse[];
  /** Payments naming the claim (PaymentReconciliation.detail.request). */
  payments: readonly PaymentReconciliation[];
  /** The work items of its encounter: one held for scrub, data or pricing makes it not clean. */
  tasks: readonly Task[];
  patient: Named;
  payer: { id: string; name: string };
  provider?: Named;
  now: Date;
}

/** Work items that mean the claim needed a person before it could go out (HFMA clean claim). */
const HELD_KINDS = new Set([
  'claim-scrub-errors',
  'claim-data-missing',
  'claim-unpriced',
  'data-invalid',
  'no-coverage',
  'coverage-inactive',
]);

const byCreated = (a: ClaimResponse, b: ClaimResponse) => a.created.localeCompare(b.created);

function frequencyOf(claim: Claim): string {
  const ext = claim.extension?.find((e) => e.url === EXT.claimFrequency);
  return ext?.valueCoding?.code ?? '1';
}

function versionOf(claim: Claim): number {
  const value = claim.identifier?.find((i) => i.system === SYSTEM.claimId)?.value ?? '';
  return Number(/-r(\d+)$/.exec(value)?.[1] ?? 0);
}

/** The denials of an answer with the billed dollars each cost: a line's, or the claim's. */
function denialsOf(response: ClaimResponse, billed: number): ClaimDenial[] {
  const summary = claimResponseSummary(response);
  const lineBilled = new Map<number, number>();
  for (const item of response.item ?? []) {
    const submitted = item.adjudication.find((a) =>
      a.category.coding?.some((c) => c.code === 'submitted'),
    );
    lineBilled.set(item.itemSequence, submitted?.amount?.value ?? 0);
  }
  const seen = new Set<string>();
  const out: ClaimDenial[] = [];
  for (const d of summary.denials) {
    const group = d.group ?? 'CO';
    const key = `${group}-${d.carc}-${String(d.itemSequence ?? 0)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const amount = d.itemSequence === undefined ? billed : (lineBilled.get(d.itemSequence) ?? 0);
    out.push({ group, carc: d.carc, ...(d.rarc ? { rarc: d.rarc } : {}), amount });
  }
  // One reason once per claim (its lines summed), so a bar's dollars add up to the claims'.
  const merged = new Map<string, ClaimDenial>();
  for (const d of out) {
    const key = `${d.group}-${d.carc}`;
    const prior = merged.get(key);
    if (prior) prior.amount = roundCents(Math.min(billed, prior.amount + d.amount));
    else merged.set(key, { ...d });
  }
  return [...merged.values()];
}

/**
 * The claim's state: denied, partly denied or paid from the adjudication (its denial reasons and
 * the money paid), never from `outcome`, which is `complete` for every adjudicated claim, denials
 * included (835 CLP02 1-4); only FHIR's `queued` and `error` (not processed) are read from it.
 */
function stateOf(
  claim: Claim,
  last: ClaimResponse | undefined,
  denied: number,
  paid: number,
): ClaimState {
  if (claim.status === 'cancelled' || claim.status === 'entered-in-error')
    return frequencyOf(claim) === '8' ? 'void' : 'replaced';
  if (!last) return claim.status === 'draft' ? 'draft' : 'submitted';
  if (last.outcome === 'queued') return 'submitted';
  if (last.outcome === 'error') return paid > 0 ? 'partial' : 'rejected';
  if (denied > 0) return paid > 0 ? 'partial' : 'denied';
  return 'paid';
}

function paymentDateOf(facts: ClaimFacts, last: ClaimResponse | undefined): string | undefined {
  const dates = facts.payments
    .flatMap((p) =>
      (p.detail ?? [])
        .filter((d) => d.request?.reference === `Claim/${facts.claim.id}`)
        .map((d) => d.date ?? p.paymentDate),
    )
    .filter((d): d is string => Boolean(d))
    .sort();
  return dates[0] ?? last?.payment?.date;
}

/** One claim's row from its Claim, answers, payments and work items. */
export function claimRowFrom(facts: ClaimFacts): ClaimRow {
  const { claim } = facts;
  const responses = [...facts.responses].filter((r) => r.outcome !== 'queued').sort(byCreated);
  const first = responses[0];
  // A payer's reversal (835 CLP02 22) takes back the payment of a replaced claim: its negated
  // adjustments are no denial. The claim reads as replaced, with the answer it had before and
  // what it nets to; its replacement carries the visit on.
  const reversed = responses.at(-1);
  const wasReversed = reversed !== undefined && isReversal(reversed);
  const last = wasReversed ? responses.filter((r) => !isReversal(r)).at(-1) : reversed;
  const billed = roundCents(claim.total?.value ?? 0);
  const summary = last ? claimResponseSummary(last) : undefined;
  const denials = last && last.outcome !== 'queued' ? denialsOf(last, billed) : [];
  const denied = roundCents(
    Math.min(
      billed,
      denials.reduce((s, d) => s + d.amount, 0),
    ),
  );
  const paid = wasReversed
    ? roundCents(responses.reduce((s, r) => s + (r.payment?.amount.value ?? 0), 0))
    : (summary?.paid ?? 0);
  const allowed = wasReversed ? 0 : (summary?.allowed ?? 0);
  const state = wasReversed ? 'replaced' : stateOf(claim, last, denied, paid);
  const firstDenied = first
    ? first.outcome === 'error' || denialsOf(first, billed).length > 0
    : undefined;
  const paidAt = paid > 0 ? paymentDateOf(facts, last) : undefined;
  const replaces = claim.related
    ?.find((r) =>
      r.relationship?.coding?.some((c) => c.system === SYSTEM_RELATED_CLAIM && c.code === 'prior'),
    )
    ?.claim?.reference?.replace(/^Claim\//, '');
  const encounterId = claim.item
    ?.flatMap((i) => i.encounter ?? [])
    .find((e) => e.reference?.startsWith('Encounter/'))
    ?.reference?.slice('Encounter/'.length);
  return {
    claimId: claim.id,
    ...(encounterId ? { encounterId } : {}),
    patient: facts.patient,
    payer: facts.payer,
    serviceDate: claim.billablePeriod?.start?.slice(0, 10) ?? claim.created.slice(0, 10),
    createdAt: claim.created,
    ...(facts.provider ? { provider: facts.provider } : {}),
    cpts: [
      ...new Set(
        (claim.item ?? [])
          .flatMap((i) => i.productOrService.coding?.map((c) => c.code ?? '') ?? [])
          .filter(Boolean),
      ),
    ],
    billed,
    allowed,
    paid,
    patientResponsibility: wasReversed ? 0 : (summary?.patientResponsibility ?? 0),
    adjusted:
      last && !wasReversed && last.outcome !== 'error'
        ? roundCents(Math.max(0, billed - denied - allowed))
        : 0,
    denied,
    denials,
    state,
    ...(first || claim.status !== 'draft' ? { submittedAt: claim.created } : {}),
    ...(first?.created ? { answeredAt: first.created } : {}),
    ...(firstDenied === undefined ? {} : { firstPass: !firstDenied }),
    clean: !facts.tasks.some((t) => HELD_KINDS.has(kindOf(t) ?? '')),
    ...(paidAt ? { paidAt } : {}),
    frequency: frequencyOf(claim),
    version: versionOf(claim),
    ...(replaces ? { replaces } : {}),
    updatedAt: lastUpdatedOf(facts),
  };
}

/**
 * When the claim's facts last changed (the latest `meta.lastUpdated` of the claim, its answers,
 * payments and work items), so reading the same facts again gives the same row; `now` when the
 * server keeps no such instant.
 */
function lastUpdatedOf(facts: ClaimFacts): string {
  const instants = [facts.claim, ...facts.responses, ...facts.payments, ...facts.tasks]
    .map((r) => r.meta?.lastUpdated)
    .filter((at): at is string => Boolean(at));
  if (instants.length === 0) return facts.now.toISOString();
  return instants.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

/** The payments of a claim as rows: each PaymentReconciliation detail, else the answer's payment. */
export function paymentRowsFrom(facts: ClaimFacts, row: ClaimRow): PaymentRow[] {
  const ref = `Claim/${facts.claim.id}`;
  const rows: PaymentRow[] = [];
  for (const p of facts.payments)
    (p.detail ?? []).forEach((d, i) => {
      if (d.request?.reference !== ref || !d.amount?.value) return;
      rows.push({
        paymentId: `PaymentReconciliation/${p.id ?? '?'}#${String(i)}`,
        claimId: facts.claim.id,
        payerId: row.payer.id,
        date: (d.date ?? p.paymentDate).slice(0, 10),
        amount: roundCents(d.amount.value),
      });
    });
  if (rows.length > 0 || row.paid <= 0 || !row.paidAt) return rows;
  return [
    {
      paymentId: `Claim/${facts.claim.id}#answer`,
      claimId: facts.claim.id,
      payerId: row.payer.id,
      date: row.paidAt.slice(0, 10),
      amount: row.paid,
    },
  ];
}

export function kindOf(task: Task): WorkItemKind | undefined {
  const code = task.code?.coding?.find((c) => c.system === SYSTEM.taskCode)?.code;
  return WORK_ITEM_KINDS.find((k) => k === code);
}

/** Task statuses of work still to do (FHIR R4 Task.status before completed/cancelled/failed). */
export const OPEN_TASK: ReadonlySet<string> = new Set([
  'draft',
  'requested',
  'received',
  'accepted',
  'ready',
  'in-progress',
  'on-hold',
]);
const BEFORE_SUBMISSION = new Set([
  'not-coded',
  'no-coverage',
  'coverage-inactive',
  'claim-scrub-errors',
  'claim-unpriced',
  'claim-data-missing',
  'data-invalid',
  'worker-gave-up',
  'coding-correction',
]);

function deadlineOf(
  kind: WorkItemKind,
  task: Task,
  serviceDate: string | undefined,
  filingDays: number,
): WorkItemRow['deadline'] {
  const end = task.restriction?.period?.end?.slice(0, 10);
  if (kind === 'claim-denied' || kind === 'appeal')
    return end ? { date: end, kind: 'appeal' } : undefined;
  // A claim the payer never answered may be one it never received: still due by the filing limit.
  if ((BEFORE_SUBMISSION.has(kind) || kind === 'claim-no-answer') && serviceDate) {
    const filing = addDays(serviceDate.slice(0, 10), filingDays);
    return {
      date: end && end < filing ? end : filing,
      kind: end && end < filing ? 'work-item' : 'timely-filing',
    };
  }
  return end ? { date: end, kind: 'work-item' } : undefined;
}

/** The codes a work item carries: the claim's CARC/RARC for a denial. */
function codesOf(kind: WorkItemKind, claim: ClaimRow | undefined): ReasonCode[] {
  if (!claim || !['claim-denied', 'appeal', 'claim-rejected', 'claim-underpaid'].includes(kind))
    return [];
  return claim.denials.flatMap((d): ReasonCode[] => [
    { system: 'CARC', code: `${d.group}-${d.carc}`, display: carcText(d.carc) },
    ...(d.rarc
      ? [
          {
            system: 'RARC' as const,
            code: d.rarc,
            display: RARC_TEXT[d.rarc] ?? `Remark code ${d.rarc}.`,
          },
        ]
      : []),
  ]);
}

/**
 * A Task as a work-item row, with its claim's money, payer and date of service when it has one.
 * Its timely filing deadline is the payer's window from CHARTBILL_TIMELY_FILING (`timelyFiling`,
 * the scrubber's rule, src/edits/timely-filing.ts), for the payer id `payerId` names.
 */
export function workItemRowFrom(
  task: Task & { id: string },
  claim: ClaimRow | undefined,
  names: { patient: Named; assignee?: Named },
  filing: { timelyFiling?: TimelyFilingConfig; payerId?: string } = {},
): WorkItemRow | undefined {
  const kind = kindOf(task);
  if (!kind) return undefined;
  const encounterId = task.encounter?.reference?.replace(/^Encounter\//, '') ?? claim?.encounterId;
  const atStake = claim
    ? kind === 'claim-denied' || kind === 'appeal'
      ? Math.max(
          claim.denied,
          claim.billed - claim.paid - claim.adjusted - claim.patientResponsibility,
        )
      : Math.max(0, claim.billed - claim.paid - claim.adjusted - claim.patientResponsibility)
    : 0;
  return {
    taskId: task.id,
    kind,
    status: OPEN_TASK.has(task.status) ? 'open' : 'closed',
    ...(claim
      ? { claimId: claim.claimId, payer: claim.payer, serviceDate: claim.serviceDate }
      : {}),
    ...(encounterId ? { encounterId } : {}),
    patient: names.patient,
    amountAtStake: roundCents(atStake),
    reason: task.description ?? task.code?.text ?? kind,
    codes: codesOf(kind, claim),
    createdAt: task.authoredOn ?? task.meta?.lastUpdated ?? new Date(0).toISOString(),
    ...(() => {
      const config = filing.timelyFiling ?? DEFAULT_TIMELY_FILING;
      const d = deadlineOf(
        kind,
        task,
        claim?.serviceDate,
        timelyFilingDays(config, filing.payerId),
      );
      return d ? { deadline: d } : {};
    })(),
    ...(names.assignee ? { assignee: names.assignee } : {}),
    ...(task.meta?.versionId ? { versionId: task.meta.versionId } : {}),
  };
}
