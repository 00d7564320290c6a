import { ChartFrame } from './chart-frame.tsx';
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
  /** The drill-down of each segment, where the server gives one. */
  drills?: Array<string | undefined>;
}

/** Horizontal stacked bars (A/R aging by payer): one bar per row, one segment per part. */
export function StackedBarChart(props: {
  id: string;
  title: string;
  summary: string;
  definition?: string | undefined;
  parts: string[];
  rows: StackRow[];
  format: (n: number) => string;
  onExport?: (() => void) | undefined;
}) {
  const { rows, parts } = props;
  const totals = rows.map((r) => r.values.reduce((a, b) => a + Math.max(0, b), 0));
  const ticks = niceTicks(maxOf(totals));
  const x = linearScale(ticks.at(-1) ?? 1, W - LABEL_W - RIGHT);
  const height = rows.length * ROW + AXIS;
  const areas: DrillArea[] = rows.flatMap((r, i) => {
    const starts = stackStarts(r.values);
    return r.values.flatMap((v, p) => {
      const drill = r.drills?.[p];
      if (!drill || v <= 0) return [];
      return [
        {
          key: `${r.label}-${p}`,
          name: `${r.label}, ${parts[p]}: ${props.format(v)}. Show these claims.`,
          drill,
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
      id={props.id}
      title={props.title}
      summary={props.summary}
      definition={props.definition}
      onExport={props.onExport}
      table={{
        columns: ['Payer', ...parts, 'Total'],
        rows: rows.map((r, i) => ({
          cells: [r.label, ...r.values.map(props.format), props.format(totals[i] ?? 0)],
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
            title={props.title}
            desc={`${props.summary} ${desc}.`}
            areas={areas}
          >
            {ticks.map((t) => (
              <g key={t}>
                <line
                  class="grid"
                  x1={LABEL_W + x(t)}
                  x2={LABEL_W + x(t)}
                  y1={0}
                  y2={height - AXIS}
                />
                <text x={LABEL_W + x(t)} y={height - 4} text-anchor="middle">
                  {props.format(t)}
                </text>
              </g>
            ))}
            {rows.map((r, i) => {
              const starts = stackStarts(r.values);
              return (
                <g key={r.label}>
                  <text x={LABEL_W - 6} y={i * ROW + ROW / 2 + 4} text-anchor="end">
                    {shorten(r.label, 20)}
                  </text>
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
