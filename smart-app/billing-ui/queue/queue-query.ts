import {
  QUEUE_SORTS,
  WORK_ITEM_KINDS,
  type WorkItemKind,
} from '../../../src/billing-office/work-item-kinds.ts';

/** The queue's own filters, edited by the form; anything else in the address is a drill-down. */
export const FILTER_KEYS = ['kind', 'payer', 'assignee', 'q', 'dueWithinDays'] as const;
const PAGING_KEYS = ['sort', 'order', 'page', 'pageSize'];

export type QueueSort = (typeof QUEUE_SORTS)[number];

export interface QueueView {
  kind?: WorkItemKind;
  payer?: string;
  assignee?: string;
  q?: string;
  dueWithinDays?: string;
  sort: QueueSort;
  order: 'asc' | 'desc';
  page: number;
  /** Parameters the form does not edit (from a chart's drill-down), shown as chips. */
  extra: Array<[string, string]>;
}

/** What the address (`/billing?…`) asks the queue to show; defaults as the server has them. */
export function readQueueView(search: string): QueueView {
  const params = new URLSearchParams(search);
  const get = (k: string) => params.get(k) || undefined;
  const kind = get('kind');
  const sort = get('sort');
  const page = Number(get('page') ?? 1);
  const known = new Set<string>([...FILTER_KEYS, ...PAGING_KEYS]);
  return {
    ...(kind && (WORK_ITEM_KINDS as readonly string[]).includes(kind)
      ? { kind: kind as WorkItemKind }
      : {}),
    ...optional('payer', get('payer')),
    ...optional('assignee', get('assignee')),
    ...optional('q', get('q')),
    ...optional('dueWithinDays', get('dueWithinDays')),
    sort:
      sort && (QUEUE_SORTS as readonly string[]).includes(sort) ? (sort as QueueSort) : 'amount',
    order: get('order') === 'asc' ? 'asc' : 'desc',
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    extra: [...params.entries()].filter(([k, v]) => !known.has(k) && v !== ''),
  };
}

function optional<K extends string>(key: K, value: string | undefined) {
  return (value ? { [key]: value } : {}) as Partial<Record<K, string>>;
}

/**
 * The address after changing some parameters: empty values are dropped, and any change but the
 * page itself goes back to page 1 (page 7 of another filter means nothing).
 */
export function changeQuery(search: string, changes: Record<string, string | undefined>): string {
  const params = new URLSearchParams(search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') params.delete(k);
    else params.set(k, v);
  }
  if (!('page' in changes)) params.delete('page');
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Sorting by a column: a second press flips the order; money and age start largest first. */
export function sortChange(view: QueueView, sort: QueueSort): Record<string, string> {
  if (view.sort === sort) return { sort, order: view.order === 'desc' ? 'asc' : 'desc' };
  const ascending = sort === 'patient' || sort === 'payer' || sort === 'deadline';
  return { sort, order: ascending ? 'asc' : 'desc' };
}

/** The queue API call for an address: every parameter goes to the server, which filters and pages. */
export function queueApiPath(search: string, pageSize: number): string {
  const params = new URLSearchParams(search);
  if (!params.has('pageSize')) params.set('pageSize', String(pageSize));
  return `/api/billing/queue?${params.toString()}`;
}

/** Page numbers: "Page 2 of 7". */
export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}
