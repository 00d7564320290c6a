import type { Bundle, ClaimResponse, CoverageEligibilityResponse } from 'fhir/r4';
import { z } from 'zod';
import { AppError, isAppError } from '../errors/app-error.ts';
import type { FhirGateway } from '../fhir/fhir-gateway.ts';
import { createFhirGateway, type RetryPolicy } from '../fhir/http-fhir-gateway.ts';
import type { PayerAdapter } from './payer-adapter.ts';

/** Where the payer is and how to reach it. */
export interface FhirPayerAdapterOptions {
  /** The payer's FHIR base, e.g. `http://127.0.0.1:4420/fhir`. */
  baseUrl: string;
  /** Per-request timeout; default 15 s. */
  timeoutMs?: number;
  /** Bearer token for payers that want one. */
  getToken?: () => Promise<string>;
  retry?: Partial<RetryPolicy>;
  /** A gateway to use instead of one built from `baseUrl` (tests, custom transports). */
  gateway?: FhirGateway;
}

const claimResponseSchema = z.looseObject({ resourceType: z.literal('ClaimResponse'), outcome: z.enum(['queued', 'complete', 'error', 'partial']) });
const eligibilityResponseSchema = z.looseObject({ resourceType: z.literal('CoverageEligibilityResponse'), outcome: z.enum(['queued', 'complete', 'error', 'partial']) });

/**
 * A payer reached over FHIR: `POST {base}/CoverageEligibilityRequest/$submit` and
 * `POST {base}/Claim/$submit` with a collection Bundle (Da Vinci PAS style). The answer is
 * checked to be the resource asked for.
 */
export function createFhirPayerAdapter(options: FhirPayerAdapterOptions): PayerAdapter {
  const gateway = options.gateway ?? createFhirGateway({
    baseUrl: options.baseUrl,
    ...(options.getToken ? { getToken: options.getToken } : {}),
    retry: { ...options.retry, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) },
  });

  async function submit(path: string, bundle: Bundle, schema: z.ZodType, what: string): Promise<unknown> {
    let answer: unknown;
    try {
      answer = await gateway.operation(path, bundle);
    } catch (err) {
      throw toPayerError(what, err);
    }
    const parsed = schema.safeParse(answer);
    if (!parsed.success) {
      throw new AppError('PAYER_UNAVAILABLE', `The payer answered ${what} with something other than the expected resource`, { status: 502, cause: parsed.error });
    }
    return parsed.data;
  }

  return {
    async checkEligibility(bundle) {
      return (await submit('CoverageEligibilityRequest/$submit', bundle, eligibilityResponseSchema, 'the eligibility check')) as CoverageEligibilityResponse;
    },
    async submitClaim(bundle) {
      return (await submit('Claim/$submit', bundle, claimResponseSchema, 'the claim')) as ClaimResponse;
    },
  };
}

/** 4xx (except 408/429) means the payer refused the content; anything else is an outage. */
function toPayerError(what: string, err: unknown): AppError {
  const status = isAppError(err) ? err.status : 503;
  const refused = status >= 400 && status < 500 && status !== 408 && status !== 429;
  const detail = isAppError(err) ? err.message : 'no answer';
  return new AppError(refused ? 'PAYER_REJECTED' : 'PAYER_UNAVAILABLE', `The payer ${refused ? 'rejected' : 'did not take'} ${what}: ${detail}`, {
    status: refused ? 422 : 503,
    ...(isAppError(err) && err.outcome ? { outcome: err.outcome } : {}),
    hint: refused ? 'Correct the submission; resubmitting it unchanged will be refused again.' : 'The worker retries later.',
    cause: err,
  });
}
