import type { WorkItem } from '../../../src/billing-office/billing-api.ts';
import { dateWords, daysUntil, money } from '../format.ts';
import { Link } from '../link.tsx';
import { KIND_WORDS } from './kind-words.ts';
import { sortChange, type QueueSort, type QueueView } from './queue-query.ts';

const COLUMNS: Array<{ label: string; sort?: QueueSort; num?: boolean }> = [
  { label: 'Patient', sort: 'patient' },
  { label: 'Payer', sort: 'payer' },
  { label: 'Date of service', sort: 'service-date' },
  { label: 'At stake', sort: 'amount', num: true },
  { label: 'Reason' },
  { label: 'Age', sort: 'age', num: true },
  { label: 'Deadline', sort: 'deadline' },
  { label: 'Assignee' },
];

const DEADLINE_WORDS = { 'timely-filing': 'timely filing', appeal: 'appeal', 'work-item': 'due' };

/**
 * The queue's rows. Headers sort (aria-sort says how); each row's patient links to the claim;
 * checkboxes pick rows for a bulk assignment. Below 720 px the rows become cards (billing.css).
 */
export function QueueTable(props: {
  items: WorkItem[];
  view: QueueView;
  selected: ReadonlySet<string>;
  canAssign: boolean;
  today: Date;
  onSelect: (taskIds: string[], on: boolean) => void;
  onSort: (changes: Record<string, string>) => void;
  onAssignMe: (taskId: string) => void;
}) {
  const { items, view, selected } = props;
  const all = items.length > 0 && items.every((i) => selected.has(i.taskId));
  return (
    <table class="queue-table">
      <caption class="visually-hidden">Open work items, {sortWords(view)}</caption>
      <thead>
        <tr>
          {props.canAssign && (
            <th scope="col">
              <input
                type="checkbox"
                aria-label="Select every item on this page"
                checked={all}
                onChange={(e) =>
                  props.onSelect(
                    items.map((i) => i.taskId),
                    e.currentTarget.checked,
                  )
                }
              />
            </th>
          )}
          {COLUMNS.map((c) => (
            <th
              scope="col"
              key={c.label}
              class={c.num ? 'num' : undefined}
              aria-sort={
                c.sort && c.sort === view.sort
                  ? view.order === 'asc'
                    ? 'ascending'
                    : 'descending'
                  : undefined
              }
            >
              {c.sort ? (
                <button
                  type="button"
                  class="sort"
                  onClick={() => props.onSort(sortChange(view, c.sort as QueueSort))}
                >
                  {c.label}
                  {c.sort === view.sort ? (view.order === 'asc' ? ' ▲' : ' ▼') : ''}
                </button>
              ) : (
                c.label
              )}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <Row key={item.taskId} item={item} {...props} />
        ))}
      </tbody>
    </table>
  );
}

function Row(props: {
  item: WorkItem;
  selected: ReadonlySet<string>;
  canAssign: boolean;
  today: Date;
  onSelect: (taskIds: string[], on: boolean) => void;
  onAssignMe: (taskId: string) => void;
}) {
  const { item } = props;
  const due = item.deadline ? daysUntil(item.deadline.date, props.today) : undefined;
  return (
    <tr data-task-id={item.taskId} data-claim-id={item.claimId}>
      {props.canAssign && (
        <td>
          <input
            type="checkbox"
            aria-label={`Select ${item.patient.name}, ${money(item.amountAtStake)}`}
            checked={props.selected.has(item.taskId)}
            onChange={(e) => props.onSelect([item.taskId], e.currentTarget.checked)}
          />
        </td>
      )}
      <td data-label="Patient">
        {item.claimId ? (
          <Link href={`/billing/claims/${encodeURIComponent(item.claimId)}`}>
            {item.patient.name}
          </Link>
        ) : (
          item.patient.name
        )}
        <div class="muted">{KIND_WORDS[item.kind]}</div>
      </td>
      <td data-label="Payer">{item.payer?.name ?? '—'}</td>
      <td data-label="Date of service">{dateWords(item.serviceDate)}</td>
      <td data-label="At stake" class="num">
        {money(item.amountAtStake)}
      </td>
      <td data-label="Reason">
        {item.reason}
        {item.codes.length > 0 && (
          <span class="codes">
            {item.codes.map((c) => (
              <abbr class="code" title={`${c.system} ${c.code}: ${c.display}`} key={c.code}>
                {c.code}
              </abbr>
            ))}
          </span>
        )}
      </td>
      <td data-label="Age" class="num">
        {item.ageDays} d
      </td>
      <td data-label="Deadline" class={due !== undefined && due <= 7 ? 'due-soon' : undefined}>
        {item.deadline
          ? `${dateWords(item.deadline.date)} (${DEADLINE_WORDS[item.deadline.kind]}${
              due !== undefined ? `, ${due < 0 ? `${-due} d late` : `in ${due} d`}` : ''
            })`
          : '—'}
      </td>
      <td data-label="Assignee">
        <span class="assign">
          {item.assignee?.name ?? <span class="muted">Unassigned</span>}
          {props.canAssign && !item.assignee && (
            <button
              type="button"
              class="secondary"
              aria-label={`Take it: assign ${item.patient.name}’s item to me`}
              onClick={() => props.onAssignMe(item.taskId)}
            >
              Take it
            </button>
          )}
        </span>
      </td>
    </tr>
  );
}

function sortWords(view: QueueView): string {
  const col = COLUMNS.find((c) => c.sort === view.sort)?.label ?? view.sort;
  return `sorted by ${col.toLowerCase()}, ${view.order === 'asc' ? 'ascending' : 'descending'}`;
}
