import type { Finding } from '../../src/coding/coding-model.ts';

interface Props {
  findings: Finding[];
  onSuggestion: (finding: Finding, suggestion: string) => void;
  /** The words on a fix's button (what clicking it does); by default "Use X" / "Add modifier X". */
  label?: (finding: Finding, suggestion: string) => string;
  /** Keeps the code an overridable edit objects to, with the clinician's reason. */
  onOverride?: (finding: Finding, reason: string) => void;
}

/** Coding edits, errors first, each naming the rule and what to do, with one-click fixes. */
export function FindingsList({ findings, onSuggestion, label, onOverride }: Props) {
  const sorted = [...findings].sort(
    (a, b) => Number(b.severity === 'error') - Number(a.severity === 'error'),
  );
  return (
    <section class="findings" aria-labelledby="findings-h">
      <h2 id="findings-h">Coding edits</h2>
      <div aria-live="polite">
        {sorted.length === 0 ? (
          <p class="ok">No problems found.</p>
        ) : (
          <ul>
            {sorted.map((f, i) => (
              <li key={`${f.rule}-${i}`} class={`finding ${f.severity}`} data-rule={f.rule}>
                <strong>{f.severity === 'error' ? 'Error' : 'Warning'}:</strong> {f.message}
                {f.fix && <div class="fix">{f.fix}</div>}
                {f.suggestions && f.suggestions.length > 0 && (
                  <div class="suggestions">
                    {f.suggestions.slice(0, 8).map((s) => (
                      <button type="button" key={s} class="chip" onClick={() => onSuggestion(f, s)}>
                        {label
                          ? label(f, s)
                          : /^[A-Z0-9]{2}$/.test(s)
                            ? `Add modifier ${s}`
                            : `Use ${s}`}
                      </button>
                    ))}
                  </div>
                )}
                {f.overridable && onOverride && (
                  <button
                    type="button"
                    class="chip override"
                    onClick={() => {
                      const reason = window.prompt('Why keep this code? The reason is recorded.');
                      if (reason?.trim()) onOverride(f, reason.trim());
                    }}
                  >
                    Keep it and record why…
                  </button>
                )}
                <span class="rule">rule {f.rule}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
