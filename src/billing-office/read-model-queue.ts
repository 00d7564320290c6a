import { agingBucketOf } from './ar-aging.ts';
import type { ClaimFilter, ClaimRow, QueueFilter, QueueResult, WorkItemRow } from './read-model.ts';

const DAY_MS = 86_400_000;

/** The words `q` searches: patient, claim and task ids, codes, payer and reason. */
export function searchTextOf(row: WorkItemRow): string {
  return [
    row.patient.name,
    row.claimId,
    row.taskId,
    row.payer?.name,
    row.reason,
    ...row.codes.map((c) => c.code),
  ]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

/** Whether an open work item matches the queue's filter (the memory store; PostgreSQL says it in SQL). */
export function matchesQueue(row: WorkItemRow, filter: QueueFilter, now: Date): boolean {
  if (row.status !== 'open') return false;
  if (filter.kind && row.kind !== filter.kind) return false;
  if (filter.payer && row.payer?.id !== filter.payer) return false;
  if (filter.assignee === 'none' && row.assignee) return false;
  if (filter.assignee && filter.assignee !== 'none' && row.assignee?.reference !== filter.assignee)
    return false;
  if (filter.dueWithinDays !== undefined) {
    if (!row.deadline) return false;
    const last = new Date(now.getTime() + filter.dueWithinDays * DAY_MS).toISOString().slice(0, 10);
    if (row.deadline.date > last) return false;
  }
  if (filter.q && !searchTextOf(row).includes(filter.q.toLowerCase())) return false;
  return true;
}

type Key = (row: WorkItemRow) => number | string;
const SORT_KEYS: Record<QueueFilter['sort'], Key> = {
  amount: (r) => r.amountAtStake,
  // No deadline sorts last whichever way: far in the future.
  deadline: (r) => r.deadline?.date ?? '9999-12-31',
  // Older first when descending: age grows as createdAt shrinks.
  age: (r) => -Date.parse(r.createdAt),
  'service-date': (r) => r.serviceDate ?? '',
  patient: (r) => r.patient.name.toLowerCase(),
  payer: (r) => r.payer?.name.toLowerCase() ?? '',
};

/**
 * Sorts (ties by task id ascending whichever the order, so pages are stable; strings by code
 * point, as PostgreSQL's `COLLATE "C"`), then cuts the page; totals over all that match.
 */
export function pageOf(rows: WorkItemRow[], filter: QueueFilter): QueueResult {
  const key = SORT_KEYS[filter.sort];
  const sign = filter.order === 'asc' ? 1 : -1;
  const sorted = rows
    .map((row) => ({ row, k: key(row) }))
    .sort((a, b) =>
      a.k < b.k
        ? -sign
        : a.k > b.k
          ? sign
          : a.row.taskId < b.row.taskId
            ? -1
            : a.row.taskId > b.row.taskId
              ? 1
              : 0,
    );
  const start = (filter.page - 1) * filter.pageSize;
  const totalAtStake = rows.reduce((sum, r) => sum + r.amountAtStake, 0);
  return {
    items: sorted.slice(start, start + filter.pageSize).map((s) => s.row),
    total: rows.length,
    totalAtStake: Math.round(totalAtStake * 100) / 100,
  };
}

/** Whether a claim matches a claim-list filter (an analytics bar's `drill`). */
export function matchesClaim(row: ClaimRow, filter: ClaimFilter): boolean {
  if (filter.payer && row.payer.id !== filter.payer) return false;
  if (filter.cpt && !row.cpts.includes(filter.cpt)) return false;
  if (filter.provider && row.provider?.reference !== filter.provider) return false;
  if (filter.state && row.state !== filter.state) return false;
  if (filter.month && !row.serviceDate.startsWith(filter.month)) return false;
  // `CO-97` names group and reason; `97` the reason in any group.
  const carc = filter.carc;
  // `CO-` names a whole group.
  const hit = (d: ClaimRow['denials'][number]) =>
    carc?.endsWith('-')
      ? `${d.group}-` === carc
      : `${d.group}-${d.carc}` === carc || d.carc === carc;
  if (carc && !row.denials.some(hit)) return false;
  if (filter.deniedFirstPass && row.firstPass !== false) return false;
  if (filter.aging && agingBucketOf(row, filter.aging.now) !== filter.aging.bucket) return false;
  return true;
}
