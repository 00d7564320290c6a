import { AppError, isAppError } from '../../src/errors/app-error.ts';

/** When in a save the EHR failed: what the clinician is told differs. */
export type SavePhase = 'read' | 'write' | 'read-back';

const TRY_AGAIN = 'Try saving again; if it keeps failing, tell IT the time it happened.';

/** The EHR ended the session: the root error handler must still see it to say "relaunch". */
function endsSession(err: AppError): boolean {
  return (
    err.upstreamStatus === 401 ||
    err.status === 401 ||
    err.code === 'SESSION_EXPIRED' ||
    (err.cause instanceof AppError && err.cause.code === 'SESSION_EXPIRED')
  );
}

/**
 * A save's failure in plain words. The EHR's own error text (OperationOutcome diagnostics, which
 * may quote the chart or name internals) never reaches the browser: it stays on the error's
 * `cause` for the log. Errors ChartBill raised itself already speak plainly and pass through.
 *
 * @param notUndone references of writes a failed save could not put back (after a `write` failure).
 */
export function plainSaveError(err: unknown, phase: SavePhase, notUndone: string[] = []): unknown {
  if (!isAppError(err) || endsSession(err)) return err;
  if (notUndone.length > 0) {
    return new AppError(
      'CODING_SAVE_FAILED',
      'The EHR did not accept the whole coding, and ChartBill could not undo every part it had already saved.',
      {
        hint: 'Relaunch ChartBill from the encounter and check the coding before saving again; tell IT the time it happened.',
        cause: err,
      },
    );
  }
  if (!err.code.startsWith('FHIR_')) return err;
  if (err.code === 'FHIR_CONFLICT') {
    return new AppError(
      'FHIR_CONFLICT',
      'Someone else changed this encounter’s coding since you opened it.',
      { hint: 'Review the merged coding and save again.', cause: err },
    );
  }
  switch (phase) {
    case 'read':
      return new AppError(
        'CODING_SAVE_FAILED',
        'ChartBill could not read the encounter from the EHR, so nothing was saved. Your changes are still here.',
        { hint: TRY_AGAIN, cause: err },
      );
    case 'write':
      return new AppError(
        'CODING_SAVE_FAILED',
        'The EHR did not accept the coding, so nothing was saved. Your changes are still here.',
        { hint: TRY_AGAIN, cause: err },
      );
    case 'read-back':
      return new AppError(
        'CODING_SAVE_FAILED',
        'The coding was saved, but ChartBill could not read it back from the EHR.',
        {
          hint: 'Relaunch ChartBill from the encounter to see the saved coding.',
          cause: err,
        },
      );
    default:
      return phase satisfies never;
  }
}
