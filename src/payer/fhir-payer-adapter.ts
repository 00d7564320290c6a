import type { Bundle, ClaimResponse, CoverageEligibilityResponse, OperationOutcome } from 'fhir/r4';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { FhirNoAnswer, undiciTransport } from '../fhir/fhir-transport.ts';
import { backoffMs, DEFAULT_RETRY, retryAfterMsOf, type RetryPolicy } from '../fhir/http-fhir-gateway.ts';
import type { PayerAdapter } from './payer-adapter.ts';
import { SANDBOX_PAYER_IDS, type PayerId } from './payer-ids.ts';

/** Where the payer is and how to reach it. */
export interface FhirPayerAdapterOptions {
  /** The payer's FHIR base, e.g. `http://127.0.0.1:4420/fhir`. */
  baseUrl: string;
  /** How long to wait for the payer's answer to start, and between parts of it; default 15 s. */
  timeoutMs?: number;
  /** Bearer token for payers that want one. */
  getToken?: () => Promise<string>;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The payers this connection reaches (payer ids on their Organizations); the sandbox payer by default. */
  payerIds?: readonly PayerId[];
  /** Called before each retry (metrics). */
  onRetry?: (info: { what: string; attempt: number; status: number | undefined; delayMs: number }) => void;
}

const outcomeCode = z.enum(['queued', 'complete', 'error', 'partial']);
const claimResponseSchema = z.looseObject({ resourceType: z.literal('ClaimResponse'), outcome: outcomeCode });
const eligibilityResponseSchema = z.looseObject({ resourceType: z.literal('CoverageEligibilityResponse'), outcome: outcomeCode });

/** Statuses after which the same request may succeed: the payer did not process it. */
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

interface Answer {
  status: number;
  body: unknown;
}

/**
 * A payer reached over FHIR: `POST {base}/CoverageEligibilityRequest/$submit`,
 * `POST {base}/Claim/$submit` with a collection Bundle (Da Vinci PAS style) and
 * `POST {base}/Claim/$inquire` for the status of a claim. Every call is safe to repeat (the
 * payer is idempotent on the claim identifier; eligibility and inquiry are queries), so
 * timeouts, connection resets, 408/429/5xx are retried with exponential backoff and full
 * jitter, never sooner than the payer's `Retry-After`. Answers are checked with zod.
 */
export function createFhirPayerAdapter(options: FhirPayerAdapterOptions): PayerAdapter {
  const base = options.baseUrl.replace(/\/+$/, '');
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;

  async function once(path: string, body: Bundle): Promise<Answer | { failed: unknown; retryAfter?: number; status?: number }> {
    const headers: Record<string, string> = { 'content-type': 'application/fhir+json', accept: 'application/fhir+json' };
    if (options.getToken) headers.authorization = `Bearer ${await options.getToken()}`;
    try {
      // The worker's FHIR transport (undici's request, not fetch: about 0.1 ms of CPU per call here against 0.4).
      const reply = await undiciTransport({ method: 'POST', url: `${base}/${path}`, headers, body: JSON.stringify(body), timeoutMs: policy.timeoutMs });
      if (RETRYABLE_STATUS.has(reply.status)) {
        const retryAfter = retryAfterMsOf(reply.retryAfter);
        return { failed: new Error(`HTTP ${String(reply.status)}`), status: reply.status, ...(retryAfter === undefined ? {} : { retryAfter }) };
      }
      return { status: reply.status, body: reply.body };
    } catch (err) {
      return { failed: err };
    }
  }

  async function call(path: string, body: Bundle, what: string): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      const result = await once(path, body);
      if (!('failed' in result)) return result;
      if (attempt >= policy.attempts) {
        const detail = result.status !== undefined ? `HTTP ${String(result.status)}` : result.failed instanceof FhirNoAnswer && result.failed.timedOut ? 'timed out' : 'no answer';
        throw new AppError('PAYER_UNAVAILABLE', `The payer did not take ${what} after ${String(attempt)} attempts: ${detail}`, { status: 503, hint: 'The worker retries later.', cause: result.failed });
      }
      const delayMs = backoffMs(attempt, result.retryAfter, policy, random);
      options.onRetry?.({ what, attempt, status: result.status, delayMs });
      await sleep(delayMs);
    }
  }

  async function submit<T>(path: string, bundle: Bundle, schema: z.ZodType, what: string): Promise<T> {
    const answer = await call(path, bundle, what);
    if (answer.status >= 400) throw refused(what, answer);
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success) throw new AppError('PAYER_UNAVAILABLE', `The payer answered ${what} with something other than the expected resource`, { status: 502, cause: parsed.error });
    return parsed.data as T;
  }

  return {
    payerIds: options.payerIds ?? SANDBOX_PAYER_IDS,
    checkEligibility: (bundle) => submit<CoverageEligibilityResponse>('CoverageEligibilityRequest/$submit', bundle, eligibilityResponseSchema, 'the eligibility check'),
    submitClaim: (bundle) => submit<ClaimResponse>('Claim/$submit', bundle, claimResponseSchema, 'the claim'),
    async claimStatus(identifier) {
      const inquiry: Bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Claim', identifier: [identifier] } as never }] };
      const answer = await call('Claim/$inquire', inquiry, 'the claim status inquiry');
      if (answer.status === 404) return undefined;
      if (answer.status >= 400) throw refused('the claim status inquiry', answer);
      const parsed = claimResponseSchema.safeParse(answer.body);
      if (!parsed.success) throw new AppError('PAYER_UNAVAILABLE', 'The payer answered the claim status inquiry with something other than a ClaimResponse', { status: 502, cause: parsed.error });
      return parsed.data as unknown as ClaimResponse;
    },
  };
}

/** A 4xx the payer means: it refused the content; resubmitting it unchanged is refused again. */
function refused(what: string, answer: Answer): AppError {
  const outcome = isOutcome(answer.body) ? answer.body : undefined;
  const detail = outcome?.issue.map((i) => i.diagnostics ?? i.details?.text).filter(Boolean).join('; ');
  return new AppError('PAYER_REJECTED', `The payer rejected ${what}: HTTP ${String(answer.status)}${detail ? `: ${detail}` : ''}`, {
    status: 422,
    ...(outcome ? { outcome } : {}),
    hint: 'Correct the submission; resubmitting it unchanged will be refused again.',
  });
}

function isOutcome(data: unknown): data is OperationOutcome {
  return typeof data === 'object' && data !== null && (data as { resourceType?: unknown }).resourceType === 'OperationOutcome';
}
