import type { CodeEntry } from '../../src/codes/code-set.ts';

export type Suggestion = CodeEntry & { source: string };

interface Props {
  title: string;
  items: Suggestion[];
  onAdd: (entry: Suggestion) => void;
}

/** What the chart already documents (problem list, performed procedures), one click to add. */
export function SuggestionsBar({ title, items, onAdd }: Props) {
  if (items.length === 0) return null;
  return (
    <div class="suggested" role="group" aria-label={title}>
      <span class="muted">{title}:</span>
      {items.map((s) => (
        <button
          type="button"
          class="chip"
          key={`${s.system}-${s.code}`}
          title={`${s.display} (${s.source})`}
          onClick={() => onAdd(s)}
        >
          + {s.code} {s.display.length > 32 ? `${s.display.slice(0, 30)}…` : s.display}
        </button>
      ))}
    </div>
  );
}
