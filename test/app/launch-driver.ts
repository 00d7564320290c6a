import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';

/** HTML attribute text back to plain text (the pages escape &, <, >, ", '). */
function unescapeAttr(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|#39|#38);/g,
    (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#38': '&' })[e] ?? '',
  );
}

/** The app's launch URL (with iss and a fresh launch id) from the EHR's encounter page, as its iframe has it. */
export async function ehrLaunchUrl(
  ehr: SandboxEhr,
  encounterId: string,
  clientId: string,
): Promise<string> {
  const page = await (
    await fetch(
      `${ehr.launchPageUrl}/encounter/${encounterId}?client=${encodeURIComponent(clientId)}`,
    )
  ).text();
  const src = /<iframe[^>]*src="([^"]+)"/.exec(page)?.[1];
  if (!src) throw new Error('no iframe on the EHR encounter page');
  return unescapeAttr(src);
}

export interface StartedLaunch {
  /** The EHR authorization URL the launch page continues to. */
  authorizeUrl: URL;
  /** `name=value` of the binding cookie, as the browser would send it back. */
  cookie: string;
  /** The binding secret the launch page hands the tab's sessionStorage. */
  binding: string;
}

/** GETs the app's /launch (or /standalone) like a browser, without running the page's script. */
export async function startLaunch(url: string): Promise<StartedLaunch> {
  const res = await fetch(url, { redirect: 'manual' });
  const html = await res.text();
  if (res.status !== 200) throw new Error(`launch answered ${res.status}: ${html.slice(0, 300)}`);
  const href = /id="chartbill-continue" href="([^"]+)"/.exec(html)?.[1];
  const binding = /name="chartbill-binding" content="([^"]+)"/.exec(html)?.[1];
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  if (!href || !binding) throw new Error('the launch page has no authorize link or binding');
  return { authorizeUrl: new URL(unescapeAttr(href)), cookie, binding };
}

/** Follows the EHR's authorization (no user interaction in an EHR launch) to the callback URL it redirects to. */
export async function authorizeAt(url: URL): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location)
    throw new Error(`authorize answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return new URL(location);
}

/**
 * What the finish page's script sends when the binding cookie did not come back: a same-origin
 * `fetch` with the tab's secret in a header. `headers` overrides, to play other senders.
 */
export async function finishInTab(
  appUrl: string,
  callback: URL,
  binding: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${appUrl}/callback`, {
    method: 'POST',
    headers: {
      origin: appUrl,
      'sec-fetch-site': 'same-origin',
      'content-type': 'application/json',
      'x-chartbill-binding': binding,
      ...headers,
    },
    body: JSON.stringify({
      code: callback.searchParams.get('code') ?? '',
      state: callback.searchParams.get('state') ?? '',
    }),
  });
}

/** The session handle from the app page the callback answers with, or undefined. */
export function sessionHandleIn(html: string): string | undefined {
  return /name="chartbill-session" content="([^"]+)"/.exec(html)?.[1];
}

/** A whole EHR launch as one browser: returns the session handle for the app's API. */
export async function launchSession(
  ehr: SandboxEhr,
  appUrl: string,
  clientId: string,
  encounterId = 'enc-today-01',
): Promise<string> {
  const started = await startLaunch(await ehrLaunchUrl(ehr, encounterId, clientId));
  const callback = await authorizeAt(started.authorizeUrl);
  const res = await fetch(callback, { headers: { cookie: started.cookie } });
  const html = await res.text();
  const handle = sessionHandleIn(html);
  if (!handle)
    throw new Error(`callback answered ${res.status} without a session: ${html.slice(0, 400)}`);
  expectSameOrigin(callback, appUrl);
  return handle;
}

function expectSameOrigin(url: URL, appUrl: string): void {
  if (url.origin !== new URL(appUrl).origin)
    throw new Error(`the EHR redirected to ${url.origin}, not the app`);
}

/** Calls the app's JSON API with a session handle. */
export async function api(
  appUrl: string,
  handle: string,
  path: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${appUrl}${path}`, { headers: { authorization: `Bearer ${handle}` } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
