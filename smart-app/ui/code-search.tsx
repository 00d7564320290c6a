import { useEffect, useRef, useState } from 'preact/hooks';
import type { CodeEntry, SearchKind } from '../../src/codes/code-set.ts';
import type { Api } from './api.ts';

interface Props {
  api: Api;
  kind: SearchKind;
  label: string;
  placeholder: string;
  onPick: (entry: CodeEntry) => void;
}

/** Search-as-you-type combobox (WAI-ARIA combobox pattern): arrows move, Enter adds, Escape clears. */
export function CodeSearch({ api, kind, label, placeholder, onPick }: Props) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<CodeEntry[]>([]);
  /** The query the shown results answer (exposed as data-query for tests and the latency bench). */
  const [answered, setAnswered] = useState('');
  const [active, setActive] = useState(0);
  const listId = `results-${kind}`;
  const seq = useRef(0);

  const inflight = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => inflight.current?.abort(), []);

  // Searches straight from the input event (not an effect, which would wait for the next paint).
  function onInput(value: string) {
    setQuery(value);
    inflight.current?.abort();
    const q = value.trim();
    const mine = ++seq.current;
    if (!q) {
      setResults([]);
      return;
    }
    const ctrl = new AbortController();
    inflight.current = ctrl;
    api<{ results: CodeEntry[] }>(`/api/codes/search?kind=${kind}&q=${encodeURIComponent(q)}`, {
      signal: ctrl.signal,
    })
      .then((r) => {
        if (mine === seq.current) {
          setResults(r.results);
          setAnswered(q);
          setActive(0);
        }
      })
      .catch(() => undefined);
  }

  function pick(entry: CodeEntry | undefined) {
    if (!entry) return;
    onPick(entry);
    onInput('');
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, results.length - 1));
    else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
    else if (e.key === 'Enter') pick(results[active]);
    else if (e.key === 'Escape') onInput('');
    else return;
    e.preventDefault();
  }

  const open = results.length > 0;
  const none = !open && query.trim() !== '' && answered === query.trim();
  return (
    <div class="code-search">
      <label for={`search-${kind}`}>{label}</label>
      <input
        id={`search-${kind}`}
        type="search"
        role="combobox"
        autocomplete="off"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open ? `${listId}-${active}` : undefined}
        placeholder={placeholder}
        value={query}
        onInput={(e) => onInput((e.target as HTMLInputElement).value)}
        onKeyDown={onKeyDown}
      />
      {none && (
        <p class="no-results" role="status" data-query={answered}>
          No codes match “{answered}”. Try other words or the code.
        </p>
      )}
      {open && (
        <ul
          id={listId}
          role="listbox"
          class="results"
          aria-label={`${label} results`}
          data-query={answered}
        >
          {results.map((r, i) => (
            <li
              id={`${listId}-${i}`}
              key={`${r.system}-${r.code}`}
              role="option"
              aria-selected={i === active}
              class={`${i === active ? 'active' : ''} ${r.billable ? '' : 'category'}`}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(r);
              }}
            >
              <span class="code">{r.code}</span> <span class="display">{r.display}</span>
              {!r.billable && <span class="tag">category</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
