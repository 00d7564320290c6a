import { useEffect, useState } from 'preact/hooks';
import type { ClaimListPage } from '../../../src/billing-office/billing-api.ts';
import { problemOf, type Api } from '../api.ts';
import { dateWords, money } from '../format.ts';
import { Link } from '../link.tsx';
import { Problem } from '../problem.tsx';
import { navigate } from '../router.ts';
import { paramWords } from './kind-words.ts';
import { changeQuery, pageCount } from './queue-query.ts';

/** The parameters only a claim list takes: an address with one of them is a chart's drill-down. */
export const CLAIM_LIST_KEYS = [
  'carc',
  'cpt',
  'provider',
  'state',
  'month',
  'deniedFirstPass',
  'aging',
];

/** Whether `/billing?…` asks for the claims behind a chart rather than the work queue. */
export function isClaimList(search: string): boolean {
  const params = new URLSearchParams(search);
  return params.get('view') === 'claims' || CLAIM_LIST_KEYS.some((k) => params.get(k));
}

const PAGE_SIZE = 50;

type Load =
  | { state: 'loading' }
  | { state: 'error'; problem: ReturnType<typeof problemOf> }
  | { state: 'done'; page: ClaimListPage };

/**
 * The claims behind an analytics bar (issue 17, item 6: click-through to the claims), listed by
 * the server (`GET /api/billing/claims`), largest denial first; each links to its claim.
 */
export function ClaimList(props: { api: Api; search: string }) {
  const { api, search } = props;
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [retries, setRetries] = useState(0);
  const params = [...new URLSearchParams(search).entries()].filter(
    ([k, v]) => v && !['page', 'pageSize', 'view'].includes(k),
  );

  useEffect(() => {
    const abort = new AbortController();
    setLoad({ state: 'loading' });
    const q = new URLSearchParams(search);
    if (!q.has('pageSize')) q.set('pageSize', String(PAGE_SIZE));
    api<ClaimListPage>(`/api/billing/claims?${q.toString()}`, { signal: abort.signal })
      .then((page) => setLoad({ state: 'done', page }))
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setLoad({ state: 'error', problem: problemOf(e) });
      });
    return () => abort.abort();
  }, [api, search, retries]);

  const page = load.state === 'done' ? load.page : undefined;
  return (
    <section aria-labelledby="claims-heading">
      <h1 id="claims-heading">Claims behind the chart</h1>
      <ul class="chips" aria-label="Showing only claims with">
        {params.map(([k, v]) => (
          <li class="chip" key={k}>
            {paramWords(k)}: {k === 'payer' ? payerName(page, v) : v}
          </li>
        ))}
      </ul>
      <p>
        <Link href="/billing/analytics">Back to analytics</Link> ·{' '}
        <Link href="/billing">Open the work queue</Link>
      </p>
      {load.state === 'loading' && (
        <p class="loading" role="status">
          Loading the claims…
        </p>
      )}
      {load.state === 'error' && (
        <Problem
          title="The claims could not load"
          problem={load.problem}
          onRetry={() => setRetries((n) => n + 1)}
        />
      )}
      {page && page.total === 0 && (
        <p class="notice" role="status">
          No claim matches any more: they may have been paid or corrected since the chart was drawn.
          Go back to analytics to see the figures now.
        </p>
      )}
      {page && page.total > 0 && (
        <>
          <p class="summary" role="status">
            <strong data-testid="claims-total">
              {page.total} {page.total === 1 ? 'claim' : 'claims'}
            </strong>
            <span>{money(page.totalBilled)} billed</span>
            <span>{money(page.totalDenied)} denied</span>
            <span data-testid="claims-balance">{money(page.totalBalance)} outstanding</span>
          </p>
          <ClaimTable page={page} />
          <ClaimPager page={page} search={search} />
        </>
      )}
    </section>
  );
}

/** A payer's name as the claims give it (the address holds its id). */
function payerName(page: ClaimListPage | undefined, id: string): string {
  return page?.items.find((c) => c.payer.id === id)?.payer.name ?? id;
}

function ClaimTable({ page }: { page: ClaimListPage }) {
  const columns = [
    'Patient',
    'Payer',
    'Date of service',
    'Provider',
    'CPT',
    'Billed',
    'Paid',
    'Denied',
    'Balance',
    'State',
    'Reasons',
  ];
  const num = new Set(['Billed', 'Paid', 'Denied', 'Balance']);
  return (
    <table class="queue-table claim-list">
      <caption class="visually-hidden">Claims, largest denial first</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" key={c} class={num.has(c) ? 'num' : undefined}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {page.items.map((c) => (
          <tr key={c.claimId} data-claim-id={c.claimId}>
            <td data-label="Patient">
              <Link href={`/billing/claims/${encodeURIComponent(c.claimId)}`}>
                {c.patient.name}
              </Link>
            </td>
            <td data-label="Payer">{c.payer.name}</td>
            <td data-label="Date of service">{dateWords(c.serviceDate)}</td>
            <td data-label="Provider">{c.provider?.name ?? '—'}</td>
            <td data-label="CPT">{c.cpts.join(', ')}</td>
            <td data-label="Billed" class="num">
              {money(c.billed)}
            </td>
            <td data-label="Paid" class="num">
              {money(c.paid)}
            </td>
            <td data-label="Denied" class="num">
              {money(c.denied)}
            </td>
            <td data-label="Balance" class="num">
              {money(c.balance)}
            </td>
            <td data-label="State">{c.state}</td>
            <td data-label="Reasons">
              <span class="codes">
                {c.reasons.map((r) => (
                  <abbr class="code" title={r.display} key={r.code}>
                    {r.code}
                  </abbr>
                ))}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ClaimPager({ page, search }: { page: ClaimListPage; search: string }) {
  const pages = pageCount(page.total, page.pageSize);
  if (pages <= 1) return null;
  const go = (n: number) => navigate(`/billing${changeQuery(search, { page: String(n) })}`);
  return (
    <nav class="pager" aria-label="Pages of claims">
      <button
        type="button"
        class="secondary"
        disabled={page.page <= 1}
        onClick={() => go(page.page - 1)}
      >
        Previous page
      </button>
      <span>
        Page {page.page} of {pages}
      </span>
      <button
        type="button"
        class="secondary"
        disabled={page.page >= pages}
        onClick={() => go(page.page + 1)}
      >
        Next page
      </button>
    </nav>
  );
}
