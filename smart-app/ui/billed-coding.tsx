import { useState } from 'preact/hooks';
import type { EncounterCoding, Finding } from '../../src/coding/coding-model.ts';
import { ApiError, type Api } from './api.ts';

/** The encounter's claim once it went to the payer (smart-app/coding/billed-state.ts). */
export interface Billed {
  claimId: string;
  state: string;
  date: string;
}

/**
 * The coding as billed (issue 17, item 5): read-only for clinicians, with the claim's state and
 * date, and a "Request a correction" form that becomes a Task for billing staff, who correct the
 * claim in the billing workspace (a replacement claim). The server refuses a save all the same.
 */
export function BilledCoding(props: {
  api: Api;
  billed: Billed;
  coding: EncounterCoding;
  findings: Finding[];
}) {
  const { api, billed, coding } = props;
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [key] = useState(() => crypto.randomUUID());
  const [notice, setNotice] = useState<{ kind: 'info' | 'error'; text: string } | undefined>();

  async function send(e: Event) {
    e.preventDefault();
    if (busy || text.trim().length < 3) return;
    setBusy(true);
    try {
      await api('/api/coding/correction-request', {
        method: 'POST',
        body: { text },
        headers: { 'idempotency-key': key },
      });
      setNotice({ kind: 'info', text: 'Sent: billing staff will correct the claim.' });
      setOpen(false);
    } catch (err) {
      setNotice({
        kind: 'error',
        text: err instanceof ApiError ? `${err.message} ${err.hint ?? ''}` : 'Not sent: try again.',
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="coding-panel billed">
      <p class="notice info" role="status">
        Billed on {billed.date}: claim {billed.claimId} is <strong>{billed.state}</strong>. The
        coding below is what was billed and can no longer be changed here.
      </p>
      {notice && (
        <div class={`notice ${notice.kind}`} role={notice.kind === 'info' ? 'status' : 'alert'}>
          {notice.text}
        </div>
      )}
      <section aria-labelledby="billed-dx-h">
        <h2 id="billed-dx-h">Diagnoses</h2>
        <ol>
          {coding.diagnoses.map((d) => (
            <li key={d.code}>
              <code>{d.code}</code> {d.display ?? ''}
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="billed-svc-h">
        <h2 id="billed-svc-h">Services</h2>
        <ul>
          {coding.lines.map((l, i) => (
            <li key={`${l.code}-${String(i)}`}>
              <code>{l.code}</code>
              {l.modifiers.length > 0 && ` modifiers ${l.modifiers.join(', ')}`} × {l.units}
              {l.pointers.length > 0 && `, diagnoses ${l.pointers.join(', ')}`}
            </li>
          ))}
        </ul>
      </section>
      {open ? (
        <form class="correction-request" onSubmit={(e) => void send(e)}>
          <label for="correction-text">What should billing correct, and why?</label>
          <textarea
            id="correction-text"
            rows={4}
            maxLength={2000}
            value={text}
            onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
          />
          <div class="actions-bar">
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" class="primary" disabled={busy || text.trim().length < 3}>
              Send to billing
            </button>
          </div>
        </form>
      ) : (
        <div class="actions-bar">
          <button type="button" class="primary" onClick={() => setOpen(true)}>
            Request a correction
          </button>
        </div>
      )}
    </div>
  );
}
