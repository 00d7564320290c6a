import type { Series } from '../../../src/billing-office/billing-api.ts';
import { monthWords } from '../format.ts';
import { CategoryAxis, ValueAxis } from './axis.tsx';
import { ChartFrame, type ChartSection } from './chart-frame.tsx';
import { DrillPlot, type DrillArea } from './drill-layer.tsx';
import { Legend } from './legend.tsx';
import { alignSeries, linearScale, maxOf, niceTicks, rateTicks } from './scale.ts';

const W = 480;
const H = 220;
const LEFT = 52;
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 24;

/** `2026-03` → `Mar 2026`; other labels as they are. */
function monthLabel(label: string): string {
  return /^\d{4}-\d{2}$/.test(label) ? monthWords(label) : label;
}

/**
 * Series by month, as lines (rates) or grouped columns (dollars). Every point or column with a
 * drill-down is a link to the claims behind it.
 */
export function MonthChart(props: {
  section: ChartSection;
  series: Series[];
  kind: 'line' | 'columns';
  /** Rates (0–1) get a percent axis capped at 100%. */
  rate?: boolean;
  format: (n: number) => string;
}) {
  const { series, section } = props;
  const rows = alignSeries(series);
  const values = series.flatMap((s) => s.data.map((d) => d.value));
  const ticks = props.rate ? rateTicks(maxOf(values)) : niceTicks(maxOf(values));
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const y = linearScale(ticks.at(-1) ?? 1, plotH);
  const groupW = plotW / Math.max(1, rows.length);
  const barW = (groupW * 0.8) / Math.max(1, series.length);
  const cx = (i: number) => LEFT + groupW * i + groupW / 2;
  const areas: DrillArea[] = [];
  rows.forEach((row, i) =>
    row.values.forEach((d, s) => {
      if (!d?.drill) return;
      const name = `${series[s]?.name ?? ''}, ${monthLabel(row.label)}: ${props.format(d.value)}. Show these claims.`;
      const at =
        props.kind === 'columns'
          ? {
              x: LEFT + groupW * i + groupW * 0.1 + barW * s,
              y: TOP + plotH - y(d.value),
              width: barW,
              height: y(d.value),
            }
          : { x: cx(i) - 9, y: TOP + plotH - y(d.value) - 9, width: 18, height: 18 };
      areas.push({ key: `${row.label}-${s}`, name, drill: d.drill, ...at });
    }),
  );
  const desc = rows
    .map(
      (r) =>
        `${monthLabel(r.label)}: ${r.values.map((d, s) => `${series[s]?.name} ${d ? props.format(d.value) : 'none'}`).join(', ')}`,
    )
    .join('; ');
  return (
    <ChartFrame
      section={section}
      table={{
        columns: ['Month', ...series.map((s) => s.name)],
        rows: rows.map((r) => ({
          cells: [monthLabel(r.label), ...r.values.map((d) => (d ? props.format(d.value) : '—'))],
          drill: r.values.find((d) => d?.drill)?.drill,
        })),
      }}
    >
      {(ids) => (
        <>
          {series.length > 1 && <Legend names={series.map((s) => s.name)} />}
          <DrillPlot
            width={W}
            height={H}
            ids={ids}
            title={section.title}
            desc={`${section.summary} ${desc}.`}
            areas={areas}
          >
            <ValueAxis
              orient="left"
              ticks={ticks}
              at={(t) => TOP + plotH - y(t)}
              from={LEFT}
              to={W - RIGHT}
              labelAt={LEFT - 4}
              format={props.format}
            />
            <CategoryAxis
              orient="bottom"
              labels={rows.map((r) => monthLabel(r.label).replace(/ \d{4}$/, ''))}
              at={cx}
              edge={H - 6}
            />
            {props.kind === 'columns'
              ? rows.map((r, i) =>
                  r.values.map((d, s) =>
                    d ? (
                      <rect
                        key={`${r.label}-${s}`}
                        class={`bar s${s % 5}`}
                        x={LEFT + groupW * i + groupW * 0.1 + barW * s}
                        y={TOP + plotH - y(d.value)}
                        width={Math.max(1, barW - 1)}
                        height={y(d.value)}
                      />
                    ) : null,
                  ),
                )
              : series.map((s, k) => (
                  <g key={s.name} class={`s${k % 5}`}>
                    <polyline
                      class="line"
                      points={rows
                        .flatMap((r, i) => {
                          const d = r.values[k];
                          return d ? [`${cx(i)},${TOP + plotH - y(d.value)}`] : [];
                        })
                        .join(' ')}
                    />
                    {rows.map((r, i) => {
                      const d = r.values[k];
                      return d ? (
                        <circle key={r.label} cx={cx(i)} cy={TOP + plotH - y(d.value)} r={3.5} />
                      ) : null;
                    })}
                  </g>
                ))}
          </DrillPlot>
        </>
      )}
    </ChartFrame>
  );
}
