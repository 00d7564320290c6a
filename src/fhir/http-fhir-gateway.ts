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
  backoffMs,
  DEFAULT_RETRY,
  isRetryableStatus,
  retryAfterMsOf,
  sleepMs,
  type RetryPolicy,
} from '../http/retry-policy.ts';

export interface HttpFhirGatewayDeps {
  baseUrl: string;
  /** Returns a bearer token for each request (cached and refreshed by the caller's auth). */
  getToken?: () => Promise<string>;
  retry?: Partial<RetryPolicy>;
  /** How requests go over the wire; default fhir-kit-client's (`undiciTransport` where volume matters). */
  transport?: FhirTransport;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
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
 * FHIR access over HTTP. Retries the statuses `src/http/retry-policy.ts` calls retryable
 * (408/425/429/5xx), timeouts and connection resets with exponential backoff and full jitter,
 * honouring `Retry-After`. A create without `If-None-Exist` is not
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
    method: FhirExchange['method'],
    url: string,
    extra: Record<string, string> = {},
    body?: Resource | Bundle,
  ): Promise<{ status: number; resource: FhirResource }> {
    const headers: Record<string, string> = { accept: 'application/fhir+json', ...extra };
    if (body !== undefined) headers['content-type'] = 'application/fhir+json';
    if (deps.getToken) headers.authorization = `Bearer ${await deps.getToken()}`;
    const reply = await transport({
      method,
      url,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      timeoutMs: policy.timeoutMs,
    });
    if (reply.status >= 300 || typeof reply.body !== 'object' || reply.body === null)
      throw new FhirHttpError(reply.status, reply.body, reply.retryAfter);
    return { status: reply.status, resource: reply.body as FhirResource };
  }

  async function withRetry<R>(
    what: string,
    attempt: () => Promise<R>,
    idempotent: boolean,
  ): Promise<R> {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        // Our own errors (an expired session from getToken) are final and already say what to do.
        if (err instanceof AppError) throw err;
        const status = err instanceof FhirHttpError ? err.status : undefined;
        const retryable =
          status === undefined
            ? idempotent
            : isRetryableStatus(status) && (idempotent || status === 429 || status === 503);
        if (!retryable || n >= policy.attempts) throw toAppError(what, err);
        await sleep(
          backoffMs(
            n,
            err instanceof FhirHttpError ? retryAfterMsOf(err.retryAfter) : undefined,
            policy,
            random,
          ),
        );
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
  const read = async (what: string, target: string) =>
    (await withRetry(what, () => send('GET', target), true)).resource;

  const gateway: FhirGateway = {
    baseUrl,
    async read<T extends Resource>(resourceType: T['resourceType'], id: string) {
      return (await read(
        `read ${resourceType}`,
        url(`${resourceType}/${encodeURIComponent(id)}`),
      )) as unknown as T;
    },
    async *searchPages(resourceType, params) {
      let bundle = (await read(`search ${resourceType}`, url(resourceType, params))) as Bundle;
      for (;;) {
        yield bundle;
        const next = bundle.link?.find((l) => l.relation === 'next')?.url;
        if (!next) return;
        bundle = (await read(
          `search ${resourceType} next page`,
          sameServer(url(next), `search ${resourceType}`),
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
      const res = await withRetry(
        `create ${resource.resourceType}`,
        () => send('POST', url(resource.resourceType), extra, resource),
        options.ifNoneExist !== undefined,
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
        () => send('PUT', target, extra, resource),
        true,
      );
      return res.resource as unknown as T;
    },
    async batch(bundle) {
      return (await withRetry('batch', () => send('POST', baseUrl, {}, bundle), false))
        .resource as Bundle;
    },
    async operation(path, body) {
      return (await withRetry(`operation ${path}`, () => send('POST', url(path), {}, body), false))
        .resource;
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
