import type { DiagnosisEntry } from '../../src/coding/coding-model.ts';

interface Props {
  diagnoses: DiagnosisEntry[];
  onMove: (from: number, to: number) => void;
  onRemove: (index: number) => void;
}

/**
 * The encounter's diagnoses, primary first. Each row is focusable: P makes it primary,
 * Alt+↑/↓ moves it, Delete removes it.
 */
export function DiagnosisList({ diagnoses, onMove, onRemove }: Props) {
  function onKeyDown(e: KeyboardEvent, i: number) {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'p' || e.key === 'P') onMove(i, 0);
    else if (e.altKey && e.key === 'ArrowUp' && i > 0) onMove(i, i - 1);
    else if (e.altKey && e.key === 'ArrowDown' && i < diagnoses.length - 1) onMove(i, i + 1);
    else if (e.key === 'Delete' || e.key === 'Backspace') onRemove(i);
    else return;
    e.preventDefault();
  }
  return (
    <ol class="dx-list" aria-label="Diagnoses, primary first">
      {diagnoses.map((d, i) => (
        <li
          key={`${d.code}-${i}`}
          class="dx"
          data-code={d.code}
          tabIndex={0}
          aria-keyshortcuts="P Alt+ArrowUp Alt+ArrowDown Delete"
          onKeyDown={(e) => onKeyDown(e, i)}
        >
          <span class="pos" title="Diagnosis pointer">
            {i + 1}
          </span>
          <span class="code">{d.code}</span> <span class="display">{d.display}</span>
          {i === 0 && <span class="tag primary">primary</span>}
          <span class="actions">
            {i > 0 && (
              <button
                type="button"
                aria-label={`Make ${d.code} primary`}
                onClick={() => onMove(i, 0)}
              >
                ↑ Primary
              </button>
            )}
            <button type="button" aria-label={`Remove ${d.code}`} onClick={() => onRemove(i)}>
              ✕
            </button>
          </span>
        </li>
      ))}
    </ol>
  );
}
