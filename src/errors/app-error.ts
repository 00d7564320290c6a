import type { OperationOutcome } from 'fhir/r4';
import { ERROR_CODES, type ErrorCode } from './error-codes.ts';

export { ERROR_CODES, type ErrorCode } from './error-codes.ts';

export interface AppErrorOptions {
  /**
   * The HTTP status a remote server (EHR, payer, token endpoint) answered with, when the error is
   * its answer. ChartBill's own status is the code's, declared in error-codes.ts.
   */
  upstreamStatus?: number;
  /** The FHIR server's OperationOutcome, when the error came from one. */
  outcome?: OperationOutcome;
  /** What the user should do about it, in plain words. */
  hint?: string;
  cause?: unknown;
}

/**
 * An error that carries a code, the code's HTTP status, a user-facing hint and, for FHIR
 * failures, the server's OperationOutcome and status. Its message (the code's declared message
 * unless the throw site gives details) must never contain tokens or patient data.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly upstreamStatus: number | undefined;
  readonly outcome: OperationOutcome | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message?: string, options: AppErrorOptions = {}) {
    super(message ?? ERROR_CODES[code].message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.upstreamStatus = options.upstreamStatus;
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
