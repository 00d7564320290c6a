import type { Bundle, FhirResource, Resource } from 'fhir/r4';
import { AppError } from '../errors/app-error.ts';
import type {
  CreateOptions,
  CreateResult,
  FhirGateway,
  SearchParams,
  UpdateOptions,
} from './fhir-gateway.ts';
import {
  fhirKitTransport,
  FhirNoAnswer,
  type FhirExchange,
  type FhirTransport,
} from './fhir-transport.ts';
import { isOutcome, outcomeDetail } from './outcomes.ts';
import {
  DEFAULT_RETRY,
  isSerializationConflict,
  retryDecision,
  sleepMs,
  type RetryCounts,
  type RetryPolicy,
  type RetryReason,
} from '../http/retry-policy.ts';

/** A FHIR interaction (FHIR R4 http.html), as `/metrics` labels requests. */
export type FhirInteraction = 'read' | 'search-type' | 'create' | 'update' | 'batch' | 'operation';

/** One exchange with the server, whatever its answer: for metrics and adaptive concurrency. */
export interface FhirExchangeEvent {
  method: FhirExchange['method'];
  /** The resource type (or `''` for a batch at the base). */
  resource: string;
  interaction: FhirInteraction;
  /** The answer's status; undefined when none came (refused, reset, timed out). */
  status: number | undefined;
  /** From sending to the whole answer read. */
  ms: number;
  /** A serialization conflict (409 "could not serialize access", or 409/412 on a conditional create). */
  conflict: boolean;
}

/** A request about to be sent again, and why. */
export interface FhirRetryEvent {
  /** e.g. `create Claim` */
  what: string;
  status: number | undefined;
  reason: RetryReason;
  delayMs: number;
  /** For a quota wait: whether the server named the wait (`outcome`) or a window was assumed. */
  detail?: string;
}

export interface HttpFhirGatewayDeps {
  baseUrl: string;
  /** Returns a bearer token for each request (cached and refreshed by the caller's auth). */
  getToken?: () => Promise<string>;
  retry?: Partial<RetryPolicy>;
  /** How requests go over the wire; default fhir-kit-client's (`undiciTransport` where volume matters). */
  transport?: FhirTransport;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Told of every exchange (metrics, adaptive concurrency). */
  onExchange?: (event: FhirExchangeEvent) => void;
  /** Told before every retry (logs: a 429 without Retry-After says how long it waits). */
  onRetry?: (event: FhirRetryEvent) => void;
}

/** A request that got an answer it cannot use: an error status, or a body that is not JSON. */
class FhirHttpError extends Error {
  constructor(
    readonly status: number,
    readonly data: unknown,
    readonly retryAfter: string | undefined,
  ) {
    super(`HTTP ${String(status)}`);
  }
}

/**
 * FHIR access over HTTP, retried as `src/http/retry-policy.ts` decides: the statuses it calls
 * retryable (408/425/429/5xx), timeouts and connection resets with exponential backoff and full
 * jitter, honouring `Retry-After`; a 429 without one waits for the quota; a conditional create
 * that lost a serialization race is repeated at once. A create without `If-None-Exist` is not
 * idempotent, so it is retried only when the server said it did not process the request (429,
 * 503).
 */
export function createFhirGateway(deps: HttpFhirGatewayDeps): FhirGateway {
  const baseUrl = deps.baseUrl.replace(/\/+$/, '');
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...deps.retry };
  const sleep = deps.sleep ?? sleepMs;
  const random = deps.random ?? Math.random;
  const transport = deps.transport ?? fhirKitTransport(baseUrl);

  /** One exchange; resolves with a 2xx answer's status and resource, throws anything else. */
  async function send(
    kind: { resource: string; interaction: FhirInteraction; conditional?: boolean },
    method: FhirExchange['method'],
    url: string,
    extra: Record<string, string> = {},
    body?: Resource | Bundle,
  ): Promise<{ status: number; resource: FhirResource }> {
    const headers: Record<string, string> = { accept: 'application/fhir+json', ...extra };
    if (body !== undefined) headers['content-type'] = 'application/fhir+json';
    if (deps.getToken) headers.authorization = `Bearer ${await deps.getToken()}`;
    const started = performance.now();
    let status: number | undefined;
    let conflict = false;
    try {
      const reply = await transport({
        method,
        url,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        timeoutMs: policy.timeoutMs,
      });
      status = reply.status;
      conflict = isSerializationConflict(reply.status, reply.body, kind.conditional === true);
      if (reply.status >= 300 || typeof reply.body !== 'object' || reply.body === null)
        throw new FhirHttpError(reply.status, reply.body, reply.retryAfter);
      return { status: reply.status, resource: reply.body as FhirResource };
    } finally {
      deps.onExchange?.({
        method,
        resource: kind.resource,
        interaction: kind.interaction,
        status,
        ms: performance.now() - started,
        conflict,
      });
    }
  }

  async function withRetry<R>(
    what: string,
    attempt: () => Promise<R>,
    request: { repeatable: boolean; conditionalCreate?: boolean },
  ): Promise<R> {
    const counts: RetryCounts = { attempts: 0, conflicts: 0, quotaWaits: 0 };
    for (;;) {
      counts.attempts += 1;
      try {
        return await attempt();
      } catch (err) {
        // Our own errors (an expired session from getToken) are final and already say what to do.
        if (err instanceof AppError) throw err;
        const answer =
          err instanceof FhirHttpError
            ? { status: err.status, retryAfter: err.retryAfter, body: err.data }
            : { status: undefined };
        const decision = retryDecision(
          answer,
          { repeatable: request.repeatable, conditionalCreate: request.conditionalCreate === true },
          counts,
          policy,
          random,
        );
        if (!decision.retry) throw toAppError(what, err);
        // Waits of their own budgets: a conflict or a quota wait is no failed attempt.
        if (decision.reason === 'serialization-conflict') {
          counts.conflicts += 1;
          counts.attempts -= 1;
        } else if (decision.reason === 'quota') {
          counts.quotaWaits += 1;
          counts.attempts -= 1;
        }
        deps.onRetry?.({
          what,
          status: answer.status,
          reason: decision.reason,
          delayMs: decision.delayMs,
          ...(decision.detail ? { detail: decision.detail } : {}),
        });
        await sleep(decision.delayMs);
      }
    }
  }

  const url = (path: string, params?: SearchParams) => urlOf(baseUrl, path, params);
  /** A paging link is followed only on this server: the bearer token goes nowhere else. */
  const origin = new URL(baseUrl).origin;
  const sameServer = (target: string, what: string): string => {
    if (new URL(target).origin === origin) return target;
    throw new AppError(
      'FHIR_REQUEST_FAILED',
      `FHIR ${what}: the server's next-page link points to another server (${new URL(target).origin}); it was not followed`,
    );
  };
  const read = async (
    what: string,
    target: string,
    kind: { resource: string; interaction: FhirInteraction },
  ) => (await withRetry(what, () => send(kind, 'GET', target), { repeatable: true })).resource;

  const gateway: FhirGateway = {
    baseUrl,
    async read<T extends Resource>(resourceType: T['resourceType'], id: string) {
      return (await read(`read ${resourceType}`, url(`${resourceType}/${encodeURIComponent(id)}`), {
        resource: resourceType,
        interaction: 'read',
      })) as unknown as T;
    },
    async *searchPages(resourceType, params) {
      const kind = { resource: resourceType, interaction: 'search-type' } as const;
      let bundle = (await read(
        `search ${resourceType}`,
        url(resourceType, params),
        kind,
      )) as Bundle;
      for (;;) {
        yield bundle;
        const next = bundle.link?.find((l) => l.relation === 'next')?.url;
        if (!next) return;
        bundle = (await read(
          `search ${resourceType} next page`,
          sameServer(url(next), `search ${resourceType}`),
          kind,
        )) as Bundle;
      }
    },
    async searchAll(resourceType, params, maxResources = 10_000) {
      const out: FhirResource[] = [];
      for await (const page of gateway.searchPages(resourceType, params)) {
        for (const e of page.entry ?? []) if (e.resource) out.push(e.resource as FhirResource);
        if (out.length >= maxResources) break;
      }
      return out;
    },
    async create<T extends Resource>(
      resource: T,
      options: CreateOptions = {},
    ): Promise<CreateResult<T>> {
      const extra: Record<string, string> = options.ifNoneExist
        ? { 'if-none-exist': options.ifNoneExist }
        : {};
      const conditional = options.ifNoneExist !== undefined;
      const kind = { resource: resource.resourceType, interaction: 'create', conditional } as const;
      const res = await withRetry(
        `create ${resource.resourceType}`,
        () => send(kind, 'POST', url(resource.resourceType), extra, resource),
        { repeatable: conditional, conditionalCreate: conditional },
      );
      // 200, not 201: If-None-Exist matched and the server wrote nothing.
      return { resource: res.resource as unknown as T, created: res.status !== 200 };
    },
    async update<T extends Resource>(resource: T, options: UpdateOptions = {}): Promise<T> {
      if (!resource.id)
        throw new AppError(
          'FHIR_RESOURCE_INVALID',
          `update ${resource.resourceType} needs an id`,
          {},
        );
      const extra: Record<string, string> = options.ifMatchVersion
        ? { 'if-match': `W/"${options.ifMatchVersion}"` }
        : {};
      const target = url(`${resource.resourceType}/${encodeURIComponent(resource.id)}`);
      const res = await withRetry(
        `update ${resource.resourceType}`,
        () =>
          send(
            { resource: resource.resourceType, interaction: 'update' },
            'PUT',
            target,
            extra,
            resource,
          ),
        { repeatable: true },
      );
      return res.resource as unknown as T;
    },
    async batch(bundle) {
      const kind = { resource: '', interaction: 'batch' } as const;
      return (
        await withRetry('batch', () => send(kind, 'POST', baseUrl, {}, bundle), {
          repeatable: false,
        })
      ).resource as Bundle;
    },
    async operation(path, body) {
      const kind = { resource: path.split('/')[0] ?? '', interaction: 'operation' } as const;
      return (
        await withRetry(`operation ${path}`, () => send(kind, 'POST', url(path), {}, body), {
          repeatable: false,
        })
      ).resource;
    },
  };
  return gateway;
}

/** `path` (relative to the base, or absolute as a `next` link is) with the search parameters; a list repeats its parameter. */
function urlOf(baseUrl: string, path: string, params?: SearchParams): string {
  const target = /^https?:\/\//i.test(path) ? path : `${baseUrl}/${path.replace(/^\/+/, '')}`;
  if (!params) return target;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) query.append(key, String(v));
  }
  const text = query.toString();
  return text ? `${target}?${text}` : target;
}

function toAppError(what: string, err: unknown): AppError {
  if (!(err instanceof FhirHttpError)) {
    const timedOut = err instanceof FhirNoAnswer && err.timedOut;
    return new AppError(
      'FHIR_UNAVAILABLE',
      `FHIR server did not answer (${what}): ${timedOut ? 'timed out' : 'connection failed'}`,
      { cause: err },
    );
  }
  const { status, data } = err;
  const outcome = isOutcome(data) ? data : undefined;
  const detail = outcomeDetail(outcome);
  if (status < 300)
    return new AppError(
      'FHIR_REQUEST_FAILED',
      `FHIR ${what} answered HTTP ${String(status)} with something other than JSON`,
    );
  const code =
    status === 404 || status === 410
      ? 'FHIR_NOT_FOUND'
      : status === 409 || status === 412
        ? 'FHIR_CONFLICT'
        : status >= 500 || status === 429
          ? 'FHIR_UNAVAILABLE'
          : 'FHIR_REQUEST_FAILED';
  return new AppError(
    code,
    `FHIR ${what} failed with HTTP ${String(status)}${detail ? `: ${detail}` : ''}`,
    { upstreamStatus: status, ...(outcome ? { outcome } : {}), cause: err },
  );
}
