import type { OperationOutcome, Resource } from 'fhir/r4';

/** One FHIR interaction as the sandbox adapter sees it, after HTTP parsing. */
export interface FhirCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Decoded path segments after the FHIR base, e.g. `['Patient', '123']`. */
  path: string[];
  query: URLSearchParams;
  body: unknown;
  ifNoneExist?: string | undefined;
  ifMatch?: string | undefined;
}

/** The answer to a FhirCall, ready to be sent over HTTP or put in a batch-response entry. */
export interface FhirAnswer {
  status: number;
  body: Resource;
  headers: Record<string, string>;
}

/** OperationOutcome issue types used by the sandbox (FHIR R4 valueset-issue-type). */
export type IssueType =
  | 'invalid'
  | 'not-found'
  | 'not-supported'
  | 'forbidden'
  | 'security'
  | 'conflict'
  | 'exception'
  | 'too-costly'
  | 'login'
  | 'processing';

export function outcome(
  code: IssueType,
  text: string,
  severity: 'error' | 'information' = 'error',
): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics: text }] };
}

/** An error answer carrying an OperationOutcome. */
export function errorAnswer(status: number, code: IssueType, text: string): FhirAnswer {
  return { status, body: outcome(code, text), headers: {} };
}

/** Headers that FHIR R4 http.html asks for on a resource answer: ETag and Last-Modified. */
export function versionHeaders(resource: Resource): Record<string, string> {
  const headers: Record<string, string> = {};
  if (resource.meta?.versionId) headers.etag = `W/"${resource.meta.versionId}"`;
  if (resource.meta?.lastUpdated)
    headers['last-modified'] = new Date(resource.meta.lastUpdated).toUTCString();
  return headers;
}

/** The HTTP reason phrase put in batch-response `response.status` (FHIR R4 Bundle.entry.response.status). */
export function statusLine(status: number): string {
  const reasons: Record<number, string> = {
    200: 'OK',
    201: 'Created',
    204: 'No Content',
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    410: 'Gone',
    412: 'Precondition Failed',
    422: 'Unprocessable Entity',
    500: 'Internal Server Error',
    501: 'Not Implemented',
  };
  const reason = reasons[status];
  return reason ? `${status} ${reason}` : String(status);
}
