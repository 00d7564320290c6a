import { Client } from 'fhir-kit-client';
import type { Bundle, FhirResource, OperationOutcome, Resource } from 'fhir/r4';
import { AppError } from '../errors/app-error.ts';
import type { CreateOptions, CreateResult, FhirGateway, UpdateOptions } from './fhir-gateway.ts';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per-request timeout. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000, timeoutMs: 15_000 };

export interface HttpFhirGatewayDeps {
  baseUrl: string;
  /** Returns a bearer token for each request (cached and refreshed by the caller's auth). */
  getToken?: () => Promise<string>;
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

interface KitError extends Error {
  response?: { status: number; data: unknown };
  config?: { headers?: Headers };
}

type Send = () => Promise<FhirResource>;

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * FHIR access over HTTP with fhir-kit-client underneath. Retries 408/429/5xx, timeouts and
 * connection resets with exponential backoff and full jitter, honouring `Retry-After`. A create
 * without `If-None-Exist` is not idempotent, so it is retried only when the server said it did
 * not process the request (429, 503).
 */
export function createFhirGateway(deps: HttpFhirGatewayDeps): FhirGateway {
  const baseUrl = deps.baseUrl.replace(/\/+$/, '');
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...deps.retry };
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = deps.random ?? Math.random;
  const client = new Client({ baseUrl });

  async function headers(extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const h: Record<string, string> = { 'content-type': 'application/fhir+json', ...extra };
    if (deps.getToken) h.authorization = `Bearer ${await deps.getToken()}`;
    return h;
  }

  function requestOptions(h: Record<string, string>) {
    return { headers: h, signal: AbortSignal.timeout(policy.timeoutMs) };
  }

  async function withRetry(what: string, send: Send, idempotent: boolean): Promise<FhirResource> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (err) {
        // Our own errors (an expired session from getToken) are final and already say what to do.
        if (err instanceof AppError) throw err;
        const status = (err as KitError).response?.status;
        const retryable = status === undefined ? idempotent : RETRYABLE_STATUS.has(status) && (idempotent || status === 429 || status === 503);
        if (!retryable || attempt >= policy.attempts) throw toAppError(what, err);
        await sleep(backoffMs(attempt, retryAfterMs(err), policy, random));
      }
    }
  }

  const gateway: FhirGateway = {
    baseUrl,
    async read<T extends Resource>(resourceType: T['resourceType'], id: string) {
      const res = await withRetry(`read ${resourceType}`, async () => client.read({ resourceType, id, options: requestOptions(await headers()) }) as Promise<FhirResource>, true);
      return res as unknown as T;
    },
    async *searchPages(resourceType, params) {
      let bundle = (await withRetry(`search ${resourceType}`, async () => client.search({ resourceType, searchParams: params, options: requestOptions(await headers()) }) as Promise<FhirResource>, true)) as Bundle;
      for (;;) {
        yield bundle;
        const next = bundle.link?.find((l) => l.relation === 'next')?.url;
        if (!next) return;
        const current = bundle;
        bundle = (await withRetry(`search ${resourceType} next page`, async () => client.nextPage({ bundle: current as never, options: requestOptions(await headers()) }) as Promise<FhirResource>, true)) as Bundle;
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
    async create<T extends Resource>(resource: T, options: CreateOptions = {}): Promise<CreateResult<T>> {
      const extra: Record<string, string> = options.ifNoneExist ? { 'if-none-exist': options.ifNoneExist } : {};
      const res = await withRetry(
        `create ${resource.resourceType}`,
        async () => client.create({ resourceType: resource.resourceType, body: resource as never, options: requestOptions(await headers(extra)) }) as Promise<FhirResource>,
        options.ifNoneExist !== undefined,
      );
      const status = (res as unknown as { __response?: Response }).__response?.status;
      return { resource: res as unknown as T, created: status !== 200 };
    },
    async update<T extends Resource>(resource: T, options: UpdateOptions = {}): Promise<T> {
      if (!resource.id) throw new AppError('FHIR_RESOURCE_INVALID', `update ${resource.resourceType} needs an id`, { status: 400 });
      const id = resource.id;
      const extra: Record<string, string> = options.ifMatchVersion ? { 'if-match': `W/"${options.ifMatchVersion}"` } : {};
      const res = await withRetry(`update ${resource.resourceType}`, async () => client.update({ resourceType: resource.resourceType, id, body: resource as never, options: requestOptions(await headers(extra)) }) as Promise<FhirResource>, true);
      return res as unknown as T;
    },
    async batch(bundle) {
      const res = await withRetry('batch', async () => client.batch({ body: bundle as never, options: requestOptions(await headers()) }) as Promise<FhirResource>, false);
      return res as Bundle;
    },
    async operation(path, body) {
      return withRetry(`operation ${path}`, async () => client.request(path, { method: 'POST', body, options: requestOptions(await headers()) } as never) as Promise<FhirResource>, false);
    },
  };
  return gateway;
}

/** The longest Retry-After honoured; a server asking for more is retried after this long. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Exponential backoff with full jitter (capped at `maxDelayMs`), never shorter than the server's
 * Retry-After (RFC 9110 §10.2.3), which is honoured up to a minute.
 */
export function backoffMs(attempt: number, retryAfter: number | undefined, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(random() * ceiling);
  return retryAfter !== undefined ? Math.max(Math.min(retryAfter, MAX_RETRY_AFTER_MS), jittered) : jittered;
}

function retryAfterMs(err: unknown): number | undefined {
  const value = (err as KitError).config?.headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function toAppError(what: string, err: unknown): AppError {
  const kit = err as KitError;
  const status = kit.response?.status;
  const data = kit.response?.data;
  const outcome = isOutcome(data) ? data : undefined;
  const detail = outcome?.issue.map((i) => i.diagnostics ?? i.details?.text).filter(Boolean).join('; ');
  if (status === undefined) {
    return new AppError('FHIR_UNAVAILABLE', `FHIR server did not answer (${what}): ${kit.name === 'TimeoutError' ? 'timed out' : 'connection failed'}`, { status: 503, cause: err });
  }
  const code = status === 404 || status === 410 ? 'FHIR_NOT_FOUND' : status === 409 || status === 412 ? 'FHIR_CONFLICT' : status >= 500 || status === 429 ? 'FHIR_UNAVAILABLE' : 'FHIR_REQUEST_FAILED';
  return new AppError(code, `FHIR ${what} failed with HTTP ${status}${detail ? `: ${detail}` : ''}`, { status, outcome, cause: err });
}

function isOutcome(data: unknown): data is OperationOutcome {
  return typeof data === 'object' && data !== null && (data as { resourceType?: unknown }).resourceType === 'OperationOutcome';
}
