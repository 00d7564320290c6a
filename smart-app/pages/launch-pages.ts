import { escapeHtml } from './html.ts';

/**
 * Served at /assets/launch.js (the CSP allows no inline script). On the launch page it keeps the
 * browser binding secret for this tab, then goes on to the EHR's authorization endpoint, replacing
 * the history entry. On the finish page it posts the secret back with `code` and `state`, after
 * taking them out of the address bar. The tab keeps the secret in sessionStorage, or, where the
 * browser denies storage to a third-party iframe (Chrome with third-party cookies blocked), in
 * `window.name`, which survives the frame's navigations; the frame's own name is put back after.
 */
export const LAUNCH_SCRIPT = `(() => {
  const KEY = 'chartbill.launch-binding';
  const PREFIX = 'chartbill-binding:';
  const go = document.getElementById('chartbill-continue');
  const secret = document.querySelector('meta[name="chartbill-binding"]');
  if (go && secret) {
    try {
      sessionStorage.setItem(KEY, secret.content);
    } catch {
      if (!window.name.startsWith(PREFIX)) window.name = PREFIX + secret.content + ' ' + window.name;
      else window.name = PREFIX + secret.content + window.name.slice(window.name.indexOf(' '));
    }
    location.replace(go.href);
    return;
  }
  const form = document.getElementById('chartbill-finish');
  if (form) {
    let value = '';
    try { value = sessionStorage.getItem(KEY) || ''; } catch { /* denied: window.name below */ }
    if (window.name.startsWith(PREFIX)) {
      const space = window.name.indexOf(' ');
      value = value || window.name.slice(PREFIX.length, space < 0 ? undefined : space);
      window.name = space < 0 ? '' : window.name.slice(space + 1);
    }
    form.elements.namedItem('binding').value = value;
    history.replaceState(null, '', '/callback');
    form.submit();
  }
})();
`;

function shell(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>${head}<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/launch.js"></script>
</head><body><main class="loading" role="main">${body}</main></body></html>`;
}

/** The page /launch answers with: binds the launch to this tab, then continues to the EHR's sign-in. */
export function launchPage(authorizeUrl: string, bindingSecret: string): string {
  const head = `<meta name="chartbill-binding" content="${escapeHtml(bindingSecret)}">`;
  return shell('ChartBill: signing in', head, `<p>Signing in to ChartBill with your EHR…</p>
<noscript><p>ChartBill needs JavaScript. Turn it on and relaunch ChartBill from your EHR.</p></noscript>
<p><a id="chartbill-continue" href="${escapeHtml(authorizeUrl)}">Continue to your EHR’s sign-in</a></p>`);
}

/**
 * The callback's answer when the binding cookie did not come back (a third-party iframe whose
 * browser blocks even partitioned cookies): the script proves the tab's binding by posting it.
 */
export function finishSignInPage(fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return shell('ChartBill: signing in', '', `<p>Finishing sign-in…</p>
<form id="chartbill-finish" method="post" action="/callback">${inputs}<input type="hidden" name="binding" value="">
<noscript><p>ChartBill needs JavaScript. Turn it on and relaunch ChartBill from your EHR.</p></noscript></form>`);
}
