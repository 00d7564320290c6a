import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Link } from '../link.tsx';

/** The numbers a chart draws, as a real table: the same figures a screen reader or a copy gets. */
export interface ChartTable {
  columns: string[];
  rows: Array<{
    cells: string[];
    /** Where the row's label leads (its bar's claims). */
    drill?: string | undefined;
    /** Where each number leads, by cell (a stacked bar's segments), with the link's words. */
    links?: Array<{ drill: string; name: string } | undefined>;
  }>;
}

/** What every chart's section shows around its picture: heading, words, definition and export. */
export interface ChartSection {
  id: string;
  title: string;
  summary: string;
  definition?: string | undefined;
  onExport?: (() => void) | undefined;
}

let nextId = 0;

/** Where a bar leads: the queue filtered to the claims behind it (Datum.drill is its query). */
export function drillHref(drill: string): string {
  return `/billing?${drill.replace(/^\?/, '')}`;
}

/**
 * Every chart's frame (issue 17, item 6): heading, the picture, a "Show table" toggle with the
 * same numbers, the definition it follows, and a CSV export of its table. `children` draws the
 * picture and names itself with the ids it is given (`role="img"` + title + desc).
 */
export function ChartFrame(props: {
  section: ChartSection;
  table: ChartTable;
  children: (ids: { title: string; desc: string }) => ComponentChildren;
}) {
  const { section, table } = props;
  const [showTable, setShowTable] = useState(false);
  const [uid] = useState(() => `${section.id}-${++nextId}`);
  const ids = { title: `${uid}-t`, desc: `${uid}-d` };
  const empty = table.rows.length === 0;
  return (
    <figure class="chart" data-chart={section.id} aria-labelledby={`${uid}-h`}>
      <h2 id={`${uid}-h`}>{section.title}</h2>
      {empty ? (
        <p class="muted">No claims in this range. Widen the months or clear the payer filter.</p>
      ) : (
        props.children(ids)
      )}
      <div class="chart-tools">
        <button
          type="button"
          class="secondary"
          aria-expanded={showTable}
          aria-controls={`${uid}-table`}
          onClick={() => setShowTable(!showTable)}
        >
          {showTable ? 'Hide table' : 'Show table'}
        </button>
        {section.onExport && (
          <button type="button" class="secondary" onClick={section.onExport}>
            Export CSV<span class="visually-hidden"> of {section.title}</span>
          </button>
        )}
      </div>
      <div id={`${uid}-table`} class="table-wrap" hidden={!showTable}>
        {showTable && <DataTable caption={section.title} table={table} />}
      </div>
      {section.definition && (
        <details>
          <summary>How this is measured</summary>
          <p>{section.definition}</p>
        </details>
      )}
      <figcaption class="visually-hidden">{section.summary}</figcaption>
    </figure>
  );
}

function DataTable({ caption, table }: { caption: string; table: ChartTable }) {
  return (
    <table>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {table.columns.map((c, i) => (
            <th scope="col" key={c} class={i > 0 ? 'num' : undefined}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {table.rows.map((row) => (
          <tr key={row.cells[0]}>
            {row.cells.map((cell, i) => {
              const link = row.links?.[i];
              return i === 0 ? (
                <th scope="row" key={i}>
                  {row.drill ? <Link href={drillHref(row.drill)}>{cell}</Link> : cell}
                </th>
              ) : (
                <td class="num" key={i}>
                  {link ? (
                    <Link href={drillHref(link.drill)} aria-label={link.name}>
                      {cell}
                    </Link>
                  ) : (
                    cell
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
