/** The app's JSON API, called with the session handle as a bearer token. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const SESSION_KEY = 'chartbill.session';

/**
 * The session handle: handed over in a meta tag by the launch callback, then kept in
 * sessionStorage (this tab only, gone when it closes) so a reload keeps working. Works in an EHR
 * iframe whether or not the browser blocks third-party cookies, because no cookie is used.
 * `key`: the billing workspace keeps its own (smart-app/billing-ui/api.ts).
 */
export function sessionHandle(key = SESSION_KEY): string | undefined {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="chartbill-session"]');
  if (meta?.content) {
    try {
      sessionStorage.setItem(key, meta.content);
    } catch {
      // storage may be disabled in a sandboxed iframe; the handle stays in memory for this page
    }
    meta.remove();
    return meta.content;
  }
  try {
    return sessionStorage.getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Forgets this tab's session handle (after signing out). */
export function forgetSession(): void {
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // storage denied: the handle only lived in this page's memory
  }
}

/** `background`: a request the UI makes by itself, which does not keep an idle session alive. */
export function createApi(handle: string | undefined) {
  return async function api<T>(
    path: string,
    init: {
      method?: string;
      body?: unknown;
      signal?: AbortSignal;
      background?: boolean;
      /** e.g. `Idempotency-Key` of an action that must happen once. */
      headers?: Record<string, string>;
    } = {},
  ): Promise<T> {
    const res = await fetch(path, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${handle ?? ''}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(init.background ? { 'x-chartbill-background': '1' } : {}),
        ...init.headers,
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : null,
      signal: init.signal ?? null,
    });
    const json = (await res.json().catch(() => ({}))) as {
      error?: string;
      message?: string;
      hint?: string;
    };
    if (!res.ok)
      throw new ApiError(
        res.status,
        json.error ?? 'ERROR',
        json.message ?? `Request failed (${res.status}).`,
        json.hint,
      );
    return json as T;
  };
}

export type Api = ReturnType<typeof createApi>;
