import { useEffect, useState } from 'preact/hooks';

export interface AnalyticsView {
  from?: string;
  to?: string;
  payer?: string;
}

/** The analytics filters the address holds (`/billing/analytics?from=2026-01&to=2026-06&payer=…`). */
export function readAnalyticsView(search: string): AnalyticsView {
  const p = new URLSearchParams(search);
  const month = (k: string) => {
    const v = p.get(k);
    return v && /^\d{4}-\d{2}$/.test(v) ? { [k]: v } : {};
  };
  const payer = p.get('payer');
  return { ...month('from'), ...month('to'), ...(payer ? { payer } : {}) };
}

/** The query the API takes for a view (and the CSV export, with `format=csv&table=…`). */
export function analyticsQueryOf(view: AnalyticsView): string {
  const p = new URLSearchParams();
  if (view.from) p.set('from', view.from);
  if (view.to) p.set('to', view.to);
  if (view.payer) p.set('payer', view.payer);
  return p.toString();
}

/** Month range and payer; applied with the button so a half-typed month never loads. */
export function AnalyticsFilters(props: {
  view: AnalyticsView;
  shown: { from: string; to: string };
  payers: Array<{ id: string; name: string }>;
  onApply: (view: AnalyticsView) => void;
}) {
  const [from, setFrom] = useState(props.view.from ?? props.shown.from);
  const [to, setTo] = useState(props.view.to ?? props.shown.to);
  const [payer, setPayer] = useState(props.view.payer ?? '');
  useEffect(() => {
    setFrom(props.view.from ?? props.shown.from);
    setTo(props.view.to ?? props.shown.to);
    setPayer(props.view.payer ?? '');
  }, [props.view, props.shown]);
  const backwards = Boolean(from && to && from > to);
  return (
    <form
      class="range"
      aria-label="Months and payer"
      onSubmit={(e) => {
        e.preventDefault();
        if (backwards) return;
        props.onApply({
          ...(from ? { from } : {}),
          ...(to ? { to } : {}),
          ...(payer ? { payer } : {}),
        });
      }}
    >
      <label>
        From month
        <input
          type="month"
          value={from}
          aria-invalid={backwards}
          onInput={(e) => setFrom(e.currentTarget.value)}
        />
      </label>
      <label>
        To month
        <input type="month" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
      </label>
      <label>
        Payer
        <select value={payer} onChange={(e) => setPayer(e.currentTarget.value)}>
          <option value="">Every payer</option>
          {props.payers.map((p) => (
            <option value={p.id} key={p.id}>
              {p.name}
            </option>
          ))}
          {payer && !props.payers.some((p) => p.id === payer) && (
            <option value={payer}>{payer}</option>
          )}
        </select>
      </label>
      <button type="submit" disabled={backwards}>
        Show
      </button>
      {backwards && (
        <p role="alert" class="problem-inline">
          The first month is after the last; swap them.
        </p>
      )}
    </form>
  );
}
