/** The billing workspace's JSON API (billing-api.ts), called with the session handle as a bearer token. */
import { ApiError, sessionHandle } from '../ui/api.ts';

export { ApiError };

/**
 * The workspace's session handle, kept apart from a chart launch's in the same browser: handed
 * over in a meta tag by the launch, then kept in this tab's sessionStorage (see `sessionHandle`).
 */
export function billingSession(): string | undefined {
  return sessionHandle('chartbill.billing-session');
}

export interface ApiInit {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

async function send(handle: string | undefined, path: string, init: ApiInit): Promise<Response> {
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: {
      authorization: `Bearer ${handle ?? ''}`,
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : null,
    signal: init.signal ?? null,
  });
  if (res.ok) return res;
  const json = (await res.json().catch(() => ({}))) as {
    error?: string;
    message?: string;
    hint?: string;
  };
  throw new ApiError(
    res.status,
    json.error ?? 'ERROR',
    json.message ?? `The server answered ${res.status}.`,
    json.hint,
  );
}

/** `api<T>(path)` answers the JSON; `api.download(path, name)` saves a CSV the server makes. */
export function createApi(handle: string | undefined) {
  const api = async <T>(path: string, init: ApiInit = {}): Promise<T> =>
    (await (await send(handle, path, init)).json()) as T;
  /**
   * A CSV export: fetched with the bearer handle (a plain link would carry no session), then
   * saved through a short-lived object URL.
   */
  const download = async (path: string, fileName: string): Promise<void> => {
    const blob = await (await send(handle, path, {})).blob();
    const url = URL.createObjectURL(blob);
    const a = Object.assign(document.createElement('a'), { href: url, download: fileName });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return Object.assign(api, { download });
}

export type Api = ReturnType<typeof createApi>;

/** An error's words for the page: the server's message and hint, or what to do when it is unreachable. */
export function problemOf(e: unknown): { text: string; hint?: string; status?: number } {
  if (e instanceof ApiError)
    return { text: e.message, status: e.status, ...(e.hint ? { hint: e.hint } : {}) };
  return {
    text: 'ChartBill could not reach its server.',
    hint: 'Check your connection, then press Try again.',
  };
}
