import { escapeHtml } from './html.ts';

/**
 * Served at /assets/launch.js (the CSP allows no inline script). On every page it first takes
 * `code` and `state` out of the address bar of /callback (an error page included). On the launch
 * page it keeps the browser binding secret for this tab, then goes on to the EHR's authorization
 * endpoint, replacing the history entry. On the finish page it sends the secret back with `code`
 * and `state` by `fetch`, in a header no other site can send (guards/same-origin-post.ts), then
 * starts the app with the session handle it gets, or shows why sign-in was refused.
 *
 * The tab keeps the secret in sessionStorage. Only where a framed document is denied storage
 * (Chrome with third-party cookies blocked) does it use `window.name`, which survives the frame's
 * navigations. The name is read back only under the same two conditions: anywhere else another
 * site could have chosen it (`window.open(url, name)`), and the CSP's frame-ancestors lets only
 * the registered EHRs frame ChartBill. The frame's own name is put back after.
 */
export const LAUNCH_SCRIPT = `(() => {
  const KEY = 'chartbill.launch-binding';
  const PREFIX = 'chartbill-binding:';
  if (location.pathname === '/callback' && location.search) history.replaceState(null, '', '/callback');
  const framed = window.top !== window.self;
  const go = document.getElementById('chartbill-continue');
  const secret = document.querySelector('meta[name="chartbill-binding"]');
  if (go && secret) {
    try {
      sessionStorage.setItem(KEY, secret.content);
    } catch {
      if (framed && !window.name.startsWith(PREFIX)) window.name = PREFIX + secret.content + ' ' + window.name;
      else if (framed) window.name = PREFIX + secret.content + window.name.slice(window.name.indexOf(' '));
    }
    location.replace(go.href);
    return;
  }
  const form = document.getElementById('chartbill-finish');
  if (!form) return;
  let value = '';
  let denied = false;
  try { value = sessionStorage.getItem(KEY) || ''; } catch { denied = true; }
  if (window.name.startsWith(PREFIX)) {
    const space = window.name.indexOf(' ');
    const named = window.name.slice(PREFIX.length, space < 0 ? undefined : space);
    window.name = space < 0 ? '' : window.name.slice(space + 1);
    if (denied && framed) value = named;
  }
  const field = (name) => form.elements.namedItem(name).value;
  const main = document.querySelector('main');
  const refused = (answer) => {
    const line = (tag, cls, text) => Object.assign(document.createElement(tag), { className: cls, textContent: text });
    main.className = 'error-page';
    const message = line('p', 'error-message', answer.message || 'ChartBill could not finish signing in.');
    message.setAttribute('role', 'alert');
    const parts = [line('h1', '', answer.title || 'ChartBill could not open'), message];
    if (answer.hint) parts.push(line('p', 'error-hint', 'What to do: ' + answer.hint));
    parts.push(line('p', 'error-code', 'Error code for IT: ' + (answer.error || 'UNKNOWN')));
    main.replaceChildren(...parts);
  };
  const start = (handle) => {
    const meta = Object.assign(document.createElement('meta'), { name: 'chartbill-session', content: handle });
    document.head.append(meta);
    history.replaceState(null, '', document.querySelector('meta[name="chartbill-landing"]')?.content || '/app');
    main.replaceWith(Object.assign(document.createElement('div'), { id: 'app' }));
    const app = Object.assign(document.createElement('script'), { type: 'module', src: document.querySelector('meta[name="chartbill-app"]').content });
    document.head.append(app);
  };
  fetch('/callback', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-chartbill-binding': value },
    body: JSON.stringify({ code: field('code'), state: field('state') }),
  })
    .then(async (res) => {
      const answer = await res.json().catch(() => ({}));
      if (res.ok && answer.session) start(answer.session);
      else refused(answer);
    })
    .catch(() => refused({ message: 'ChartBill could not reach its server to finish signing in.', hint: 'Relaunch ChartBill from your EHR.' }));
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
  return shell(
    'ChartBill: signing in',
    head,
    `<p>Signing in to ChartBill with your EHR…</p>
<noscript><p>ChartBill needs JavaScript. Turn it on and relaunch ChartBill from your EHR.</p></noscript>
<p><a id="chartbill-continue" href="${escapeHtml(authorizeUrl)}">Continue to your EHR’s sign-in</a></p>`,
  );
}

/**
 * The callback's answer when the binding cookie did not come back (a third-party iframe whose
 * browser blocks even partitioned cookies): the script proves the tab's binding by posting it,
 * then loads the app bundle named in `chartbill-app`.
 */
export function finishSignInPage(
  fields: Record<string, string>,
  assetVersion: string,
  landing: { script: string; path: string } = { script: '/assets/app.js', path: '/app' },
): string {
  const inputs = Object.entries(fields)
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join('');
  const head = `<meta name="chartbill-app" content="${escapeHtml(landing.script)}?v=${escapeHtml(assetVersion)}"><meta name="chartbill-landing" content="${escapeHtml(landing.path)}">`;
  return shell(
    'ChartBill: signing in',
    head,
    `<p>Finishing sign-in…</p>
<form id="chartbill-finish">${inputs}
<noscript><p>ChartBill needs JavaScript. Turn it on and relaunch ChartBill from your EHR.</p></noscript></form>`,
  );
}
