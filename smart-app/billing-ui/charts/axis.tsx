/**
 * The axes every chart draws (bar-chart, month-chart, stacked-bar-chart): the value axis (a grid
 * line and a number at each tick) and the category labels (rows on the left, months along the
 * bottom). Positions come from the chart, which owns its layout.
 */

/**
 * Grid lines across the plot at each tick and the tick's number: `bottom` for horizontal bars
 * (vertical lines, numbers under the plot), `left` for columns and lines (horizontal lines,
 * numbers left of the plot). `at` maps a tick to its position along the axis; the lines run from
 * `from` to `to` across it; the numbers sit at `labelAt`.
 */
export function ValueAxis(props: {
  orient: 'bottom' | 'left';
  ticks: number[];
  at: (tick: number) => number;
  from: number;
  to: number;
  labelAt: number;
  format: (n: number) => string;
}) {
  const bottom = props.orient === 'bottom';
  return (
    <>
      {props.ticks.map((t) => {
        const p = props.at(t);
        return (
          <g key={t}>
            {bottom ? (
              <line class="grid" x1={p} x2={p} y1={props.from} y2={props.to} />
            ) : (
              <line class="grid" x1={props.from} x2={props.to} y1={p} y2={p} />
            )}
            <text
              x={bottom ? p : props.labelAt}
              y={bottom ? props.labelAt : p + 4}
              text-anchor={bottom ? 'middle' : 'end'}
            >
              {props.format(t)}
            </text>
          </g>
        );
      })}
    </>
  );
}

/**
 * One label per category: `left` ends each label at `edge` beside its row (bars), `bottom`
 * centres it under its column at `edge` (months). `at(i)` is the i-th label's position along the
 * axis; labels are drawn as given (the chart shortens them; the table has them whole).
 */
export function CategoryAxis(props: {
  orient: 'left' | 'bottom';
  labels: string[];
  at: (index: number) => number;
  edge: number;
}) {
  const left = props.orient === 'left';
  return (
    <>
      {props.labels.map((label, i) => (
        <text
          key={`${String(i)}-${label}`}
          x={left ? props.edge : props.at(i)}
          y={left ? props.at(i) : props.edge}
          text-anchor={left ? 'end' : 'middle'}
        >
          {label}
        </text>
      ))}
    </>
  );
}

/**
 * Both axes of a horizontal bar chart (bar-chart, stacked-bar-chart): the values along the
 * bottom, and each row's label ending at the left margin (`labelW` wide) beside its bar.
 */
export function RowChartAxes(props: {
  ticks: number[];
  /** A value's length along the plot, from the margin. */
  x: (value: number) => number;
  labelW: number;
  rowH: number;
  /** The picture's height; the value axis takes the last `axisH` of it. */
  height: number;
  axisH: number;
  labels: string[];
  format: (n: number) => string;
}) {
  const { labelW, rowH, height } = props;
  return (
    <>
      <ValueAxis
        orient="bottom"
        ticks={props.ticks}
        at={(t) => labelW + props.x(t)}
        from={0}
        to={height - props.axisH}
        labelAt={height - 4}
        format={props.format}
      />
      <CategoryAxis
        orient="left"
        labels={props.labels}
        at={(i) => i * rowH + rowH / 2 + 4}
        edge={labelW - 6}
      />
    </>
  );
}
