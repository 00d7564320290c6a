/**
 * The one retry policy of ChartBill's outbound HTTP clients (the FHIR gateway, the payer adapter,
 * the token requests): which answers may be repeated, how long to wait (exponential backoff with
 * full jitter) and the server's `Retry-After`. Whether a given request may be repeated at all
 * (a create, a claim `$submit`) stays with its client, which knows what a repeat would do.
 */

/** How often and how fast a request is repeated. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per-request timeout. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  timeoutMs: 15_000,
};

/**
 * Statuses after which the same request may succeed: 408 Request Timeout, 425 Too Early
 * (RFC 8470 §5.2: not processed, repeat it), 429 Too Many Requests (RFC 6585 §4), and the
 * transient server errors 500, 502, 503, 504.
 */
const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Whether an answer with this status may be asked again (if the request itself is safe to repeat). */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}

/** The longest Retry-After honoured; a server asking for more is retried after this long. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Exponential backoff with full jitter (capped at `maxDelayMs`), never shorter than the server's
 * Retry-After (RFC 9110 §10.2.3), which is honoured up to a minute.
 */
export function backoffMs(
  attempt: number,
  retryAfter: number | undefined,
  policy: RetryPolicy,
  random: () => number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(random() * ceiling);
  return retryAfter !== undefined
    ? Math.max(Math.min(retryAfter, MAX_RETRY_AFTER_MS), jittered)
    : jittered;
}

/** A `Retry-After` value (delay-seconds or an HTTP date, RFC 9110 §10.2.3) in ms from now. */
export function retryAfterMsOf(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Waits `ms` (the default `sleep` of the clients; tests pass their own). */
export function sleepMs(ms: number): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, ms));
}
