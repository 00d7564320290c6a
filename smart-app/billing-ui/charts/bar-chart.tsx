import type { Datum } from '../../../src/billing-office/billing-api.ts';
import { RowChartAxes } from './axis.tsx';
import { ChartFrame, type ChartSection } from './chart-frame.tsx';
import { DrillPlot, type DrillArea } from './drill-layer.tsx';
import { linearScale, maxOf, niceTicks, shorten } from './scale.ts';

const W = 480;
const LABEL_W = 150;
const VALUE_W = 92;
const ROW = 24;
const BAR = 16;
const AXIS = 18;

/**
 * A horizontal bar chart: one bar per datum, largest first as given, its length `measure(d)`,
 * its words `words(d)` (value and dollars). Labels are cut to the margin; the table has them whole.
 */
export function BarChart(props: {
  section: ChartSection;
  data: Datum[];
  measure: (d: Datum) => number;
  /** The number printed at the bar's end and in the axis. */
  format: (n: number) => string;
  /** The bar in words for its link and the table: "12 denials, $3,400". */
  words: (d: Datum) => string;
  columns: string[];
  cells: (d: Datum) => string[];
}) {
  const { data, measure, section } = props;
  const ticks = niceTicks(maxOf(data.map(measure)));
  const top = ticks.at(-1) ?? 1;
  const plotW = W - LABEL_W - VALUE_W;
  const x = linearScale(top, plotW);
  const height = data.length * ROW + AXIS;
  const areas: DrillArea[] = data.flatMap((d, i) =>
    d.drill
      ? [
          {
            key: d.label,
            name: `${d.label}: ${props.words(d)}. Show these claims.`,
            drill: d.drill,
            x: 0,
            y: i * ROW + 2,
            width: LABEL_W + x(measure(d)) + VALUE_W,
            height: ROW - 4,
          },
        ]
      : [],
  );
  return (
    <ChartFrame
      section={section}
      table={{
        columns: props.columns,
        rows: data.map((d) => ({ cells: props.cells(d), drill: d.drill })),
      }}
    >
      {(ids) => (
        <DrillPlot
          width={W}
          height={height}
          ids={ids}
          title={section.title}
          desc={`${section.summary} ${data.map((d) => `${d.label}: ${props.words(d)}`).join('; ')}.`}
          areas={areas}
        >
          <RowChartAxes
            ticks={ticks}
            x={x}
            labelW={LABEL_W}
            rowH={ROW}
            height={height}
            axisH={AXIS}
            labels={data.map((d) => shorten(d.label, 24))}
            format={props.format}
          />
          {data.map((d, i) => (
            <g key={d.label} data-label={d.label}>
              <rect
                class="bar s0"
                x={LABEL_W}
                y={i * ROW + (ROW - BAR) / 2}
                width={Math.max(1, x(measure(d)))}
                height={BAR}
              />
              <text x={LABEL_W + x(measure(d)) + 4} y={i * ROW + ROW / 2 + 4}>
                {props.format(measure(d))}
              </text>
            </g>
          ))}
        </DrillPlot>
      )}
    </ChartFrame>
  );
}
