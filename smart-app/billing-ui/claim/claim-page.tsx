import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { BillingMe } from '../../../src/billing-office/billing-api.ts';
import type { ClaimDetail } from '../../../src/billing-office/claim-detail-types.ts';
import { billingSession, createApi, problemOf } from '../api.ts';
import { money } from '../format.ts';
import { Link } from '../link.tsx';
import { Problem } from '../problem.tsx';
import { ClaimActions } from './claim-actions.tsx';
import { ClaimTimeline } from './claim-timeline.tsx';

/**
 * The claim detail at `/billing/claims/:claimId` (issue 17, item 3): the lines with their amounts
 * and adjustment reasons, the denials with what to do, the whole history as one timeline, the
 * coding as the clinician left it with the edits that fire, and the actions the user's roles
 * allow (each one checked again by the server).
 */
export function ClaimPage({ claimId }: { claimId: string }) {
  const api = useMemo(() => createApi(billingSession()), []);
  const [detail, setDetail] = useState<ClaimDetail | undefined>();
  const [me, setMe] = useState<BillingMe | undefined>();
  const [problem, setProblem] = useState<ReturnType<typeof problemOf> | undefined>();
  const load = useCallback(() => {
    setProblem(undefined);
    Promise.all([
      api<ClaimDetail>(`/api/billing/claims/${encodeURIComponent(claimId)}`),
      api<BillingMe>('/api/billing/me'),
    ])
      .then(([d, m]) => {
        setDetail(d);
        setMe(m);
      })
      .catch((e: unknown) => setProblem(problemOf(e)));
  }, [api, claimId]);
  useEffect(load, [load]);

  if (problem)
    return (
      <Problem title={`Claim ${claimId} could not be shown`} problem={problem} onRetry={load} />
    );
  if (!detail || !me)
    return (
      <p class="loading" role="status">
        Loading the claim…
      </p>
    );
  const t = detail.totals;
  return (
    <section class="claim-page" aria-labelledby="claim-heading">
      <p>
        <Link href="/billing">Back to the work queue</Link>
      </p>
      <h1 id="claim-heading">
        Claim {detail.claimId} · {detail.patient.name}
      </h1>
      <p class="claim-facts" data-testid="claim-state">
        {detail.payer ?? 'Payer unknown'} · service {detail.serviceDate ?? 'unknown'} ·{' '}
        <strong>{stateWords(detail)}</strong>
        {detail.frequency !== '1' && ` · frequency ${detail.frequency}`}
        {detail.payerClaimNumber && ` · payer claim number ${detail.payerClaimNumber}`}
      </p>
      {detail.replaces && (
        <p>
          Replaces{' '}
          <Link href={`/billing/claims/${detail.replaces.replace('Claim/', '')}`}>
            {detail.replaces}
          </Link>
        </p>
      )}
      {detail.replacedBy && (
        <p>
          Replaced by{' '}
          <Link href={`/billing/claims/${detail.replacedBy.replace('Claim/', '')}`}>
            {detail.replacedBy}
          </Link>
        </p>
      )}
      <dl class="claim-totals">
        {(
          [
            ['Billed', t.billed],
            ['Allowed', t.allowed],
            ['Paid', t.paid],
            ['Patient', t.patient],
            ['Written off', t.writtenOff],
            ['On statements', t.billedToPatient],
            ['Open balance', t.balance],
          ] as const
        ).map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{money(value)}</dd>
          </div>
        ))}
      </dl>
      <ClaimLines detail={detail} />
      {detail.denials.length > 0 && (
        <section aria-labelledby="denials-h">
          <h2 id="denials-h">Why the payer denied</h2>
          <ul>
            {detail.denials.map((d, i) => (
              <li key={`${d.carc}-${String(i)}`}>
                <strong>
                  {d.itemSequence !== undefined ? `Line ${String(d.itemSequence)}: ` : ''}
                  {d.group ? `${d.group}-` : ''}
                  {d.carc}
                  {d.rarc ? ` (${d.rarc})` : ''}
                </strong>{' '}
                {d.text} <span class="hint">Next: {d.nextStep}</span>
              </li>
            ))}
          </ul>
          {detail.appealDeadline && <p>Appeal deadline: {detail.appealDeadline}</p>}
        </section>
      )}
      <ClaimActions api={api} me={me} detail={detail} onDone={load} />
      <section aria-labelledby="coding-h">
        <h2 id="coding-h">Coding as the clinician left it</h2>
        <p>
          Diagnoses:{' '}
          {detail.coding.diagnoses.map((d, i) => `${String(i + 1)}. ${d.code}`).join(', ') ||
            'none'}
        </p>
        {detail.findings.length === 0 ? (
          <p>No edit fires on this coding.</p>
        ) : (
          <ul class="findings">
            {detail.findings.map((f, i) => (
              <li key={`${f.rule}-${String(i)}`} class={f.severity}>
                {f.severity === 'error' ? 'Error' : 'Warning'}: {f.message}
              </li>
            ))}
          </ul>
        )}
      </section>
      <ClaimTimeline events={detail.timeline} gaps={detail.historyGaps} />
    </section>
  );
}

/** The claim's state in words, from the adjudication (`answer`), not the FHIR `outcome`. */
function stateWords(d: ClaimDetail): string {
  if (d.status === 'cancelled') return 'voided';
  switch (d.answer) {
    case 'paid':
      return 'paid';
    case 'partly denied':
      return 'partly denied';
    case 'denied':
      return 'denied';
    case 'rejected':
      return 'rejected by the payer';
    case 'waiting':
      return 'waiting for the payer';
    case 'reversed':
      // The visit's state is now its replacement's (linked below).
      return d.replacement?.answer
        ? `reversed by the payer; its replacement: ${d.replacement.answer}`
        : 'reversed by the payer';
    default:
      return d.status === 'draft' ? 'held before submission' : 'submitted';
  }
}

function ClaimLines({ detail }: { detail: ClaimDetail }) {
  return (
    <div class="table-wrap">
      <table class="claim-lines">
        <caption>Lines and what the payer did with each</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Service</th>
            <th scope="col">Diagnoses</th>
            <th scope="col" class="num">
              Billed
            </th>
            <th scope="col" class="num">
              Allowed
            </th>
            <th scope="col" class="num">
              Paid
            </th>
            <th scope="col" class="num">
              Patient
            </th>
            <th scope="col">Adjustments</th>
          </tr>
        </thead>
        <tbody>
          {detail.lines.map((l) => (
            <tr key={l.sequence} class={l.denied ? 'denied' : undefined} data-code={l.code}>
              <td>{l.sequence}</td>
              <td>
                <code>{l.code}</code>
                {l.modifiers.length > 0 && `-${l.modifiers.join('-')}`} × {l.units}
              </td>
              <td>{l.diagnoses.join(', ')}</td>
              <td class="num">{money(l.billed)}</td>
              <td class="num">{money(l.allowed)}</td>
              <td class="num">{money(l.paid)}</td>
              <td class="num">{money(l.patient)}</td>
              <td>
                {l.adjustments.length === 0
                  ? '—'
                  : l.adjustments.map((a, i) => (
                      <div key={`${a.code}-${String(i)}`}>
                        {a.group ? `${a.group}-` : ''}
                        {a.code}: {a.text}
                        {a.amount !== undefined && ` (${money(a.amount)})`}
                      </div>
                    ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
