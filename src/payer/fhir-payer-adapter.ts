import type {
  Bundle,
  Claim,
  ClaimResponse,
  CoverageEligibilityResponse,
  Identifier,
} from 'fhir/r4';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { FhirNoAnswer, undiciTransport } from '../fhir/fhir-transport.ts';
import { hasIssueCode, isOutcome, outcomeDetail } from '../fhir/outcomes.ts';
import {
  backoffMs,
  DEFAULT_RETRY,
  isRetryableStatus,
  retryAfterMsOf,
  sleepMs,
  type RetryPolicy,
} from '../http/retry-policy.ts';
import type { PayerAdapter } from './payer-adapter.ts';
import { SANDBOX_PAYER_IDS, type PayerId } from './payer-ids.ts';

/** How long each payer operation may take before the worker stops waiting for its answer. */
export interface PayerTimeouts {
  /** Eligibility (X12 270/271 in real time): CAQH CORE allows 20 s; clearinghouses add their own. */
  eligibilityMs: number;
  /** Claim submission: a clearinghouse with real-time adjudication may take a minute or more. */
  submitMs: number;
  /** Claim status inquiry (X12 276/277 in real time). */
  inquireMs: number;
}

/**
 * Defaults a clearinghouse needs: a payer answering in 30 s must still get its claims (the
 * generic 15 s HTTP timeout gave up on every one and had the payer answer closed connections).
 */
export const DEFAULT_PAYER_TIMEOUTS: PayerTimeouts = {
  eligibilityMs: 60_000,
  submitMs: 120_000,
  inquireMs: 60_000,
};

/** Where the payer is and how to reach it. */
export interface FhirPayerAdapterOptions {
  /** The payer's FHIR base, e.g. `http://127.0.0.1:4420/fhir`. */
  baseUrl: string;
  /** One timeout for every operation (tests); `timeouts` and their defaults otherwise. */
  timeoutMs?: number;
  /** Per-operation timeouts; `DEFAULT_PAYER_TIMEOUTS` for those not given. */
  timeouts?: Partial<PayerTimeouts>;
  /** Bearer token for payers that want one. */
  getToken?: () => Promise<string>;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The payers this connection reaches (payer ids on their Organizations); the sandbox payer by default. */
  payerIds?: readonly PayerId[];
  /**
   * Called after each exchange with the payer, answered or not (`status` undefined): e.g.
   * `{ resource: 'Claim', operation: '$submit', status: 200 }`, for request metrics.
   */
  onExchange?: (event: { resource: string; operation: string; status: number | undefined }) => void;
  /** Called before each retry (metrics). */
  onRetry?: (info: {
    what: string;
    attempt: number;
    status: number | undefined;
    delayMs: number;
  }) => void;
}

const outcomeCode = z.enum(['queued', 'complete', 'error', 'partial']);
const claimResponseSchema = z.looseObject({
  resourceType: z.literal('ClaimResponse'),
  outcome: outcomeCode,
});
const eligibilityResponseSchema = z.looseObject({
  resourceType: z.literal('CoverageEligibilityResponse'),
  outcome: outcomeCode,
});

/** Connection errors that mean the request never reached the payer. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

interface Answer {
  status: number;
  body: unknown;
}

interface Failure {
  failed: unknown;
  retryAfter?: number;
  status?: number;
  /** False only when the payer surely did not get the request (refused connection, 429). */
  maybeReceived: boolean;
  timedOut: boolean;
}

/**
 * A payer reached over FHIR: `POST {base}/CoverageEligibilityRequest/$submit`,
 * `POST {base}/Claim/$submit` with a collection Bundle (Da Vinci PAS style) and
 * `POST {base}/Claim/$inquire` for the status of a claim. Answers are checked with zod.
 *
 * Eligibility and inquiry are queries: connection failures, 408/429/5xx are retried with
 * exponential backoff and full jitter, never sooner than the payer's `Retry-After`. A timed-out
 * eligibility check is not repeated at once (the payer is working on it; asking again only
 * piles work on a slow payer): the worker retries the item later.
 *
 * A claim submission is not safe to repeat: a clearinghouse takes a second `$submit` of the
 * same claim as a duplicate claim. After an ambiguous failure (timeout, reset, 5xx: the payer
 * may have received it) the payer is asked first (`Claim/$inquire` on the claim identifier);
 * its answer is the submission's answer, and the claim is sent again only when the payer says
 * it never got it. Only a refused connection or a 429 is retried without asking.
 */
export function createFhirPayerAdapter(options: FhirPayerAdapterOptions): PayerAdapter {
  const base = options.baseUrl.replace(/\/+$/, '');
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const single = options.timeoutMs ?? options.retry?.timeoutMs;
  const timeouts: PayerTimeouts = {
    ...DEFAULT_PAYER_TIMEOUTS,
    ...(single ? { eligibilityMs: single, submitMs: single, inquireMs: single } : {}),
    ...options.timeouts,
  };
  const sleep = options.sleep ?? sleepMs;
  const random = options.random ?? Math.random;

  async function once(path: string, body: Bundle, timeoutMs: number): Promise<Answer | Failure> {
    const result = await exchange(path, body, timeoutMs);
    const [resource = '', operation = ''] = path.split('/');
    options.onExchange?.({ resource, operation, status: result.status });
    return result;
  }

  async function exchange(
    path: string,
    body: Bundle,
    timeoutMs: number,
  ): Promise<Answer | Failure> {
    const headers: Record<string, string> = {
      'content-type': 'application/fhir+json',
      accept: 'application/fhir+json',
    };
    if (options.getToken) headers.authorization = `Bearer ${await options.getToken()}`;
    try {
      // The worker's FHIR transport (undici's request, not fetch: about 0.1 ms of CPU per call here against 0.4).
      const reply = await undiciTransport({
        method: 'POST',
        url: `${base}/${path}`,
        headers,
        body: JSON.stringify(body),
        timeoutMs,
      });
      if (isRetryableStatus(reply.status)) {
        const retryAfter = retryAfterMsOf(reply.retryAfter);
        // 429 (RFC 6585 §4): refused for the rate, before any processing.
        return {
          failed: new Error(`HTTP ${String(reply.status)}`),
          status: reply.status,
          maybeReceived: reply.status !== 429,
          timedOut: false,
          ...(retryAfter === undefined ? {} : { retryAfter }),
        };
      }
      return { status: reply.status, body: reply.body };
    } catch (err) {
      const timedOut = err instanceof FhirNoAnswer && err.timedOut;
      return {
        failed: err,
        maybeReceived: !NOT_SENT_CODES.has(connectionCode(err) ?? ''),
        timedOut,
      };
    }
  }

  function unavailable(what: string, attempt: number, result: Failure, extra = ''): AppError {
    const detail =
      result.status !== undefined
        ? `HTTP ${String(result.status)}`
        : result.timedOut
          ? 'timed out'
          : 'no answer';
    return new AppError(
      'PAYER_UNAVAILABLE',
      `The payer did not take ${what} after ${String(attempt)} attempt${attempt === 1 ? '' : 's'}: ${detail}${extra}`,
      { hint: 'The worker retries later.', cause: result.failed },
    );
  }

  async function pause(what: string, attempt: number, result: Failure): Promise<void> {
    const delayMs = backoffMs(attempt, result.retryAfter, policy, random);
    options.onRetry?.({ what, attempt, status: result.status, delayMs });
    await sleep(delayMs);
  }

  /** A query: repeated after failures (timeouts too when `repeatTimeouts`). */
  async function query(
    path: string,
    body: Bundle,
    what: string,
    timeoutMs: number,
    repeatTimeouts: boolean,
  ): Promise<Answer> {
    for (let attempt = 1; ; attempt++) {
      const result = await once(path, body, timeoutMs);
      if (!('failed' in result)) return result;
      if (attempt >= policy.attempts || (result.timedOut && !repeatTimeouts))
        throw unavailable(what, attempt, result);
      await pause(what, attempt, result);
    }
  }

  function parse(answer: Answer, schema: z.ZodType, what: string): unknown {
    if (answer.status >= 400) throw refused(what, answer);
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success)
      throw new AppError(
        'PAYER_UNAVAILABLE',
        `The payer answered ${what} with something other than the expected resource`,
        { cause: parsed.error },
      );
    return parsed.data;
  }

  async function claimStatus(identifier: Identifier): Promise<ClaimResponse | undefined> {
    const inquiry: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: { resourceType: 'Claim', identifier: [identifier] } as never }],
    };
    const answer = await query(
      'Claim/$inquire',
      inquiry,
      'the claim status inquiry',
      timeouts.inquireMs,
      true,
    );
    if (answer.status === 404) return undefined;
    return parse(answer, claimResponseSchema, 'the claim status inquiry') as ClaimResponse;
  }

  async function submitClaim(bundle: Bundle): Promise<ClaimResponse> {
    const identifier = claimIdentifierOf(bundle);
    for (let attempt = 1; ; attempt++) {
      const result = await once('Claim/$submit', bundle, timeouts.submitMs);
      if (!('failed' in result)) {
        // A duplicate: an earlier send arrived after all; its answer is this one's.
        const earlier =
          result.status === 409 && identifier && hasIssueCode(result.body, 'duplicate')
            ? await claimStatus(identifier)
            : undefined;
        return earlier ?? (parse(result, claimResponseSchema, 'the claim') as ClaimResponse);
      }
      if (result.maybeReceived && identifier) {
        const known = await claimStatus(identifier).catch((err: unknown) => {
          throw new AppError(
            'PAYER_UNAVAILABLE',
            `The claim was sent, its answer was lost (${result.timedOut ? 'timed out' : result.status !== undefined ? `HTTP ${String(result.status)}` : 'no answer'}), and the payer could not be asked whether it got it`,
            { hint: 'The worker asks the payer again before sending it.', cause: err },
          );
        });
        if (known) return known;
      }
      if (attempt >= policy.attempts)
        throw unavailable(
          'the claim',
          attempt,
          result,
          result.maybeReceived ? ' (the payer says it never got it)' : '',
        );
      await pause('the claim', attempt, result);
    }
  }

  return {
    payerIds: options.payerIds ?? SANDBOX_PAYER_IDS,
    checkEligibility: async (bundle) =>
      parse(
        await query(
          'CoverageEligibilityRequest/$submit',
          bundle,
          'the eligibility check',
          timeouts.eligibilityMs,
          false,
        ),
        eligibilityResponseSchema,
        'the eligibility check',
      ) as CoverageEligibilityResponse,
    submitClaim,
    claimStatus,
  };
}

function claimIdentifierOf(bundle: Bundle): Identifier | undefined {
  const claim = bundle.entry?.[0]?.resource;
  return claim?.resourceType === 'Claim' ? (claim as Claim).identifier?.[0] : undefined;
}

function connectionCode(err: unknown): string | undefined {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** A 4xx the payer means: it refused the content; resubmitting it unchanged is refused again. */
function refused(what: string, answer: Answer): AppError {
  const outcome = isOutcome(answer.body) ? answer.body : undefined;
  const detail = outcomeDetail(outcome);
  return new AppError(
    'PAYER_REJECTED',
    `The payer rejected ${what}: HTTP ${String(answer.status)}${detail ? `: ${detail}` : ''}`,
    {
      ...(outcome ? { outcome } : {}),
      hint: 'Correct the submission; resubmitting it unchanged will be refused again.',
    },
  );
}
