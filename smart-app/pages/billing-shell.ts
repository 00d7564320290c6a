import { escapeHtml } from './html.ts';

/**
 * The one page every billing workspace address answers with (`/billing`, `/billing/analytics`,
 * `/billing/claims/:id`); the bundle routes by `location.pathname`. As with the panel's shell, a
 * session handed over by a launch rides in a meta tag (never in the URL) and moves to the tab's
 * sessionStorage.
 */
export function billingShell(assetVersion: string, sessionId?: string): string {
  const meta = sessionId
    ? `<meta name="chartbill-session" content="${escapeHtml(sessionId)}">`
    : '';
  const v = escapeHtml(assetVersion);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ChartBill billing</title>${meta}
<link rel="stylesheet" href="/assets/billing.css?v=${v}">
<script type="module" src="/assets/billing.js?v=${v}"></script>
</head><body><div id="billing"><p class="loading">Loading the billing workspace…</p></div></body></html>`;
}
