import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Analytics } from '../../../src/billing-office/billing-api.ts';
import { problemOf, type Api } from '../api.ts';
import { days, monthWords, percent } from '../format.ts';
import { Problem } from '../problem.tsx';
import { navigate } from '../router.ts';
import { AnalyticsFilters, analyticsQueryOf, readAnalyticsView } from './analytics-filters.tsx';
import { CHARTS, ChartSection } from './analytics-charts.tsx';
import { definitionName, definitionOf, payersOf } from './analytics-parts.ts';

type Load =
  | { state: 'loading' }
  | { state: 'error'; problem: ReturnType<typeof problemOf> }
  | { state: 'done'; data: Analytics };

/**
 * Revenue-cycle analytics for managers (issue 17, item 6): single figures, then denials (root
 * cause first), rates by month, cash by month and A/R aging. Every chart has its table, its
 * definition and a CSV export; bars lead to the claims behind them.
 */
export function AnalyticsPage(props: { api: Api; search: string }) {
  const { api, search } = props;
  const view = useMemo(() => readAnalyticsView(search), [search]);
  const query = analyticsQueryOf(view);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [retries, setRetries] = useState(0);
  const [exportProblem, setExportProblem] = useState('');

  useEffect(() => {
    const abort = new AbortController();
    setLoad({ state: 'loading' });
    api<Analytics>(`/api/billing/analytics${query ? `?${query}` : ''}`, { signal: abort.signal })
      .then((data) => setLoad({ state: 'done', data }))
      .catch((e: unknown) => {
        if (!abort.signal.aborted) setLoad({ state: 'error', problem: problemOf(e) });
      });
    return () => abort.abort();
  }, [api, query, retries]);

  const exporter = (table: string) => () => {
    setExportProblem('');
    const q = new URLSearchParams(query);
    q.set('format', 'csv');
    q.set('table', table);
    api
      .download(`/api/billing/analytics?${q.toString()}`, `chartbill-${table}.csv`)
      .catch((e: unknown) => setExportProblem(`The CSV could not be made: ${problemOf(e).text}`));
  };

  const data = load.state === 'done' ? load.data : undefined;
  return (
    <section aria-labelledby="analytics-heading">
      <h1 id="analytics-heading">Analytics</h1>
      <AnalyticsFilters
        view={view}
        shown={{ from: data?.from ?? '', to: data?.to ?? '' }}
        payers={data ? payersOf(data) : []}
        onApply={(v) => {
          const q = analyticsQueryOf(v);
          navigate(`/billing/analytics${q ? `?${q}` : ''}`);
        }}
      />
      <p role="status">{exportProblem}</p>
      {load.state === 'loading' && (
        <p class="loading" role="status">
          Loading the figures…
        </p>
      )}
      {load.state === 'error' && (
        <Problem
          title="The figures could not load"
          problem={load.problem}
          onRetry={() => setRetries((n) => n + 1)}
        />
      )}
      {data && <Figures data={data} />}
      {data && <Charts data={data} exporter={exporter} />}
      {data && <Definitions definitions={data.definitions} />}
    </section>
  );
}

function Figures({ data }: { data: Analytics }) {
  const range = `${monthWords(data.from)} to ${monthWords(data.to)}`;
  const figures: Array<{ name: string; value: string; detail?: string; key: string }> = [
    { name: 'Days in A/R', value: days(data.daysInAr), key: 'daysInAr' },
    {
      name: 'Net collection rate',
      value: percent(data.netCollectionRate),
      key: 'netCollectionRate',
    },
    {
      name: 'Charge lag (visit to claim)',
      value: `${days(data.chargeLagDays.median)} median`,
      detail: `90th percentile: ${days(data.chargeLagDays.p90)}`,
      key: 'chargeLagDays',
    },
    {
      name: 'Claim to payment',
      value: `${days(data.claimToPaymentDays.median)} median`,
      detail: `90th percentile: ${days(data.claimToPaymentDays.p90)}`,
      key: 'claimToPaymentDays',
    },
  ];
  return (
    <section aria-label={`Key figures, ${range}`}>
      <p class="muted">{range}</p>
      <dl class="figures">
        {figures.map((f) => (
          <div class="figure" key={f.key} data-figure={f.key}>
            <dt>{f.name}</dt>
            <dd class="value">{f.value}</dd>
            {f.detail && <dd class="detail">{f.detail}</dd>}
            {definitionOf(data.definitions, f.key) && (
              <dd class="detail">{definitionOf(data.definitions, f.key)}</dd>
            )}
          </div>
        ))}
      </dl>
    </section>
  );
}

function Charts({ data, exporter }: { data: Analytics; exporter: (t: string) => () => void }) {
  return (
    <div class="charts">
      {CHARTS.map((spec) => (
        <ChartSection key={spec.id} spec={spec} data={data} exporter={exporter} />
      ))}
    </div>
  );
}

function Definitions({ definitions }: { definitions: Record<string, string> }) {
  const entries = Object.entries(definitions);
  if (entries.length === 0) return null;
  return (
    <section aria-labelledby="definitions-heading" class="definitions">
      <h2 id="definitions-heading">Definitions</h2>
      <dl>
        {entries.map(([k, v]) => (
          <div key={k}>
            <dt>{definitionName(k)}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
