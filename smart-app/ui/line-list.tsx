import type { DiagnosisEntry, ServiceLine } from '../../src/coding/coding-model.ts';
import { parseModifiers } from './coding-state.ts';

interface Props {
  lines: ServiceLine[];
  diagnoses: DiagnosisEntry[];
  onChange: (index: number, patch: Partial<ServiceLine>) => void;
  onTogglePointer: (index: number, position: number) => void;
  onRemove: (index: number) => void;
}

/**
 * Service lines. Each row is focusable: U goes to units, M to modifiers, 1–9 toggles the pointer
 * to that diagnosis, Delete removes the line.
 */
export function LineList({ lines, diagnoses, onChange, onTogglePointer, onRemove }: Props) {
  function onKeyDown(e: KeyboardEvent, i: number) {
    if (e.target !== e.currentTarget) return;
    const row = e.currentTarget as HTMLElement;
    if (e.key === 'u' || e.key === 'U') row.querySelector<HTMLInputElement>('input.units')?.focus();
    else if (e.key === 'm' || e.key === 'M')
      row.querySelector<HTMLInputElement>('input.modifiers')?.focus();
    else if (/^[1-9]$/.test(e.key) && Number(e.key) <= diagnoses.length)
      onTogglePointer(i, Number(e.key));
    else if (e.key === 'Delete' || e.key === 'Backspace') onRemove(i);
    else return;
    e.preventDefault();
  }
  return (
    <ul class="line-list" aria-label="Service lines">
      {lines.map((l, i) => (
        <li
          key={`${l.code}-${i}`}
          class="line"
          data-code={l.code}
          tabIndex={0}
          aria-keyshortcuts="U M 1 2 3 4 Delete"
          onKeyDown={(e) => onKeyDown(e, i)}
        >
          <div class="line-head">
            <span class="code">{l.code}</span> <span class="display">{l.display}</span>
            <button type="button" aria-label={`Remove ${l.code}`} onClick={() => onRemove(i)}>
              ✕
            </button>
          </div>
          <div class="line-fields">
            <label>
              Units
              <input
                class="units"
                type="number"
                min={1}
                max={999}
                value={l.units}
                onInput={(e) =>
                  onChange(i, { units: Number((e.target as HTMLInputElement).value) })
                }
              />
            </label>
            <label>
              Modifiers
              <input
                class="modifiers"
                type="text"
                value={l.modifiers.join(' ')}
                placeholder="25 59"
                onChange={(e) =>
                  onChange(i, { modifiers: parseModifiers((e.target as HTMLInputElement).value) })
                }
              />
            </label>
          </div>
          <fieldset class="pointers">
            <legend>Diagnosis pointers for {l.code}</legend>
            {diagnoses.map((d, p) => (
              <label key={d.code} class="pointer">
                <input
                  type="checkbox"
                  checked={l.pointers.includes(p + 1)}
                  onChange={() => onTogglePointer(i, p + 1)}
                />
                {p + 1} {d.code}
              </label>
            ))}
          </fieldset>
        </li>
      ))}
    </ul>
  );
}
