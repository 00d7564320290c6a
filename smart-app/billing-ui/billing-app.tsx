import { useEffect, useMemo, useState } from 'preact/hooks';
import type { BillingMe } from '../../src/billing-office/billing-api.ts';
import { AnalyticsPage } from './analytics/analytics-page.tsx';
import { createApi, problemOf } from './api.ts';
import { ClaimPage } from './claim/claim-page.tsx';
import { Link } from './link.tsx';
import { Problem } from './problem.tsx';
import { ClaimList, isClaimList } from './queue/claim-list.tsx';
import { QueuePage } from './queue/queue-page.tsx';
import { useWhere } from './router.ts';

const ROLE_WORDS: Record<BillingMe['roles'][number], string> = {
  coder: 'Coder',
  biller: 'Biller',
  manager: 'Manager',
};

type Screen = { name: 'queue' } | { name: 'analytics' } | { name: 'claim'; claimId: string };

/** Which page an address shows; anything else under /billing is the queue. */
export function screenOf(pathname: string): Screen {
  if (/^\/billing\/analytics\/?$/.test(pathname)) return { name: 'analytics' };
  const claim = /^\/billing\/claims\/([A-Za-z0-9\-.]{1,64})\/?$/.exec(pathname);
  if (claim?.[1]) return { name: 'claim', claimId: claim[1] };
  return { name: 'queue' };
}

const TITLES: Record<Screen['name'], string> = {
  queue: 'Work queue',
  analytics: 'Analytics',
  claim: 'Claim',
};

/**
 * The billing workspace (issue 17): header with the signed-in user and roles, navigation, and
 * the page the address names. What a role may not do is hidden here and refused by the server.
 */
export function BillingApp({ handle }: { handle: string | undefined }) {
  const api = useMemo(() => createApi(handle), [handle]);
  const where = useWhere();
  const screen = screenOf(where.pathname);
  const [me, setMe] = useState<BillingMe | undefined>();
  const [problem, setProblem] = useState<ReturnType<typeof problemOf> | undefined>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!handle) return;
    setProblem(undefined);
    api<BillingMe>('/api/billing/me')
      .then(setMe)
      .catch((e: unknown) => setProblem(problemOf(e)));
  }, [api, handle, attempt]);

  useEffect(() => {
    document.title = `${TITLES[screen.name]} – ChartBill billing`;
  }, [screen.name]);

  if (!handle) return <NoSession />;
  const manager = me?.actions.includes('analytics.read') ?? false;
  return (
    <div class="workspace">
      <a class="skip" href="#main">
        Skip to the page
      </a>
      <header class="top">
        <span class="brand">ChartBill billing</span>
        <nav aria-label="Workspace">
          <Link href="/billing" aria-current={screen.name === 'queue' ? 'page' : undefined}>
            Work queue
          </Link>
          {manager && (
            <Link
              href="/billing/analytics"
              aria-current={screen.name === 'analytics' ? 'page' : undefined}
            >
              Analytics
            </Link>
          )}
        </nav>
        {me && (
          <span class="who" data-testid="who">
            {me.user.name}
            <span class="roles">
              {' '}
              · {me.roles.map((r) => ROLE_WORDS[r]).join(', ') || 'no role'}
            </span>
          </span>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {problem ? (
          <Problem
            title="The billing workspace could not open"
            problem={problem}
            onRetry={() => setAttempt((n) => n + 1)}
          />
        ) : !me ? (
          <p class="loading" role="status">
            Loading…
          </p>
        ) : screen.name === 'claim' ? (
          <ClaimPage claimId={screen.claimId} />
        ) : screen.name === 'analytics' ? (
          manager ? (
            <AnalyticsPage api={api} search={where.search} />
          ) : (
            <Problem
              title="Analytics is for billing managers"
              problem={{
                text: `Your role (${me.roles.join(', ') || 'none'}) does not include analytics.`,
                hint: 'Ask your billing manager for the manager role, or go back to the work queue.',
              }}
            />
          )
        ) : isClaimList(where.search) ? (
          <ClaimList api={api} search={where.search} />
        ) : (
          <QueuePage api={api} me={me} search={where.search} />
        )}
      </main>
    </div>
  );
}

/** No session in this tab: say how to get one. */
function NoSession() {
  return (
    <main id="main" class="workspace">
      <Problem
        title="Sign in to the billing workspace"
        problem={{
          text: 'This tab has no billing session.',
          hint: 'Open the workspace from your EHR’s “Billing” link, or sign in with the link below.',
        }}
      />
      <p>
        <a class="button" href="/billing/launch">
          Sign in with your EHR
        </a>
      </p>
    </main>
  );
}
