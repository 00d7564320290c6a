import { isResourceType, matchesSearchRequest, parseSearchRequest } from '@medplum/core';
import type { Resource, Subscription } from 'fhir/r4';
import type { Logger } from 'pino';
import type { FhirAdapter, FhirCall } from './fhir-adapter.ts';
import { errorAnswer, type FhirAnswer } from './fhir-response.ts';

/** How long the sandbox waits for a subscriber to take a notification. */
const DELIVERY_TIMEOUT_MS = 10_000;

/**
 * FHIR R4 Subscriptions with the rest-hook channel (subscription.html), as Medplum and HAPI run
 * them: a client writes a Subscription (`criteria` a search such as `Encounter?status=finished`,
 * `channel.endpoint`, `channel.header`); each create or update that matches its criteria makes the
 * server POST a notification to the endpoint with those headers. Strict where R4 lets a server be:
 *
 * - only `rest-hook`, to an absolute http(s) endpoint; other channels are refused (422);
 * - only empty notifications (no `channel.payload`: R4 §2.46.7.2 "no payload, just a
 *   notification"); a Subscription asking for the resource in the body is refused (422), since the
 *   sandbox cannot tell whether the endpoint may see it;
 * - `requested` becomes `active` on write (R4 §2.46.6); a failed delivery sets `error` and stops
 *   notifications, so a subscriber that went away is not called again until it writes the
 *   Subscription anew.
 *
 * Delivery runs after the write is answered and never delays or fails it. Wraps the adapter, so
 * writes through the FHIR API, batches and the EHR's own pages all notify. Profiles whose real
 * server has no Subscriptions list the type as absent (ehr-profiles.ts): none can be written.
 */
export function subscribingAdapter(
  adapter: FhirAdapter,
  deps: { logger: Logger; fetch?: typeof fetch },
): FhirAdapter {
  const fetchFn = deps.fetch ?? fetch;
  let active: Promise<Subscription[]> | undefined;

  async function activeSubscriptions(): Promise<Subscription[]> {
    active ??= adapter.repo
      .searchResources<never>({ resourceType: 'Subscription', count: 1000 } as never)
      .then((found) => (found as Subscription[]).filter((s) => s.status === 'active'));
    return active;
  }

  async function deliver(subscription: Subscription): Promise<void> {
    const headers: Record<string, string> = {};
    for (const line of subscription.channel.header ?? []) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
    try {
      const res = await fetchFn(subscription.channel.endpoint ?? '', {
        method: 'POST',
        headers,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`the endpoint answered ${String(res.status)}`);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      deps.logger.warn(
        { subscription: `Subscription/${subscription.id ?? ''}`, error },
        'notification not delivered',
      );
      await adapter.repo
        .updateResource({ ...subscription, status: 'error', error } as never)
        .catch(() => undefined);
      active = undefined;
    }
  }

  async function notify(resource: Resource): Promise<void> {
    for (const subscription of await activeSubscriptions()) {
      if (matches(subscription.criteria, resource)) void deliver(subscription);
    }
  }

  return {
    repo: adapter.repo,
    async handle(original, options) {
      const call = isSubscriptionWrite(original) ? activate(original) : original;
      if ('status' in call) return call;
      const answer = await adapter.handle(call, options);
      const written = writtenResource(call, answer);
      if (written?.resourceType === 'Subscription') active = undefined;
      else if (written) void notify(written).catch(() => undefined);
      return answer;
    },
  };
}

function isSubscriptionWrite(call: FhirCall): boolean {
  return (call.method === 'POST' || call.method === 'PUT') && call.path[0] === 'Subscription';
}

/** The resource a create or update wrote (not a search, not a conditional create that matched). */
function writtenResource(call: FhirCall, answer: FhirAnswer): Resource | undefined {
  const created = call.method === 'POST' && answer.status === 201;
  const updated = (call.method === 'PUT' || call.method === 'PATCH') && answer.status < 300;
  if (!created && !updated) return undefined;
  return answer.body.resourceType === call.path[0] ? answer.body : undefined;
}

/** Whether `resource` matches a criteria string (`Type?query`); a type alone matches every one. */
function matches(criteria: string, resource: Resource): boolean {
  const [type] = criteria.split('?');
  if (type !== resource.resourceType) return false;
  try {
    return matchesSearchRequest(resource as never, parseSearchRequest(criteria));
  } catch {
    return false;
  }
}

/**
 * A Subscription write checked against what the sandbox delivers, `requested` made `active`;
 * a 422 naming what is wrong otherwise.
 */
function activate(call: FhirCall): FhirCall | FhirAnswer {
  const body = call.body as Partial<Subscription> | undefined;
  const problem = subscriptionProblem(body);
  if (problem) return errorAnswer(422, 'not-supported', problem);
  if (body?.status !== 'requested') return call;
  return { ...call, body: { ...body, status: 'active' } };
}

function subscriptionProblem(body: Partial<Subscription> | undefined): string | undefined {
  if (!body || typeof body !== 'object') return undefined; // the adapter answers 400
  const channel = body.channel;
  if (channel?.type !== 'rest-hook')
    return 'Only rest-hook Subscriptions are supported by this server';
  if (!/^https?:\/\/[^/]/.test(channel.endpoint ?? ''))
    return 'channel.endpoint must be an absolute http(s) URL';
  if (channel.payload !== undefined)
    return 'Only empty notifications are supported: leave channel.payload out';
  const [type, query] = (body.criteria ?? '').split('?');
  if (!type || !isResourceType(type) || query === undefined)
    return 'criteria must be a search such as Encounter?status=finished';
  try {
    parseSearchRequest(body.criteria ?? '');
  } catch {
    return 'criteria is not a search this server can evaluate';
  }
  return undefined;
}
