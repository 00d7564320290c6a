import type { JSX } from 'preact';
import type { Analytics, Datum } from '../../../src/billing-office/billing-api.ts';
import { AGING_BUCKETS } from '../../../src/billing-office/ar-aging.ts';
import { BarChart } from '../charts/bar-chart.tsx';
import type { ChartSection as Section } from '../charts/chart-frame.tsx';
import { MonthChart } from '../charts/month-chart.tsx';
import { StackedBarChart } from '../charts/stacked-bar-chart.tsx';
import { money, percent, shortMoney } from '../format.ts';
import { definitionOf, DENIAL_CHARTS } from './analytics-parts.ts';

/** One chart of the analytics page: its words, the definitions it follows, and how it is drawn. */
interface ChartSpec {
  id: string;
  title: string;
  summary: string;
  /** Keys of `Analytics.definitions`, joined under "How this is measured". */
  definitions: string[];
  draw: (data: Analytics, section: Section) => JSX.Element;
}

/** The page's charts in order: denials (root cause first), rates by month, cash, A/R aging. */
export const CHARTS: ChartSpec[] = [
  ...DENIAL_CHARTS.map((c): ChartSpec => ({
    id: c.id,
    title: c.title,
    summary: c.summary,
    definitions: [c.definition],
    draw: (data, section) => (
      <BarChart
        section={section}
        data={data.denials[c.field]}
        measure={(d: Datum) => d.amount ?? d.value}
        format={shortMoney}
        words={(d) => `${money(d.amount ?? 0)} denied, ${percent(d.value)} of claims`}
        columns={[c.label, 'Denied dollars', 'Denial rate']}
        cells={(d) => [d.label, money(d.amount ?? 0), percent(d.value)]}
      />
    ),
  })),
  {
    id: 'denial-rate-by-month',
    title: 'Denial rate by month',
    summary: 'The share of claims answered in each month that the payer denied.',
    definitions: ['denialRate'],
    draw: (data, section) => (
      <MonthChart
        section={section}
        series={[{ name: 'Denial rate', data: data.denials.rateByMonth }]}
        kind="columns"
        rate
        format={percent}
      />
    ),
  },
  {
    id: 'clean-claim-rate',
    title: 'Clean-claim and first-pass rates by month',
    summary:
      'Claims that passed every edit before submission, and claims the payer accepted on the first pass.',
    definitions: ['cleanClaimRate', 'firstPassRate'],
    draw: (data, section) => (
      <MonthChart
        section={section}
        series={data.cleanClaimRate}
        kind="line"
        rate
        format={percent}
      />
    ),
  },
  {
    id: 'cash-by-month',
    title: 'Charges, payments and adjustments by month',
    summary: 'Dollars billed, paid and adjusted in each month.',
    definitions: ['cashByMonth', 'netCollectionRate'],
    draw: (data, section) => (
      <MonthChart section={section} series={data.cashByMonth} kind="columns" format={shortMoney} />
    ),
  },
  {
    id: 'ar-aging',
    title: 'A/R aging by payer',
    summary: 'Unpaid balances by payer, split by days since the date of service.',
    definitions: ['arAging'],
    draw: (data, section) => (
      <StackedBarChart
        section={section}
        parts={AGING_BUCKETS.map((b) => `${b} days`)}
        rows={data.arAging.map((r) => ({
          label: r.payer,
          values: AGING_BUCKETS.map((b) => r.buckets[b]),
          counts: AGING_BUCKETS.map((b) => r.claims[b]),
          drills: AGING_BUCKETS.map((b) => r.drills[b]),
        }))}
        format={shortMoney}
      />
    ),
  },
];

/**
 * One chart's section: the heading, words, definition and CSV export every chart has, around
 * the picture its spec draws.
 */
export function ChartSection(props: {
  spec: ChartSpec;
  data: Analytics;
  exporter: (table: string) => () => void;
}) {
  const { spec, data } = props;
  return spec.draw(data, {
    id: spec.id,
    title: spec.title,
    summary: spec.summary,
    definition: definitionOf(data.definitions, ...spec.definitions),
    onExport: props.exporter(spec.id),
  });
}
