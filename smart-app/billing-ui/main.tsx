import { render } from 'preact';
import { billingSession } from './api.ts';
import { BillingApp } from './billing-app.tsx';

// The workspace's own page has #billing; after a sign-in finished by script (pages/launch-pages.ts)
// the bundle runs in the sign-in page's #app, which carries the panel's stylesheet, not ours.
const root = document.getElementById('billing') ?? document.getElementById('app');
if (root) {
  if (!document.querySelector('link[href^="/assets/billing.css"]'))
    document.head.append(
      Object.assign(document.createElement('link'), {
        rel: 'stylesheet',
        href: '/assets/billing.css',
      }),
    );
  // A sign-in lands on /callback: the workspace's address is /billing (and no code stays in history).
  if (!location.pathname.startsWith('/billing/') && location.pathname !== '/billing')
    history.replaceState(null, '', '/billing');
  root.textContent = '';
  render(<BillingApp handle={billingSession()} />, root);
}
