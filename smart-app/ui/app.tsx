import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, createApi, forgetSession } from './api.ts';
import { CodingPanel } from './coding-panel.tsx';
import { loadSmartStyle } from './smart-style.ts';
import { StatusPanel } from './status-panel.tsx';

interface Context {
  patient: { id: string; name: string; birthDate?: string; gender?: string } | null;
  encounter: {
    id: string;
    status: string;
    date?: string;
    type?: string;
    practitioner?: string;
  } | null;
  needPatientBanner: boolean;
  missingScopes: { scope: string; effect: string }[];
}

type Tab = 'code' | 'status';

/** The app: patient banner, then the coding panel or the claim status, in a pane as narrow as 400 px. */
export function App({ handle }: { handle: string | undefined }) {
  const api = useMemo(() => createApi(handle), [handle]);
  const [ctx, setCtx] = useState<Context | undefined>();
  const [error, setError] = useState<{ text: string; hint?: string } | undefined>(
    handle
      ? undefined
      : {
          text: 'ChartBill has no session in this tab.',
          hint: 'Open ChartBill from the encounter in your EHR.',
        },
  );
  const [tab, setTab] = useState<Tab>('code');
  const [signedOut, setSignedOut] = useState(false);

  /** Signs out here and at the EHR (DELETE /api/session revokes the grant), then forgets the handle. */
  const signOut = () => {
    void api('/api/session', { method: 'DELETE' })
      .catch(() => undefined)
      .then(() => {
        forgetSession();
        setSignedOut(true);
      });
  };

  useEffect(() => {
    if (!handle) return;
    history.replaceState(null, '', '/app'); // drop ?code=&state= from the address bar and history
    void loadSmartStyle(api); // the EHR's look (smart_style_url), when it gave one
    api<Context>('/api/context')
      .then(setCtx)
      .catch((e: unknown) =>
        setError(
          e instanceof ApiError
            ? { text: e.message, ...(e.hint ? { hint: e.hint } : {}) }
            : { text: 'ChartBill could not reach its server.' },
        ),
      );
  }, [api, handle]);

  if (signedOut) {
    return (
      <main class="error-page">
        <h1>Signed out</h1>
        <p role="status">You are signed out of ChartBill.</p>
        <p>To code again, relaunch ChartBill from the encounter in your EHR.</p>
      </main>
    );
  }
  if (error) {
    return (
      <main class="error-page">
        <h1>ChartBill cannot open</h1>
        <p role="alert">{error.text}</p>
        {error.hint && <p>{error.hint}</p>}
      </main>
    );
  }
  if (!ctx) return <p class="loading">Loading…</p>;
  return (
    <div class="app">
      {ctx.needPatientBanner && ctx.patient && (
        <header class="banner" aria-label="Patient">
          <strong class="patient-name">{ctx.patient.name}</strong>
          <span>{ctx.patient.gender}</span>
          <span>DOB {ctx.patient.birthDate ?? '—'}</span>
        </header>
      )}
      {ctx.encounter && (
        <p class="encounter-line">
          Encounter {ctx.encounter.date?.slice(0, 10) ?? ''} · {ctx.encounter.type ?? 'visit'} ·{' '}
          {ctx.encounter.practitioner ?? ''} ·{' '}
          <span class="enc-status">{ctx.encounter.status}</span>
        </p>
      )}
      {ctx.missingScopes.length > 0 && (
        <div class="notice error" role="alert">
          The EHR did not grant everything ChartBill needs:
          <ul>
            {ctx.missingScopes.map((m) => (
              <li key={m.scope}>
                <code>{m.scope}</code>: {m.effect}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="top-bar">
        <nav class="tabs" role="tablist" aria-label="ChartBill views">
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'code'}
            onClick={() => setTab('code')}
          >
            Code
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'status'}
            onClick={() => setTab('status')}
          >
            Claim status
          </button>
        </nav>
        <button type="button" class="sign-out" onClick={signOut}>
          Sign out
        </button>
      </div>
      <main>{tab === 'code' ? <CodingPanel api={api} /> : <StatusPanel api={api} />}</main>
    </div>
  );
}
