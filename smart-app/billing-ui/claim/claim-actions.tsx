import { useState } from 'preact/hooks';
import type { BillingMe } from '../../../src/billing-office/billing-api.ts';
import type { ClaimDetail } from '../../../src/billing-office/claim-detail-types.ts';
import { problemOf, type Api } from '../api.ts';
import { AppealLetterView } from './appeal-letter-view.tsx';
import { CorrectEditor } from './correct-editor.tsx';

type Open = 'correct' | 'write-off' | 'letter' | undefined;

/**
 * The actions the user's roles allow (from /api/billing/me; the server checks them again), each
 * sent with an Idempotency-Key made once per opened action, so a double click does it once.
 */
export function ClaimActions(props: {
  api: Api;
  me: BillingMe;
  detail: ClaimDetail;
  onDone: () => void;
}) {
  const { api, me, detail, onDone } = props;
  const may = (a: string) => me.actions.includes(a);
  const [open, setOpen] = useState<Open>();
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [notice, setNotice] = useState<{ kind: 'info' | 'error'; text: string } | undefined>();
  const [amount, setAmount] = useState(String(Math.min(detail.totals.balance, me.writeOffLimit)));
  const [reason, setReason] = useState('small-balance');
  const path = `/api/billing/claims/${encodeURIComponent(detail.claimId)}`;

  async function run(action: string, body: unknown, done: string) {
    setNotice(undefined);
    try {
      await api(`${path}/${action}`, {
        method: 'POST',
        ...(body !== undefined ? { body } : {}),
        headers: { 'idempotency-key': key },
      });
      setKey(crypto.randomUUID());
      setNotice({ kind: 'info', text: done });
      if (action !== 'appeal') setOpen(undefined);
      onDone();
    } catch (e) {
      const p = problemOf(e);
      setNotice({ kind: 'error', text: `${p.text}${p.hint ? ` ${p.hint}` : ''}` });
    }
  }

  const voided = detail.status === 'cancelled' || detail.frequency === '8';
  return (
    <section aria-labelledby="actions-h" class="claim-actions">
      <h2 id="actions-h">Actions</h2>
      {notice && (
        <div class={`notice ${notice.kind}`} role={notice.kind === 'info' ? 'status' : 'alert'}>
          {notice.text}
        </div>
      )}
      <div class="actions-bar">
        {may('claim.correct') && !voided && (
          <button type="button" onClick={() => setOpen('correct')}>
            Correct and resubmit
          </button>
        )}
        {may('claim.appeal') && detail.denials.length > 0 && (
          <button
            type="button"
            onClick={() => {
              setOpen('letter');
              void run(
                'appeal',
                undefined,
                'Appeal recorded: it stays open until the payer answers.',
              );
            }}
          >
            Appeal
          </button>
        )}
        {may('claim.write-off') && detail.totals.balance > 0 && (
          <button type="button" onClick={() => setOpen('write-off')}>
            Write off
          </button>
        )}
        {may('claim.bill-patient') && detail.totals.patient > detail.totals.billedToPatient && (
          <button
            type="button"
            onClick={() => void run('bill-patient', undefined, 'Added to the patient statements.')}
          >
            Bill patient
          </button>
        )}
        {may('claim.void') && !voided && detail.payerClaimNumber && (
          <button
            type="button"
            onClick={() =>
              void run('void', undefined, 'Void requested: the worker sends it to the payer.')
            }
          >
            Void
          </button>
        )}
      </div>
      {open === 'correct' && (
        <CorrectEditor
          api={api}
          path={path}
          coding={detail.coding}
          onCancel={() => setOpen(undefined)}
          onSend={(body) =>
            run('correct', body, 'Corrected: the worker sends the replacement claim.')
          }
        />
      )}
      {open === 'write-off' && (
        <form
          class="write-off"
          aria-label="Write off"
          onSubmit={(e) => {
            e.preventDefault();
            void run('write-off', { amount: Number(amount), reason }, 'Written off.');
          }}
        >
          <label>
            Amount (USD)
            <input
              type="number"
              step="0.01"
              min="0.01"
              value={amount}
              onInput={(e) => setAmount((e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            Reason
            <select
              value={reason}
              onChange={(e) => setReason((e.target as HTMLSelectElement).value)}
            >
              <option value="small-balance">Small balance</option>
              <option value="timely-filing">Timely filing lost</option>
              <option value="contractual">Contractual</option>
            </select>
          </label>
          {Number(amount) > me.writeOffLimit && !me.roles.includes('manager') && (
            <p class="hint">Above {me.writeOffLimit} dollars only a manager may write off.</p>
          )}
          <button type="submit" class="primary">
            Write off
          </button>
          <button type="button" onClick={() => setOpen(undefined)}>
            Cancel
          </button>
        </form>
      )}
      {open === 'letter' && <AppealLetterView api={api} path={path} claimId={detail.claimId} />}
    </section>
  );
}
