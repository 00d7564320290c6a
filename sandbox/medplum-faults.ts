import type { OperationOutcome } from 'fhir/r4';
import type { FhirAnswer, FhirCall } from './fhir-response.ts';

/**
 * What a FHIR server does to requests besides answering them: the sandbox's `medplum-like`
 * behaviours, seen on Medplum 4.5 (PostgreSQL, Redis) and reproduced here as the real server does
 * them, so that ChartBill meets them before go-live.
 */
export interface FhirFaults {
  /**
   * Before a request is handled, for the token's subject `who`: an answer in its place (429 over
   * the quota), or undefined to go on.
   */
  admit(who: string, request: FaultRequest): FhirAnswer | undefined;
  /** Around one call (a request, or one entry of a batch). */
  call(call: FhirCall, run: () => Promise<FhirAnswer>): Promise<FhirAnswer>;
}

/** A request as the quota weighs it. */
export interface FaultRequest {
  method: FhirCall['method'];
  /** Path segments after the FHIR base (`[]` for a batch). */
  path: readonly string[];
  /** Entries of a batch. */
  entries?: number;
}

export interface MedplumFaultOptions {
  /**
   * Points a user may spend per quota window (Medplum's FHIR interaction load limit, charged per
   * interaction: read 1, search 20, create/update/delete 100); 0 turns the quota off.
   */
  quotaPoints?: number;
  /** The quota's window: Medplum's is one minute (rate-limiter-flexible, `duration: 60`). */
  quotaWindowMs?: number;
  /**
   * How long one `If-None-Exist` create's SERIALIZABLE transaction stays open (its search, then
   * its insert); a write to the same table committed meanwhile makes it fail with SQLSTATE 40001.
   */
  transactionMs?: number;
  /** Times the server runs a failed transaction again itself before answering 409 (Medplum tries twice: 1). */
  serverRetries?: number;
  now?: () => number;
}

/**
 * The defaults: Medplum's default per-user quota of 50,000 points a minute, and a transaction
 * of 2 ms (a conditional create on a local PostgreSQL).
 */
export const MEDPLUM_DEFAULTS = {
  quotaPoints: 50_000,
  quotaWindowMs: 60_000,
  transactionMs: 2,
  serverRetries: 1,
} as const;

/** PostgreSQL's message for SQLSTATE 40001, which Medplum passes on in a 409's outcome. */
const SERIALIZATION_FAILURE =
  'could not serialize access due to read/write dependencies among transactions';

/**
 * Medplum's faults:
 * - **Serialization conflicts.** Each `If-None-Exist` create runs as a SERIALIZABLE transaction:
 *   when another write to the same resource type commits while it is open, it fails; the server
 *   runs it again `serverRetries` times, then answers 409 with PostgreSQL's "could not serialize
 *   access" in the OperationOutcome. Nothing is written by a failed transaction.
 * - **A per-minute quota per user.** Interactions cost points; a user over the limit is answered
 *   429 with Medplum's `too-many-requests` outcome, the wait only in its diagnostics (the
 *   limiter's state as JSON, `msBeforeNext` included) and no `Retry-After` header.
 */
export function medplumFaults(options: MedplumFaultOptions = {}): FhirFaults {
  const settings = { ...MEDPLUM_DEFAULTS, ...options };
  const now = options.now ?? Date.now;
  const commits = new Map<string, number>();
  const spent = new Map<string, { windowStart: number; points: number }>();

  function admit(who: string, request: FaultRequest): FhirAnswer | undefined {
    if (settings.quotaPoints <= 0) return undefined;
    const at = now();
    let used = spent.get(who);
    if (!used || at - used.windowStart >= settings.quotaWindowMs) {
      used = { windowStart: at, points: 0 };
      spent.set(who, used);
    }
    const cost = costOf(request);
    const msBeforeNext = Math.max(0, used.windowStart + settings.quotaWindowMs - at);
    if (used.points + cost > settings.quotaPoints) {
      used.points = Math.max(used.points, settings.quotaPoints);
      return tooManyRequests({
        remainingPoints: 0,
        msBeforeNext,
        consumedPoints: used.points,
        isFirstInDuration: false,
        limit: settings.quotaPoints,
      });
    }
    used.points += cost;
    return undefined;
  }

  async function call(c: FhirCall, run: () => Promise<FhirAnswer>): Promise<FhirAnswer> {
    const type = c.path[0] ?? '';
    const writes = c.method !== 'GET' && c.path[1] !== '_search' && !type.startsWith('$');
    if (!writes) return run();
    if (c.method !== 'POST' || c.ifNoneExist === undefined) {
      const answer = await run();
      if (answer.status < 300) commits.set(type, (commits.get(type) ?? 0) + 1);
      return answer;
    }
    for (let attempt = 0; attempt <= settings.serverRetries; attempt++) {
      const before = commits.get(type) ?? 0;
      await new Promise((resolve) => setTimeout(resolve, settings.transactionMs));
      // First committer wins: a write to the table since this transaction began fails it.
      if ((commits.get(type) ?? 0) !== before) continue;
      commits.set(type, before + 1);
      return run();
    }
    const body: OperationOutcome = {
      resourceType: 'OperationOutcome',
      id: 'conflict',
      issue: [{ severity: 'error', code: 'conflict', details: { text: SERIALIZATION_FAILURE } }],
    };
    return { status: 409, headers: {}, body };
  }

  return { admit, call };
}

/** Medplum's points per interaction (docs: rate limits, FHIR interaction load). */
function costOf(request: FaultRequest): number {
  if (request.entries !== undefined) return 100 * Math.max(1, request.entries);
  if (request.method === 'GET') return request.path.length === 1 ? 20 : 1;
  if (request.path[1] === '_search') return 20;
  return 100;
}

/** Medplum's `tooManyRequests` outcome with the limiter's state in its diagnostics. */
function tooManyRequests(state: Record<string, number | boolean>): FhirAnswer {
  const body: OperationOutcome = {
    resourceType: 'OperationOutcome',
    id: 'too-many-requests',
    issue: [
      {
        severity: 'error',
        code: 'throttled',
        details: { text: 'Too Many Requests' },
        diagnostics: JSON.stringify(state),
      },
    ],
  };
  return { status: 429, headers: {}, body };
}
