import { escapeHtml } from '../pages/html.ts';

/** Where the billing workspace's browser bundle is served (its pages: smart-app/billing-ui/). */
export const BILLING_SCRIPT = '/assets/billing.js';
/** Where a billing sign-in lands. */
export const BILLING_PATH = '/billing';

/**
 * The billing workspace's page (issue 17). After a sign-in the session handle rides in a meta
 * tag (never the URL), like the chart app's shell (pages/app-shell.ts); the page moves it to
 * sessionStorage. The same page answers `/billing`, `/billing/analytics` and `/billing/claims/:id`
 * (routes/billing-page-routes.ts); the bundle routes by `location.pathname`.
 */
export function billingShell(assetVersion: string, sessionId?: string): string {
  const meta = sessionId
    ? `<meta name="chartbill-session" content="${escapeHtml(sessionId)}">`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ChartBill billing</title>${meta}
<link rel="stylesheet" href="/assets/billing.css?v=${assetVersion}">
<script type="module" src="${BILLING_SCRIPT}?v=${assetVersion}"></script>
</head><body><div id="billing"><p class="loading">Loading the billing workspace…</p></div></body></html>`;
}
