import { escapeHtml } from './html.ts';

/**
 * The single page the UI runs in. After a launch the session handle rides in a meta tag (never in
 * the URL); the UI moves it to sessionStorage, which lives only as long as the tab.
 */
export function appShell(assetVersion: string, sessionId?: string): string {
  const meta = sessionId
    ? `<meta name="chartbill-session" content="${escapeHtml(sessionId)}">`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ChartBill</title>${meta}
<link rel="stylesheet" href="/assets/app.css?v=${assetVersion}">
<script type="module" src="/assets/app.js?v=${assetVersion}"></script>
</head><body><div id="app"><p class="loading">Loading ChartBill…</p></div></body></html>`;
}
