import { useEffect, useState } from 'preact/hooks';
import type { EncounterCoding, Finding } from '../../../src/coding/coding-model.ts';
import type { Api } from '../api.ts';

interface Row {
  code: string;
  system: 'cpt' | 'hcpcs';
  units: string;
  modifiers: string;
  pointers: string;
  chargeItemId?: string;
  versionId?: string;
}

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);

function bodyOf(coding: EncounterCoding, rows: Row[]) {
  const seen = {
    conditions: {} as Record<string, string>,
    chargeItems: {} as Record<string, string>,
  };
  for (const d of coding.diagnoses)
    if (d.conditionId && d.versionId) seen.conditions[d.conditionId] = d.versionId;
  for (const l of coding.lines)
    if (l.chargeItemId && l.versionId) seen.chargeItems[l.chargeItemId] = l.versionId;
  return {
    coding: {
      diagnoses: coding.diagnoses.map((d) => ({
        code: d.code,
        ...(d.conditionId ? { conditionId: d.conditionId, versionId: d.versionId } : {}),
      })),
      lines: rows.map((r) => ({
        code: r.code.trim().toUpperCase(),
        system: /^[A-Z]/i.test(r.code.trim()) ? ('hcpcs' as const) : ('cpt' as const),
        units: Math.max(1, Number.parseInt(r.units, 10) || 1),
        modifiers: list(r.modifiers),
        pointers: list(r.pointers)
          .map(Number)
          .filter((n) => n >= 1),
        ...(r.chargeItemId ? { chargeItemId: r.chargeItemId, versionId: r.versionId } : {}),
      })),
    },
    seen,
  };
}

/**
 * Correct and resubmit: codes, modifiers, units and pointers edited in place, checked as they are
 * typed by the same edit engine as the clinician's panel (POST …/edits); Resubmit saves the
 * chart's coding and the worker sends the replacement claim.
 */
export function CorrectEditor(props: {
  api: Api;
  path: string;
  coding: EncounterCoding;
  onCancel: () => void;
  onSend: (body: ReturnType<typeof bodyOf>) => Promise<void>;
}) {
  const { api, path, coding } = props;
  const [rows, setRows] = useState<Row[]>(() =>
    coding.lines.map((l) => ({
      code: l.code,
      system: l.system,
      units: String(l.units),
      modifiers: l.modifiers.join(', '),
      pointers: l.pointers.join(', '),
      ...(l.chargeItemId ? { chargeItemId: l.chargeItemId, versionId: l.versionId } : {}),
    })),
  );
  const [findings, setFindings] = useState<Finding[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      api<{ findings: Finding[] }>(`${path}/edits`, {
        method: 'POST',
        body: { coding: bodyOf(coding, rows).coding },
        signal: ctrl.signal,
      })
        .then((r) => setFindings(r.findings))
        .catch(() => undefined);
    }, 150);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [api, path, coding, rows]);
  const set = (i: number, patch: Partial<Row>) =>
    setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const blocking = findings.some((f) => f.severity === 'error');
  return (
    <form
      class="correct-editor"
      aria-label="Correct and resubmit"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        void props.onSend(bodyOf(coding, rows)).finally(() => setBusy(false));
      }}
    >
      <p>
        Diagnoses (pointer numbers):{' '}
        {coding.diagnoses.map((d, i) => `${String(i + 1)} ${d.code}`).join(', ')}
      </p>
      {rows.map((r, i) => (
        <fieldset key={r.chargeItemId ?? String(i)} data-line={String(i + 1)}>
          <legend>Line {i + 1}</legend>
          <label>
            Code
            <input
              value={r.code}
              onInput={(e) => set(i, { code: (e.target as HTMLInputElement).value })}
            />
          </label>
          <label>
            Modifiers
            <input
              value={r.modifiers}
              onInput={(e) => set(i, { modifiers: (e.target as HTMLInputElement).value })}
            />
          </label>
          <label>
            Units
            <input
              inputMode="numeric"
              value={r.units}
              onInput={(e) => set(i, { units: (e.target as HTMLInputElement).value })}
            />
          </label>
          <label>
            Pointers
            <input
              value={r.pointers}
              onInput={(e) => set(i, { pointers: (e.target as HTMLInputElement).value })}
            />
          </label>
        </fieldset>
      ))}
      <ul class="findings" aria-live="polite">
        {findings.map((f, i) => (
          <li key={`${f.rule}-${String(i)}`} class={f.severity}>
            {f.severity === 'error' ? 'Error' : 'Warning'}: {f.message}
          </li>
        ))}
      </ul>
      <div class="actions-bar">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={busy || blocking}>
          Resubmit
        </button>
      </div>
    </form>
  );
}
