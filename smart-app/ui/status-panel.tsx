import { useEffect, useState } from 'preact/hooks';
import type { ClaimView, StatusView } from '../status/status-model.ts';
import { ApiError, type Api } from './api.ts';

const STAGE_LABEL: Record<ClaimView['stage'], string> = {
  held: 'Held',
  submitted: 'Submitted',
  queued: 'With the payer',
  paid: 'Paid',
  'partially-paid': 'Partially paid',
  denied: 'Denied',
  reversed: 'Reversed; replaced',
};

const money = (n: number | undefined) => (n === undefined ? '—' : `$${n.toFixed(2)}`);

/** Claim status in the chart: each claim's timeline, the payer's answer, and open work items. Refreshes itself. */
export function StatusPanel({ api, refreshMs = 4000 }: { api: Api; refreshMs?: number }) {
  const [status, setStatus] = useState<StatusView | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let stopped = false;
    // Refreshes after the first are the panel's own doing: they do not keep an idle session alive.
    const load = (background = false) =>
      api<StatusView>('/api/status', { background })
        .then((s) => {
          if (!stopped) {
            setStatus(s);
            setError(undefined);
          }
        })
        // Keep the last good view on a failed refresh: an outage must not blank the page.
        .catch(
          (e: unknown) =>
            !stopped &&
            setError(e instanceof ApiError ? e.message : 'Could not refresh the claim status.'),
        );
    void load();
    const timer = setInterval(() => void load(true), refreshMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api, refreshMs]);

  if (!status) return <p class="loading">{error ?? 'Loading claim status…'}</p>;
  const forEncounter = status.claims.filter((c) => c.encounterId === status.encounterId);
  const others = status.claims.filter((c) => c.encounterId !== status.encounterId);
  return (
    <div class="status-panel">
      {error && (
        <p class="notice error" role="alert">
          {error} Showing the last known status.
        </p>
      )}
      <section aria-labelledby="enc-claims-h">
        <h2 id="enc-claims-h">This encounter</h2>
        {forEncounter.length === 0 ? (
          <p class="muted">
            No claim yet. A claim is made when the encounter is finished and its charges are signed
            off.
          </p>
        ) : (
          forEncounter.map((c) => <ClaimCard key={c.claimId} claim={c} />)
        )}
      </section>
      {status.tasks.length > 0 && (
        <section aria-labelledby="tasks-h">
          <h2 id="tasks-h">Work items</h2>
          <ul class="tasks">
            {status.tasks.map((t) => (
              <li key={t.id} class="task">
                <strong>{t.title}</strong>
                <div>{t.description}</div>
                {t.dueDate && <div class="due">Due {t.dueDate}</div>}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="pt-claims-h">
        <h2 id="pt-claims-h">Patient’s other claims</h2>
        {others.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          others.map((c) => <ClaimCard key={c.claimId} claim={c} />)
        )}
      </section>
    </div>
  );
}

function ClaimCard({ claim }: { claim: ClaimView }) {
  return (
    <article
      class={`claim stage-${claim.stage}`}
      data-claim-id={claim.claimId}
      aria-label={`Claim for ${claim.serviceDate ?? 'unknown date'}: ${STAGE_LABEL[claim.stage]}`}
    >
      <header>
        <span class="claim-stage">{STAGE_LABEL[claim.stage]}</span>
        <span class="muted"> · service {claim.serviceDate ?? '—'}</span>
      </header>
      <dl class="amounts">
        <dt>Billed</dt>
        <dd>{money(claim.billed)}</dd>
        <dt>Allowed</dt>
        <dd>{money(claim.allowed)}</dd>
        {claim.expected !== undefined && (
          <>
            <dt title={claim.expectedBasis}>Expected</dt>
            <dd class="expected">{money(claim.expected)}</dd>
          </>
        )}
        <dt>Paid</dt>
        <dd class="paid">{money(claim.paid)}</dd>
        <dt>Patient owes</dt>
        <dd class="patient-resp">{money(claim.patientResponsibility)}</dd>
      </dl>
      {claim.denialReasons.length > 0 && (
        <ul class="denials">
          {claim.denialReasons.map((r) => (
            <li key={`${r.system}-${r.code}`}>
              <strong>
                {r.system} {r.code}
              </strong>
              : {r.text}
              {r.nextStep && <div class="next-step">Next: {r.nextStep}</div>}
            </li>
          ))}
        </ul>
      )}
      <ol class="timeline">
        {claim.steps.map((s, i) => (
          <li key={i} class={`step ${s.state}`}>
            {s.label}
            {s.date && <span class="muted"> {s.date}</span>}
            {s.detail && <div class="detail">{s.detail}</div>}
          </li>
        ))}
      </ol>
    </article>
  );
}
