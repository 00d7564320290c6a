/**
 * Every error code ChartBill raises, declared once with the HTTP status ChartBill answers with
 * and a short message saying what went wrong (the title of the error's page). Throw sites name
 * the code and add the details; they never choose a status. Like fastify `lib/errors.js`
 * (`createError(code, message, statusCode)`). A remote server's own status, where there was one,
 * travels beside it as `upstreamStatus` (see AppError).
 */
export const ERROR_CODES = {
  CONFIG_INVALID: { status: 500, message: 'ChartBill is not set up correctly' },
  INTERNAL_ERROR: { status: 500, message: 'Something went wrong on the ChartBill server' },
  FHIR_REQUEST_FAILED: { status: 502, message: 'The EHR refused a request' },
  FHIR_NOT_FOUND: { status: 404, message: 'A record was not found in the EHR' },
  FHIR_CONFLICT: { status: 409, message: 'The record changed in the EHR meanwhile' },
  FHIR_UNAVAILABLE: { status: 503, message: 'The EHR could not be reached' },
  FHIR_RESOURCE_INVALID: { status: 502, message: 'A record from the EHR is not usable' },
  SMART_UNKNOWN_ISS: { status: 403, message: 'This EHR is not registered' },
  SMART_MISSING_LAUNCH: { status: 400, message: 'This launch is incomplete' },
  SMART_BAD_REQUEST: { status: 400, message: 'This launch is incomplete' },
  SMART_STATE_MISMATCH: { status: 400, message: 'This sign-in link is not valid' },
  SMART_DISCOVERY_FAILED: { status: 502, message: 'The EHR could not be reached' },
  SMART_TOKEN_FAILED: { status: 502, message: 'Sign-in with the EHR failed' },
  /** The EHR's token endpoint refused the user's sign-in (e.g. `invalid_grant`): relaunch. */
  SMART_TOKEN_REFUSED: { status: 401, message: 'Sign-in with the EHR failed' },
  SMART_AUTHORIZATION_DENIED: { status: 403, message: 'The EHR did not authorize ChartBill' },
  SMART_ID_TOKEN_INVALID: { status: 502, message: 'Sign-in with the EHR failed' },
  SMART_CROSS_SITE: { status: 403, message: 'This sign-in was not started here' },
  SESSION_MISSING: { status: 401, message: 'No ChartBill session' },
  SESSION_EXPIRED: { status: 401, message: 'The ChartBill session has ended' },
  LAUNCHES_BUSY: { status: 503, message: 'ChartBill is busy' },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  INPUT_INVALID: { status: 400, message: 'The request was not valid' },
  INPUT_TOO_LARGE: { status: 413, message: 'The request is too large' },
  CODE_UNKNOWN: { status: 422, message: 'A code is not in the code set' },
  CODING_NOT_IN_ENCOUNTER: {
    status: 403,
    message: 'The coding names a record of another encounter',
  },
  CODING_SAVE_FAILED: { status: 502, message: 'The coding could not be saved' },
  EDITS_BLOCK_SIGNOFF: { status: 422, message: 'Coding errors block sign-off' },
  /** The signed-in user's billing role does not allow this workspace action (src/billing-office/roles.ts). */
  BILLING_FORBIDDEN: { status: 403, message: 'Your role does not allow this' },
  CLAIM_INVALID: { status: 422, message: 'The claim cannot be completed' },
  PAYER_UNAVAILABLE: { status: 503, message: 'The payer could not be reached' },
  PAYER_REJECTED: { status: 422, message: 'The payer rejected the request' },
  WORKER_STOPPING: { status: 503, message: 'The worker is stopping' },
  LEDGER_UNAVAILABLE: { status: 503, message: 'The worker ledger cannot be written' },
  LEDGER_TRANSITION_REFUSED: { status: 409, message: 'The ledger item cannot move to that stage' },
  LEASE_LOST: { status: 409, message: 'Another worker holds the encounter' },
  X12_INVALID: { status: 422, message: 'An X12 file could not be read' },
  X12_UNBALANCED: {
    status: 422,
    message: "An 835's payment does not equal its claims and adjustments",
  },
  X12_CLAIM_INCOMPLETE: { status: 422, message: 'A claim lacks what an 837P needs' },
} as const satisfies Record<string, { status: number; message: string }>;

/** Stable, machine-readable error codes. Users see the message; logs and tests key on the code. */
export type ErrorCode = keyof typeof ERROR_CODES;
