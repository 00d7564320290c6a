import type { OperationOutcome } from 'fhir/r4';
import { isAppError, operationOutcome } from '../../src/errors/app-error.ts';

/** Why an item is set aside for a person, OperationOutcome-style, and in plain words. */
export interface Quarantine {
  outcome: OperationOutcome;
  /** One line for billing staff: what is wrong and where. */
  summary: string;
}

/** 4xx answers that mean "this content is wrong", not "try again later". */
const CONTENT_REFUSED = new Set([400, 413, 422]);

/**
 * Whether an error is about the data rather than the moment: a resource that fails the worker's
 * checks, a reference to a resource that does not exist, content the billing store or the payer
 * refused. Retrying such an item changes nothing, so it is quarantined (held, with a Task naming
 * the problem) until someone corrects the record. Outages, timeouts and conflicts are retried.
 */
export function quarantineFor(err: unknown): Quarantine | undefined {
  if (!isAppError(err)) return undefined;
  switch (err.code) {
    case 'FHIR_RESOURCE_INVALID':
      return {
        outcome: err.outcome ?? operationOutcome('error', 'invalid', err.message),
        summary: err.message,
      };
    case 'FHIR_NOT_FOUND':
      return {
        outcome: operationOutcome('error', 'not-found', err.message),
        summary: `A record the claim needs does not exist: ${err.message}`,
      };
    case 'PAYER_REJECTED':
      return {
        outcome: err.outcome ?? operationOutcome('error', 'invalid', err.message),
        summary: err.message,
      };
    case 'FHIR_REQUEST_FAILED':
      if (err.upstreamStatus === undefined || !CONTENT_REFUSED.has(err.upstreamStatus))
        return undefined;
      return {
        outcome:
          err.outcome ??
          operationOutcome(
            'error',
            err.upstreamStatus === 413 ? 'too-costly' : 'invalid',
            err.message,
          ),
        summary: err.message,
      };
    default:
      return undefined;
  }
}
