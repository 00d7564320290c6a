import { RowChartAxes } from './axis.tsx';
import { ChartFrame, type ChartSection } from './chart-frame.tsx';
import { DrillPlot, type DrillArea } from './drill-layer.tsx';
import { Legend } from './legend.tsx';
import { linearScale, maxOf, niceTicks, shorten, stackStarts } from './scale.ts';

const W = 480;
const LABEL_W = 130;
const RIGHT = 70;
const ROW = 26;
const BAR = 18;
const AXIS = 18;

export interface StackRow {
  label: string;
  values: number[];
  /** How many claims make each segment, where the server counts them. */
  counts?: number[];
  /** The drill-down of each segment, where the server gives one. */
  drills?: Array<string | undefined>;
}

/**
 * Horizontal stacked bars (A/R aging by payer): one bar per row, one segment per part. A segment
 * with a drill-down is a link to the claims behind it, in the picture and in the table.
 */
export function StackedBarChart(props: {
  section: ChartSection;
  parts: string[];
  rows: StackRow[];
  format: (n: number) => string;
}) {
  const { rows, parts, section } = props;
  const totals = rows.map((r) => r.values.reduce((a, b) => a + Math.max(0, b), 0));
  const ticks = niceTicks(maxOf(totals));
  const x = linearScale(ticks.at(-1) ?? 1, W - LABEL_W - RIGHT);
  const height = rows.length * ROW + AXIS;
  /** A segment's link, in words: "Blue Plan, 31-60 days: $1.2k in 4 claims. Show these claims." */
  const linkOf = (r: StackRow, p: number) => {
    const drill = r.drills?.[p];
    const v = r.values[p] ?? 0;
    if (!drill || v <= 0) return undefined;
    const count = r.counts?.[p];
    const claims = count === undefined ? '' : ` in ${String(count)} claim${count === 1 ? '' : 's'}`;
    return {
      drill,
      name: `${r.label}, ${parts[p] ?? ''}: ${props.format(v)}${claims}. Show these claims.`,
    };
  };
  const areas: DrillArea[] = rows.flatMap((r, i) => {
    const starts = stackStarts(r.values);
    return r.values.flatMap((v, p) => {
      const link = linkOf(r, p);
      if (!link) return [];
      return [
        {
          key: `${r.label}-${p}`,
          ...link,
          x: LABEL_W + x(starts[p] ?? 0),
          y: i * ROW + (ROW - BAR) / 2,
          width: x(v),
          height: BAR,
        },
      ];
    });
  });
  const desc = rows
    .map(
      (r, i) =>
        `${r.label}: ${r.values.map((v, p) => `${parts[p]} ${props.format(v)}`).join(', ')}, total ${props.format(totals[i] ?? 0)}`,
    )
    .join('; ');
  return (
    <ChartFrame
      section={section}
      table={{
        columns: ['Payer', ...parts, 'Total'],
        rows: rows.map((r, i) => ({
          cells: [r.label, ...r.values.map(props.format), props.format(totals[i] ?? 0)],
          links: [undefined, ...r.values.map((_, p) => linkOf(r, p))],
        })),
      }}
    >
      {(ids) => (
        <>
          <Legend names={parts} />
          <DrillPlot
            width={W}
            height={height}
            ids={ids}
            title={section.title}
            desc={`${section.summary} ${desc}.`}
            areas={areas}
          >
            <RowChartAxes
              ticks={ticks}
              x={x}
              labelW={LABEL_W}
              rowH={ROW}
              height={height}
              axisH={AXIS}
              labels={rows.map((r) => shorten(r.label, 20))}
              format={props.format}
            />
            {rows.map((r, i) => {
              const starts = stackStarts(r.values);
              return (
                <g key={r.label}>
                  {r.values.map((v, p) => (
                    <rect
                      key={p}
                      class={`bar s${p % 5}`}
                      x={LABEL_W + x(starts[p] ?? 0)}
                      y={i * ROW + (ROW - BAR) / 2}
                      width={x(v)}
                      height={BAR}
                    />
                  ))}
                  <text x={LABEL_W + x(totals[i] ?? 0) + 4} y={i * ROW + ROW / 2 + 4}>
                    {props.format(totals[i] ?? 0)}
                  </text>
                </g>
              );
            })}
          </DrillPlot>
        </>
      )}
    </ChartFrame>
  );
}
