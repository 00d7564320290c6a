import { useCallback, useEffect, useState } from 'preact/hooks';
import type { EncounterCoding, Finding } from '../../src/coding/coding-model.ts';
import type { CodeEntry } from '../../src/codes/code-set.ts';
import { ApiError, type Api } from './api.ts';
import { CodeSearch } from './code-search.tsx';
import * as S from './coding-state.ts';
import { FindingsList } from './findings-list.tsx';

interface CodingAnswer {
  coding: EncounterCoding;
  findings: Finding[];
  signedOff: boolean;
  encounterStatus: string;
}

type Notice = { kind: 'info' | 'error' | 'conflict'; text: string } | undefined;

/** The coding panel: diagnoses (primary first), service lines, live edits, save and sign-off. */
export function CodingPanel({ api }: { api: Api }) {
  const [draft, setDraft] = useState<S.Draft | undefined>();
  const [findings, setFindings] = useState<Finding[]>([]);
  const [signedOff, setSignedOff] = useState(false);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice>();

  const load = useCallback(async () => {
    const answer = await api<CodingAnswer>('/api/coding');
    setDraft(S.draftFrom(answer.coding));
    setFindings(answer.findings);
    setSignedOff(answer.signedOff);
    setDirty(false);
  }, [api]);

  useEffect(() => {
    load().catch((e: unknown) => setNotice({ kind: 'error', text: message(e) }));
  }, [load]);

  // Edits run as the clinician types: re-checked shortly after each change.
  useEffect(() => {
    if (!draft || !dirty) return;
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      api<{ findings: Finding[] }>('/api/edits', { method: 'POST', body: { coding: draft.coding }, signal: ctrl.signal })
        .then((r) => setFindings(r.findings))
        .catch(() => undefined);
    }, 150);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [draft, dirty, api]);

  const change = (next: S.Draft) => {
    setDraft(next);
    setDirty(true);
    setSignedOff(false);
  };

  async function save(signOff: boolean) {
    if (!draft) return;
    setBusy(true);
    setNotice(undefined);
    try {
      const answer = await api<CodingAnswer>('/api/coding', { method: 'PUT', body: { coding: draft.coding, keys: draft.keys, signOff } });
      setDraft(S.draftFrom(answer.coding));
      setFindings(answer.findings);
      setSignedOff(answer.signedOff);
      setDirty(false);
      setNotice({ kind: 'info', text: signOff ? 'Signed off: the charges are ready for billing.' : 'Saved.' });
    } catch (e) {
      const conflict = e instanceof ApiError && e.code === 'FHIR_CONFLICT';
      setNotice({ kind: conflict ? 'conflict' : 'error', text: conflict ? 'Someone else changed this encounter’s coding since you opened it. Nothing of yours was overwritten.' : message(e) });
    } finally {
      setBusy(false);
    }
  }

  async function applySuggestion(f: Finding, suggestion: string) {
    if (!draft || !f.target) return;
    if (f.target.kind === 'line' && /^[A-Z0-9]{2}$/.test(suggestion)) {
      const line = draft.coding.lines[f.target.index];
      if (line && !line.modifiers.includes(suggestion)) change(S.updateLine(draft, f.target.index, { modifiers: [...line.modifiers, suggestion] }));
      return;
    }
    if (f.target.kind === 'diagnosis') {
      const { results } = await api<{ results: CodeEntry[] }>(`/api/codes/search?kind=diagnosis&q=${encodeURIComponent(suggestion)}&limit=1`);
      const entry = results.find((r) => r.code === suggestion);
      if (entry) change(S.replaceDiagnosisCode(draft, f.target.index, entry));
    }
  }

  if (!draft) return <p class="loading">{notice?.text ?? 'Loading the encounter’s coding…'}</p>;
  const { diagnoses, lines } = draft.coding;
  const blocking = findings.some((f) => f.severity === 'error');
  return (
    <div class="coding-panel">
      {notice && (
        <div class={`notice ${notice.kind}`} role={notice.kind === 'info' ? 'status' : 'alert'}>
          {notice.text}
          {notice.kind === 'conflict' && (
            <button type="button" onClick={() => void load().then(() => setNotice({ kind: 'info', text: 'Loaded the latest coding; re-apply your changes.' }))}>
              Load the latest version
            </button>
          )}
        </div>
      )}
      <section aria-labelledby="dx-h">
        <h2 id="dx-h">Diagnoses <span class="count">{diagnoses.length}/12</span></h2>
        <CodeSearch api={api} kind="diagnosis" label="Add diagnosis (ICD-10-CM)" placeholder="e.g. htn, E11.9, knee pain" onPick={(e) => change(S.addDiagnosis(draft, e))} />
        <ol class="dx-list">
          {diagnoses.map((d, i) => (
            <li key={`${d.code}-${i}`} class="dx" data-code={d.code}>
              <span class="pos" title="Diagnosis pointer">{i + 1}</span>
              <span class="code">{d.code}</span> <span class="display">{d.display}</span>
              {i === 0 && <span class="tag primary">primary</span>}
              <span class="actions">
                {i > 0 && (
                  <button type="button" aria-label={`Make ${d.code} primary`} onClick={() => change(S.moveDiagnosis(draft, i, 0))}>
                    ↑ Primary
                  </button>
                )}
                <button type="button" aria-label={`Remove ${d.code}`} onClick={() => change(S.removeDiagnosis(draft, i))}>
                  ✕
                </button>
              </span>
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="svc-h">
        <h2 id="svc-h">Services</h2>
        <CodeSearch api={api} kind="service" label="Add service (CPT/HCPCS)" placeholder="e.g. 99213, flu vaccine" onPick={(e) => change(S.addLine(draft, e))} />
        <ul class="line-list">
          {lines.map((l, i) => (
            <li key={`${l.code}-${i}`} class="line" data-code={l.code}>
              <div class="line-head">
                <span class="code">{l.code}</span> <span class="display">{l.display}</span>
                <button type="button" aria-label={`Remove ${l.code}`} onClick={() => change(S.removeLine(draft, i))}>
                  ✕
                </button>
              </div>
              <div class="line-fields">
                <label>
                  Units
                  <input type="number" min={1} max={999} value={l.units} onInput={(e) => change(S.updateLine(draft, i, { units: Number((e.target as HTMLInputElement).value) }))} />
                </label>
                <label>
                  Modifiers
                  <input type="text" value={l.modifiers.join(' ')} placeholder="25 59" onChange={(e) => change(S.updateLine(draft, i, { modifiers: S.parseModifiers((e.target as HTMLInputElement).value) }))} />
                </label>
              </div>
              <fieldset class="pointers">
                <legend>Diagnosis pointers for {l.code}</legend>
                {diagnoses.map((d, p) => (
                  <label key={d.code} class="pointer">
                    <input type="checkbox" checked={l.pointers.includes(p + 1)} onChange={() => change(S.togglePointer(draft, i, p + 1))} />
                    {p + 1} {d.code}
                  </label>
                ))}
              </fieldset>
            </li>
          ))}
        </ul>
      </section>
      <FindingsList findings={findings} onSuggestion={(f, s) => void applySuggestion(f, s)} />
      <div class="actions-bar">
        <button type="button" disabled={busy || !dirty} onClick={() => void save(false)}>
          Save draft
        </button>
        <button type="button" class="primary" disabled={busy || blocking || (signedOff && !dirty)} onClick={() => void save(true)}>
          {signedOff && !dirty ? 'Signed off' : 'Sign off'}
        </button>
      </div>
    </div>
  );
}

function message(e: unknown): string {
  if (e instanceof ApiError) return e.hint ? `${e.message} ${e.hint}` : e.message;
  return 'ChartBill could not reach its server. Check the connection and try again.';
}
