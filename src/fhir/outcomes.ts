import type { OperationOutcome } from 'fhir/r4';

/**
 * OperationOutcome helpers for answers from FHIR servers and payers. An error answer's body is
 * an OperationOutcome when the server follows FHIR R4 (http.html#3.1.0.4); anything else is
 * treated as no outcome at all.
 */

/** Whether an answer's body is an OperationOutcome. */
export function isOutcome(data: unknown): data is OperationOutcome {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { resourceType?: unknown }).resourceType === 'OperationOutcome'
  );
}

/** The issues' diagnostics (or their details' text), joined with `; `; empty when there are none. */
export function outcomeDetail(outcome: OperationOutcome | undefined): string {
  return (
    outcome?.issue
      .map((i) => i.diagnostics ?? i.details?.text)
      .filter(Boolean)
      .join('; ') ?? ''
  );
}

/** Whether an answer's body is an OperationOutcome with an issue of this code (e.g. `duplicate`). */
export function hasIssueCode(
  data: unknown,
  code: OperationOutcome['issue'][number]['code'],
): boolean {
  return isOutcome(data) && data.issue.some((i) => i.code === code);
}
