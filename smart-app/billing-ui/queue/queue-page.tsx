import { useEffect, useMemo, useState } from 'preact/hooks';
import type { BillingMe, QueuePage as Page } from '../../../src/billing-office/billing-api.ts';
import { problemOf, type Api } from '../api.ts';
import { money } from '../format.ts';
import { Problem } from '../problem.tsx';
import { navigate } from '../router.ts';
import { BulkAssign } from './bulk-assign.tsx';
import { QueueFilters } from './queue-filters.tsx';
import { changeQuery, pageCount, queueApiPath, readQueueView } from './queue-query.ts';
import { QueueTable } from './queue-table.tsx';

const PAGE_SIZE = 25;

type Load =
  | { state: 'loading' }
  | { state: 'error'; problem: ReturnType<typeof problemOf> }
  | { state: 'done'; page: Page };

/**
 * The work queue (issue 17, item 2): every open item across patients, filtered, sorted, searched
 * and paged by the server; the address holds the filters, so Back, reload and a chart's
 * drill-down link all show the same list.
 */
export function QueuePage(props: { api: Api; me: BillingMe; search: string }) {
  const { api, search } = props;
  const view = useMemo(() => readQueueView(search), [search]);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [said, setSaid] = useState('');
  const [reloads, setReloads] = useState(0);
  const canAssign = props.me.actions.includes('queue.assign');

  useEffect(() => {
    const abort = new AbortController();
    setLoad({ state: 'loading' });
    api<Page>(queueApiPath(search, PAGE_SIZE), { signal: abort.signal })
      .then((page) => setLoad({ state: 'done', page }))
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setLoad({ state: 'error', problem: problemOf(e) });
      });
    return () => abort.abort();
  }, [api, search, reloads]);

  useEffect(() => setSelected(new Set()), [search]);

  const go = (changes: Record<string, string | undefined>) =>
    navigate(`/billing${changeQuery(search, changes)}`);

  const assign = async (taskIds: string[], assignee: string | null) => {
    setSaid('Assigning…');
    try {
      const answer = await api<{ assigned: number }>('/api/billing/queue/assign', {
        method: 'POST',
        body: { taskIds, assignee },
      });
      const who = assignee === null ? 'nobody (unassigned)' : assignee === 'me' ? 'you' : assignee;
      setSaid(`${answer.assigned} ${answer.assigned === 1 ? 'item' : 'items'} assigned to ${who}.`);
      setSelected(new Set());
      setReloads((n) => n + 1);
    } catch (e) {
      const p = problemOf(e);
      setSaid(`Not assigned: ${p.text}${p.hint ? ` ${p.hint}` : ''}`);
    }
  };

  const page = load.state === 'done' ? load.page : undefined;
  const payers = [...new Set(page?.items.flatMap((i) => (i.payer ? [i.payer.name] : [])) ?? [])];
  const assignees = [
    ...new Map(
      page?.items.flatMap((i) => (i.assignee ? [[i.assignee.reference, i.assignee.name]] : [])),
    ),
  ] as Array<[string, string]>;

  return (
    <section aria-labelledby="queue-heading">
      <h1 id="queue-heading">Work queue</h1>
      <QueueFilters
        view={view}
        payers={payers}
        onChange={go}
        onClear={() => navigate('/billing')}
      />
      <p role="status" class="notice-line">
        {said}
      </p>
      {load.state === 'loading' && (
        <p class="loading" role="status">
          Loading the work queue…
        </p>
      )}
      {load.state === 'error' && (
        <Problem
          title="The work queue could not load"
          problem={load.problem}
          onRetry={() => setReloads((n) => n + 1)}
        />
      )}
      {page && page.total === 0 && <Empty filtered={search.length > 1} />}
      {page && page.total > 0 && (
        <>
          <div class="summary">
            <strong data-testid="queue-total">
              {page.total} {page.total === 1 ? 'item' : 'items'}
            </strong>
            <span>{money(page.totalAtStake)} at stake</span>
            {canAssign && (
              <BulkAssign selected={[...selected]} assignees={assignees} onAssign={assign} />
            )}
          </div>
          <QueueTable
            items={page.items}
            view={view}
            selected={selected}
            canAssign={canAssign}
            today={new Date()}
            onSelect={(ids, on) =>
              setSelected((old) => {
                const next = new Set(old);
                for (const id of ids)
                  if (on) next.add(id);
                  else next.delete(id);
                return next;
              })
            }
            onSort={go}
            onAssignMe={(id) => void assign([id], 'me')}
          />
          <Pager
            page={page.page}
            pages={pageCount(page.total, page.pageSize)}
            onPage={(n) => go({ page: String(n) })}
          />
        </>
      )}
    </section>
  );
}

function Empty({ filtered }: { filtered: boolean }) {
  return (
    <div class="notice" role="status">
      {filtered ? (
        <p>
          Nothing matches these filters. Clear the filters (above) to see every open item, or widen
          the search.
        </p>
      ) : (
        <p>The queue is empty: no claim needs a person right now. New denials show up here.</p>
      )}
    </div>
  );
}

function Pager(props: { page: number; pages: number; onPage: (n: number) => void }) {
  const { page, pages } = props;
  if (pages <= 1) return null;
  return (
    <nav class="pager" aria-label="Pages of the work queue">
      <button
        type="button"
        class="secondary"
        disabled={page <= 1}
        onClick={() => props.onPage(page - 1)}
      >
        Previous page
      </button>
      <span aria-current="page">
        Page {page} of {pages}
      </span>
      <button
        type="button"
        class="secondary"
        disabled={page >= pages}
        onClick={() => props.onPage(page + 1)}
      >
        Next page
      </button>
    </nav>
  );
}
