import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Subscription } from 'fhir/r4';
import { errorMessage } from '../../src/errors/error-message.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import {
  declaresConditionalCreate,
  supports,
  type ServerCapabilities,
} from '../../src/fhir/server-capabilities.ts';
import type { Logger } from '../../src/log/create-logger.ts';

/** Why the worker holds its Subscriptions: shown to whoever reads them on the EHR. */
const REASON = 'ChartBill billing worker: wakes on changes; polling stays the source of truth';

/** What the worker polls (find-work.ts, find-changes.ts), as Subscription criteria. */
const CLINICAL_CRITERIA = ['Encounter?status=finished', 'Coverage?', 'ChargeItem?', 'Condition?'];
/** The billing store's draft claims; subscribed only where the EHR is the billing store too. */
const BILLING_CRITERIA = ['Claim?status=draft'];

/** What `ensureSubscriptions` found and did. */
export interface SubscriptionState {
  /** `active`: notifications will wake the worker; otherwise it only polls, and `reason` says why. */
  state: 'active' | 'unavailable' | 'failed';
  reason: string;
  /** The worker's Subscriptions on the EHR (ids), when active. */
  ids: string[];
  /** How many this check created or made active again (off, errored, changed or gone). */
  repaired?: number;
}

/**
 * The secret the EHR sends back in each notification (`Authorization: Bearer …`, from the
 * Subscription's `channel.header`). Derived from the worker's private key and the notification
 * URL, so a restart makes the same one (its Subscriptions are found, not duplicated) and a new
 * key or URL makes a new one. It proves only that the caller read the Subscription: a
 * notification never carries anything the worker trusts, it only makes the next poll come now.
 */
export function notifySecret(privateKeyD: string, notifyUrl: string): string {
  return createHmac('sha256', privateKeyD)
    .update(`chartbill-fhir-notify\n${notifyUrl}`)
    .digest('base64url');
}

/** Whether an `Authorization` header carries the secret (compared in constant time). */
export function carriesSecret(authorization: string | undefined, secret: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(authorization ?? ''), digest(`Bearer ${secret}`));
}

/**
 * Makes the worker's rest-hook Subscriptions on the EHR what they should be (FHIR R4
 * subscription.html), when its CapabilityStatement declares Subscription create, update and
 * search: one per watched search, to `notifyUrl` with the secret header. Those found at
 * `notifyUrl` are reused (a restart or a second run creates nothing), brought up to date when
 * their header or status differ (a new key, a delivery error), and turned `off` when the
 * configuration no longer watches their search. They stay on shutdown: the next start reuses
 * them. The worker calls this at start and again later (subscription-watch.ts) through its
 * audited gateway, so each create and update has its Provenance. Never throws: the worker polls
 * whatever happens here.
 */
export async function ensureSubscriptions(options: {
  gateway: FhirGateway;
  capabilities: ServerCapabilities;
  notifyUrl: string;
  secret: string;
  /** The EHR is the billing store too: its draft claims are watched there. */
  billingHere: boolean;
  /** The coding (ChargeItem, Condition) is read from the EHR, not a billing store. */
  codingHere: boolean;
  logger: Logger;
}): Promise<SubscriptionState> {
  const { capabilities: caps, gateway, logger } = options;
  const declared = (['create', 'update', 'search-type'] as const).every((i) =>
    supports(caps, 'Subscription', i),
  );
  if (!declared) {
    const reason =
      "the EHR's CapabilityStatement does not declare Subscription create, update and search";
    logger.info({ reason }, 'no FHIR Subscriptions: the worker polls');
    return { state: 'unavailable', reason, ids: [] };
  }
  const wanted = [
    ...CLINICAL_CRITERIA.filter((c) => options.codingHere || !/^(ChargeItem|Condition)\?/.test(c)),
    ...(options.billingHere ? BILLING_CRITERIA : []),
  ].filter((c) => supports(caps, c.split('?')[0] ?? '', 'search-type'));
  try {
    const { ids, repaired } = await reconcile(gateway, caps, wanted, options);
    if (repaired > 0)
      logger.info(
        { subscriptions: ids.length, written: repaired },
        'FHIR Subscriptions active: notifications wake the worker',
      );
    return {
      state: 'active',
      reason: `${String(ids.length)} rest-hook Subscriptions`,
      ids,
      repaired,
    };
  } catch (err) {
    const reason = errorMessage(err);
    logger.warn({ err: reason }, 'FHIR Subscriptions could not be set up: the worker polls');
    return { state: 'failed', reason, ids: [] };
  }
}

async function reconcile(
  gateway: FhirGateway,
  caps: ServerCapabilities,
  wanted: string[],
  options: { notifyUrl: string; secret: string },
): Promise<{ ids: string[]; repaired: number }> {
  const found = (await gateway.searchAll('Subscription', { url: options.notifyUrl, _count: 100 }))
    .filter((r): r is Subscription => r.resourceType === 'Subscription')
    .filter((s) => s.channel.endpoint === options.notifyUrl);
  const channel: Subscription['channel'] = {
    type: 'rest-hook',
    endpoint: options.notifyUrl,
    header: [`Authorization: Bearer ${options.secret}`],
  };
  const ids: string[] = [];
  let repaired = 0;
  const kept = new Set<Subscription>();
  for (const criteria of wanted) {
    const mine = found.find((s) => s.criteria === criteria && !kept.has(s));
    if (mine) kept.add(mine);
    const desired: Subscription = {
      resourceType: 'Subscription',
      status: 'requested',
      reason: REASON,
      criteria,
      channel,
    };
    if (mine && mine.status === 'active' && sameChannel(mine.channel, channel)) {
      ids.push(mine.id ?? '');
    } else if (mine) {
      ids.push((await gateway.update({ ...desired, id: mine.id })).id ?? '');
      repaired += 1;
    } else {
      repaired += 1;
      const conditional = declaresConditionalCreate(caps, 'Subscription');
      const { resource } = await gateway.create(
        desired,
        conditional
          ? { ifNoneExist: new URLSearchParams({ url: options.notifyUrl, criteria }).toString() }
          : {},
      );
      ids.push(resource.id ?? '');
    }
  }
  // Left from another configuration (or a duplicate): no longer watched, so no longer notified.
  for (const stale of found.filter((s) => !kept.has(s) && s.status !== 'off'))
    await gateway.update({ ...stale, status: 'off' });
  return { ids, repaired };
}

function sameChannel(a: Subscription['channel'], b: Subscription['channel']): boolean {
  return (
    a.type === b.type &&
    a.endpoint === b.endpoint &&
    a.payload === undefined &&
    JSON.stringify(a.header ?? []) === JSON.stringify(b.header ?? [])
  );
}
