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
  /**
   * Repeats, at once, of a conditional create that lost a serialization race (see
   * `isSerializationConflict`): the create is idempotent, so repeating it is safe.
   */
  conflictRetries?: number;
  /** Waits for a quota (429) to refill before the request is given up. */
  quotaRetries?: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  timeoutMs: 15_000,
  conflictRetries: 6,
  quotaRetries: 3,
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

/** A per-minute quota's window: how long a 429 that names no wait is waited out. */
export const QUOTA_WINDOW_MS = 60_000;

/**
 * Whether an error answer is a lost serialization race that the same request would win next
 * time: a 409 whose OperationOutcome says the server could not serialize the transaction
 * (PostgreSQL SQLSTATE 40001 "could not serialize access", as Medplum runs each `If-None-Exist`
 * create in a SERIALIZABLE transaction), or any 409/412 to a conditional create, which FHIR R4
 * http.html#ccreate makes idempotent (a repeat finds the resource the other writer made).
 */
export function isSerializationConflict(
  status: number,
  body: unknown,
  conditionalCreate: boolean,
): boolean {
  if (status !== 409 && status !== 412) return false;
  if (conditionalCreate) return true;
  return (
    status === 409 &&
    /could not seriali[sz]e|serializ(ation|able) (failure|conflict)/i.test(outcomeText(body))
  );
}

/**
 * How long to wait after a 429 that carries no `Retry-After`: the wait the server names in its
 * OperationOutcome (Medplum puts rate-limiter-flexible's `msBeforeNext` as JSON in the
 * diagnostics; others write "retry after N seconds"), else a whole per-minute quota window.
 */
export function quotaWaitMs(body: unknown): { ms: number; from: 'outcome' | 'quota-window' } {
  const text = outcomeText(body);
  const json = /"msBeforeNext"\s*:\s*(\d+(?:\.\d+)?)/.exec(text);
  if (json) return { ms: Math.min(Number(json[1]), QUOTA_WINDOW_MS), from: 'outcome' };
  const words = /retry (?:after|in) (\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|sec|seconds?)\b/i.exec(
    text,
  );
  if (words) {
    const ms = Number(words[1]) * (words[2]?.toLowerCase().startsWith('m') ? 1 : 1000);
    return { ms: Math.min(ms, QUOTA_WINDOW_MS), from: 'outcome' };
  }
  return { ms: QUOTA_WINDOW_MS, from: 'quota-window' };
}

/** Why a request is sent again, for logs and metrics. */
export type RetryReason = 'serialization-conflict' | 'quota' | 'retry-after' | 'backoff';

/** What a client does after an answer it cannot use. */
export type RetryDecision =
  { retry: false } | { retry: true; delayMs: number; reason: RetryReason; detail?: string };

/** Retries so far of one request, counted per kind (each kind has its own budget). */
export interface RetryCounts {
  /** Attempts made, the first included (the `attempts` budget). */
  attempts: number;
  conflicts: number;
  quotaWaits: number;
}

/**
 * The one decision of every client: whether to send a request again after `status` (undefined:
 * no answer at all) and after how long. A serialization conflict on an idempotent write is
 * repeated at once (a few ms of jitter, doubling per conflict, so racing writers spread out); a 429 waits for
 * `Retry-After`, else for the wait the outcome names, else a quota window; the rest back off
 * exponentially (only when `repeatable`: the request may be sent again without harm).
 */
export function retryDecision(
  answer: { status: number | undefined; retryAfter?: string | undefined; body?: unknown },
  request: { repeatable: boolean; conditionalCreate: boolean },
  counts: RetryCounts,
  policy: RetryPolicy,
  random: () => number,
): RetryDecision {
  const { status } = answer;
  if (
    status !== undefined &&
    (request.repeatable || request.conditionalCreate) &&
    isSerializationConflict(status, answer.body, request.conditionalCreate)
  ) {
    if (counts.conflicts >= (policy.conflictRetries ?? 0)) return { retry: false };
    // At once, within a few ms that double per conflict (5, 10, 20 … ms): writers that raced
    // once spread out instead of meeting again.
    const delayMs = Math.round(random() * 5 * 2 ** counts.conflicts);
    return { retry: true, delayMs, reason: 'serialization-conflict' };
  }
  const retryAfter = retryAfterMsOf(answer.retryAfter);
  if (status === 429 && retryAfter === undefined) {
    if (counts.quotaWaits >= (policy.quotaRetries ?? 0)) return { retry: false };
    const wait = quotaWaitMs(answer.body);
    // A little past the named wait, spread out: every lane waiting on one quota wakes at once otherwise.
    const delayMs = Math.round(wait.ms * (1 + 0.1 * random())) + 50;
    return { retry: true, delayMs, reason: 'quota', detail: wait.from };
  }
  const retryable =
    status === undefined
      ? request.repeatable
      : isRetryableStatus(status) && (request.repeatable || status === 429 || status === 503);
  if (!retryable || counts.attempts >= policy.attempts) return { retry: false };
  return {
    retry: true,
    delayMs: backoffMs(counts.attempts, retryAfter, policy, random),
    reason: retryAfter === undefined ? 'backoff' : 'retry-after',
  };
}

/** An OperationOutcome's issue texts and diagnostics, joined; '' for anything else. */
function outcomeText(body: unknown): string {
  if (typeof body !== 'object' || body === null) return typeof body === 'string' ? body : '';
  const issues = (body as { resourceType?: unknown; issue?: unknown }).issue;
  if ((body as { resourceType?: unknown }).resourceType !== 'OperationOutcome') return '';
  if (!Array.isArray(issues)) return '';
  return issues
    .map((i: { diagnostics?: unknown; details?: { text?: unknown } }) =>
      [i.diagnostics, i.details?.text].filter((t) => typeof t === 'string').join(' '),
    )
    .join('; ');
}
