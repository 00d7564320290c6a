import { useEffect, useState } from 'preact/hooks';
import { WORK_ITEM_KINDS } from '../../../src/billing-office/work-item-kinds.ts';
import { KIND_WORDS, paramWords } from './kind-words.ts';
import type { QueueView } from './queue-query.ts';

const DUE_CHOICES = ['7', '14', '30', '60', '90'];

/**
 * The queue's filters. Choices apply at once; the search and payer fields apply on Enter or
 * "Search" (no request per keystroke). Drill-down parameters from a chart show as chips.
 */
export function QueueFilters(props: {
  view: QueueView;
  payers: string[];
  onChange: (changes: Record<string, string | undefined>) => void;
  onClear: () => void;
}) {
  const { view, onChange } = props;
  const [q, setQ] = useState(view.q ?? '');
  const [payer, setPayer] = useState(view.payer ?? '');
  useEffect(() => setQ(view.q ?? ''), [view.q]);
  useEffect(() => setPayer(view.payer ?? ''), [view.payer]);
  const filtered =
    view.extra.length > 0 ||
    Boolean(view.kind || view.payer || view.assignee || view.q || view.dueWithinDays);

  return (
    <div>
      <form
        class="filters"
        role="search"
        aria-label="Filter the work queue"
        onSubmit={(e) => {
          e.preventDefault();
          onChange({ q: q.trim(), payer: payer.trim() });
        }}
      >
        <label>
          Kind
          <select
            value={view.kind ?? ''}
            onChange={(e) => onChange({ kind: e.currentTarget.value })}
          >
            <option value="">Every kind</option>
            {WORK_ITEM_KINDS.map((k) => (
              <option value={k} key={k}>
                {KIND_WORDS[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Payer
          <input
            list="queue-payers"
            value={payer}
            placeholder="Any payer"
            onInput={(e) => setPayer(e.currentTarget.value)}
          />
          <datalist id="queue-payers">
            {props.payers.map((p) => (
              <option value={p} key={p} />
            ))}
          </datalist>
        </label>
        <label>
          Assignee
          <select
            value={view.assignee ?? ''}
            onChange={(e) => onChange({ assignee: e.currentTarget.value })}
          >
            <option value="">Anyone</option>
            <option value="me">Me</option>
            <option value="none">Unassigned</option>
            {view.assignee && !['me', 'none'].includes(view.assignee) && (
              <option value={view.assignee}>{view.assignee}</option>
            )}
          </select>
        </label>
        <label>
          Due within
          <select
            value={view.dueWithinDays ?? ''}
            onChange={(e) => onChange({ dueWithinDays: e.currentTarget.value })}
          >
            <option value="">Any deadline</option>
            {DUE_CHOICES.map((d) => (
              <option value={d} key={d}>
                {d} days
              </option>
            ))}
          </select>
        </label>
        <label>
          Search
          <input
            type="search"
            value={q}
            placeholder="Patient, claim, CARC, CPT…"
            onInput={(e) => setQ(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Search</button>
        {filtered && (
          <button type="button" class="secondary" onClick={props.onClear}>
            Clear filters
          </button>
        )}
      </form>
      {view.extra.length > 0 && (
        <ul class="chips" aria-label="Showing only the claims behind a chart">
          {view.extra.map(([k, v]) => (
            <li class="chip" key={k}>
              {paramWords(k)}: {v}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
