import type { OperationOutcome } from 'fhir/r4';

/** Stable, machine-readable error codes. Users see `message`; logs and tests key on `code`. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'FHIR_REQUEST_FAILED'
  | 'FHIR_NOT_FOUND'
  | 'FHIR_CONFLICT'
  | 'FHIR_UNAVAILABLE'
  | 'FHIR_RESOURCE_INVALID'
  | 'SMART_UNKNOWN_ISS'
  | 'SMART_MISSING_LAUNCH'
  | 'SMART_BAD_REQUEST'
  | 'SMART_STATE_MISMATCH'
  | 'SMART_DISCOVERY_FAILED'
  | 'SMART_TOKEN_FAILED'
  | 'SMART_AUTHORIZATION_DENIED'
  | 'SESSION_MISSING'
  | 'SESSION_EXPIRED'
  | 'CODE_UNKNOWN'
  | 'CODING_INVALID'
  | 'CODING_NOT_IN_ENCOUNTER'
  | 'CODING_SAVE_FAILED'
  | 'EDITS_BLOCK_SIGNOFF'
  | 'CLAIM_NO_COVERAGE'
  | 'CLAIM_NOT_CODED'
  | 'CLAIM_INVALID'
  | 'PAYER_UNAVAILABLE'
  | 'PAYER_REJECTED'
  | 'INPUT_INVALID'
  | 'WORKER_STOPPING'
  | 'LEDGER_UNAVAILABLE'
  | 'LEASE_LOST'
  | 'SMART_ID_TOKEN_INVALID'
  | 'SMART_CROSS_SITE'
  | 'LAUNCHES_BUSY'
  | 'RATE_LIMITED'
  | 'INPUT_TOO_LARGE'
  | 'X12_INVALID'
  | 'X12_UNBALANCED'
  | 'X12_CLAIM_INCOMPLETE';

export interface AppErrorOptions {
  /** HTTP status to answer with, where the error crosses an HTTP boundary. */
  status?: number;
  /** The FHIR server's OperationOutcome, when the error came from one. */
  outcome?: OperationOutcome;
  /** What the user should do about it, in plain words. */
  hint?: string;
  cause?: unknown;
}

/**
 * An error that carries a code, an HTTP status, a user-facing hint and, for FHIR failures, the
 * server's OperationOutcome. Its message must never contain tokens or patient data.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly outcome: OperationOutcome | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? 500;
    this.outcome = options.outcome;
    this.hint = options.hint;
  }
}

/** True when `err` is an AppError with the given code (or any AppError when no code is given). */
export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/** A one-issue OperationOutcome, for answers and for Task reasons. */
export function operationOutcome(
  severity: 'error' | 'warning' | 'information',
  code: string,
  text: string,
  expression?: string[],
): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: severity === 'information' ? 'information' : severity,
        code: code as 'invalid',
        diagnostics: text,
        ...(expression ? { expression } : {}),
      },
    ],
  };
}
