import { useCallback, useEffect, useState } from 'preact/hooks';
import type { EncounterCoding, Finding } from '../../src/coding/coding-model.ts';
import { CLAIM_LIMITS } from '../../src/coding/coding-model.ts';
import type { CodeEntry } from '../../src/codes/code-set.ts';
import { ApiError, type Api } from './api.ts';
import { BilledCoding, type Billed } from './billed-coding.tsx';
import { CodeSearch } from './code-search.tsx';
import * as S from './coding-state.ts';
import { DiagnosisList } from './diagnosis-list.tsx';
import { EmLevelPanel } from './em-level-panel.tsx';
import { FindingsList } from './findings-list.tsx';
import { KeyboardHelp } from './keyboard-help.tsx';
import { LineList } from './line-list.tsx';
import { mergeCoding } from './merge-coding.ts';
import { SuggestionsBar, type Suggestion } from './suggestions-bar.tsx';

interface CodingAnswer {
  coding: EncounterCoding;
  findings: Finding[];
  signedOff: boolean;
  encounterStatus: string;
  suggestions?: { diagnoses: Suggestion[]; services: Suggestion[] };
  /** Edits that are off, or check against data for another date (src/codes/data-coverage.ts). */
  coverage?: string[];
  /** Set once the claim went to the payer: the coding is shown as billed, read-only. */
  billed?: Billed;
}

type Notice = { kind: 'info' | 'error' | 'conflict'; text: string; notes?: string[] } | undefined;

/** The coding panel: diagnoses (primary first), service lines, live edits, save and sign-off. */
export function CodingPanel({ api }: { api: Api }) {
  const [base, setBase] = useState<EncounterCoding | undefined>();
  const [draft, setDraft] = useState<S.Draft | undefined>();
  const [findings, setFindings] = useState<Finding[]>([]);
  const [suggestions, setSuggestions] = useState<CodingAnswer['suggestions']>();
  const [signedOff, setSignedOff] = useState(false);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice>();
  const [coverage, setCoverage] = useState<string[]>([]);
  const [billed, setBilled] = useState<Billed | undefined>();

  const accept = useCallback((answer: CodingAnswer) => {
    setBase(answer.coding);
    setDraft(S.draftFrom(answer.coding));
    setFindings(answer.findings);
    setSignedOff(answer.signedOff);
    if (answer.suggestions) setSuggestions(answer.suggestions);
    if (answer.coverage) setCoverage(answer.coverage);
    setBilled(answer.billed);
    setDirty(false);
  }, []);

  useEffect(() => {
    api<CodingAnswer>('/api/coding')
      .then(accept)
      .catch((e: unknown) => setNotice({ kind: 'error', text: message(e) }));
  }, [api, accept]);

  // Edits run as the clinician types: re-checked shortly after each change.
  useEffect(() => {
    if (!draft || !dirty) return;
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      api<{ findings: Finding[] }>('/api/edits', {
        method: 'POST',
        body: { coding: draft.coding },
        signal: ctrl.signal,
      })
        .then((r) => setFindings(r.findings))
        .catch(() => undefined);
    }, 120);
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
    if (!draft || busy) return;
    setBusy(true);
    setNotice(undefined);
    try {
      const body = {
        coding: draft.coding,
        keys: draft.keys,
        signOff,
        seen: seenOf(base ?? draft.coding),
      };
      accept(await api<CodingAnswer>('/api/coding', { method: 'PUT', body }));
      setNotice({
        kind: 'info',
        text: signOff ? 'Signed off: the charges are ready for billing.' : 'Saved.',
      });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'FHIR_CONFLICT' && base)
        await mergeWithLatest(base, draft);
      else setNotice({ kind: 'error', text: message(e) });
    } finally {
      setBusy(false);
    }
  }

  /** Someone else saved first: merge their coding with this tab's edits and let the clinician review it. */
  async function mergeWithLatest(mineBase: EncounterCoding, mine: S.Draft) {
    const latest = await api<CodingAnswer>('/api/coding');
    const merged = mergeCoding(mineBase, mine.coding, mine.keys, latest.coding);
    setBase(latest.coding);
    setDraft({ coding: merged.coding, keys: merged.keys });
    setDirty(true);
    setNotice({
      kind: 'conflict',
      text: 'Someone else saved this encounter’s coding while you were editing. Nothing was overwritten: ChartBill merged their changes with yours. Review, then save again.',
      notes: merged.notes,
    });
  }

  /**
   * A one-click fix: a modifier (57 replaces 25 and back), or another code in place of the one the
   * finding is about, pointers kept consistent (coding-state.ts). Never for a pricing finding: a
   * code follows the documentation, not the price list (USERS.md, coders and compliance).
   */
  async function applySuggestion(f: Finding, suggestion: string) {
    if (!draft || !f.target || f.category === 'pricing') return;
    const { kind, index } = f.target;
    if (kind === 'line' && /^[A-Z0-9]{2}$/.test(suggestion)) {
      change(S.applyModifier(draft, index, suggestion));
      return;
    }
    if (kind === 'diagnosis' && f.rule === 'dx-excludes1') {
      // Keep the chosen code of the pair; the other goes, its lines pointing at the kept one.
      const dxs = draft.coding.diagnoses;
      const keep = dxs.findIndex((d) => d.code === suggestion);
      const drop = dxs.findIndex(
        (d) => d.code !== suggestion && (f.suggestions ?? []).includes(d.code),
      );
      if (keep >= 0 && drop >= 0) change(S.mergeDiagnosisInto(draft, drop, keep));
      return;
    }
    const { results } = await api<{ results: CodeEntry[] }>(
      `/api/codes/search?kind=${kind === 'line' ? 'service' : 'diagnosis'}&q=${encodeURIComponent(suggestion)}&limit=5`,
    );
    const entry = results.find((r) => r.code === suggestion);
    if (!entry) return;
    change(
      kind === 'line'
        ? S.replaceLineCode(draft, index, entry)
        : S.replaceDiagnosisCode(draft, index, entry),
    );
  }

  function onPanelKeyDown(e: KeyboardEvent) {
    const focus = (id: string) => document.getElementById(id)?.focus();
    if (e.altKey && (e.key === 'd' || e.key === 'D')) focus('search-diagnosis');
    else if (e.altKey && (e.key === 's' || e.key === 'S')) focus('search-service');
    else if ((e.ctrlKey || e.metaKey) && e.key === 's') void save(false);
    else if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') void save(true);
    else return;
    e.preventDefault();
  }

  if (!draft) return <p class="loading">{notice?.text ?? 'Loading the encounter’s coding…'}</p>;
  if (billed)
    return <BilledCoding api={api} billed={billed} coding={draft.coding} findings={findings} />;
  const { diagnoses, lines } = draft.coding;
  const blocking = findings.some((f) => f.severity === 'error');
  const fullDx = diagnoses.length >= CLAIM_LIMITS.maxDiagnoses;
  return (
    <div class="coding-panel" onKeyDown={onPanelKeyDown}>
      {notice && (
        <div class={`notice ${notice.kind}`} role={notice.kind === 'info' ? 'status' : 'alert'}>
          {notice.text}
          {notice.notes && notice.notes.length > 0 && (
            <ul>
              {notice.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <section aria-labelledby="dx-h">
        <h2 id="dx-h">
          Diagnoses{' '}
          <span class="count">
            {diagnoses.length}/{CLAIM_LIMITS.maxDiagnoses}
          </span>
        </h2>
        <CodeSearch
          api={api}
          kind="diagnosis"
          label="Add diagnosis (ICD-10-CM)"
          placeholder={fullDx ? 'A claim holds 12 diagnoses' : 'e.g. htn, E11.9, knee pain'}
          onPick={(e) => change(S.addDiagnosis(draft, e))}
        />
        <SuggestionsBar
          title="From the chart"
          items={(suggestions?.diagnoses ?? []).filter(
            (s) => !diagnoses.some((d) => d.code === s.code),
          )}
          onAdd={(s) => change(S.addDiagnosis(draft, s))}
        />
        <DiagnosisList
          diagnoses={diagnoses}
          onMove={(from, to) => change(S.moveDiagnosis(draft, from, to))}
          onRemove={(i) => change(S.removeDiagnosis(draft, i))}
        />
      </section>
      <section aria-labelledby="svc-h">
        <h2 id="svc-h">Services</h2>
        <CodeSearch
          api={api}
          kind="service"
          label="Add service (CPT/HCPCS)"
          placeholder="e.g. 99213, flu vaccine"
          onPick={(e) => change(S.addLine(draft, e))}
        />
        <SuggestionsBar
          title="Documented procedures"
          items={(suggestions?.services ?? []).filter((s) => !lines.some((l) => l.code === s.code))}
          onAdd={(s) => change(S.addLine(draft, s))}
        />
        <LineList
          lines={lines}
          diagnoses={diagnoses}
          onChange={(i, patch) => change(S.updateLine(draft, i, patch))}
          onTogglePointer={(i, p) => change(S.togglePointer(draft, i, p))}
          onRemove={(i) => change(S.removeLine(draft, i))}
        />
      </section>
      <FindingsList
        findings={findings}
        onSuggestion={(f, s) => void applySuggestion(f, s)}
        label={(f, s) => S.fixLabel(f, s, draft.coding)}
        onOverride={(f, reason) => {
          const index = f.target?.kind === 'diagnosis' ? f.target.index : -1;
          const dx = draft.coding.diagnoses[index];
          if (!dx) return;
          const overrides = [
            ...(dx.overrides ?? []).filter((o) => o.rule !== f.rule),
            { rule: f.rule, reason },
          ];
          const diagnoses = draft.coding.diagnoses.map((d, i) =>
            i === index ? { ...d, overrides } : d,
          );
          change({ ...draft, coding: { ...draft.coding, diagnoses } });
        }}
      />
      <EmLevelPanel
        lines={lines}
        onChange={(i, emDocumentation) => change(S.updateLine(draft, i, { emDocumentation }))}
      />
      <div class="actions-bar">
        <KeyboardHelp />
        <button
          type="button"
          disabled={busy || !dirty}
          aria-keyshortcuts="Control+S"
          onClick={() => void save(false)}
        >
          Save draft
        </button>
        <button
          type="button"
          class="primary"
          disabled={busy || blocking || (signedOff && !dirty)}
          aria-keyshortcuts="Control+Enter"
          onClick={() => void save(true)}
        >
          {signedOff && !dirty ? 'Signed off' : 'Sign off'}
        </button>
      </div>
      {coverage.length > 0 && (
        <footer class="data-coverage" aria-label="Edits not checked">
          <details>
            <summary>
              {coverage.length} edit{coverage.length === 1 ? '' : 's'} not fully checked for this
              date of service
            </summary>
            <ul>
              {coverage.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          </details>
        </footer>
      )}
    </div>
  );
}

/** The versions this tab's copy was based on, so the server can tell what it has not seen. */
function seenOf(coding: EncounterCoding): {
  conditions: Record<string, string>;
  chargeItems: Record<string, string>;
} {
  const conditions: Record<string, string> = {};
  const chargeItems: Record<string, string> = {};
  for (const d of coding.diagnoses)
    if (d.conditionId) conditions[d.conditionId] = d.versionId ?? '';
  for (const l of coding.lines) if (l.chargeItemId) chargeItems[l.chargeItemId] = l.versionId ?? '';
  return { conditions, chargeItems };
}

function message(e: unknown): string {
  if (e instanceof ApiError) return e.hint ? `${e.message} ${e.hint}` : e.message;
  return 'ChartBill could not reach its server. Check the connection and try again.';
}
