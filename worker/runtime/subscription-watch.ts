import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import type { Logger } from '../../src/log/create-logger.ts';
import type { SubscriptionState } from './fhir-subscriptions.ts';

/** How the worker keeps its FHIR Subscriptions (`CHARTBILL_WORKER_NOTIFY_URL`). */
export interface SubscriptionKeeper {
  /**
   * Makes the Subscriptions what they should be through `fhir` (the worker's audited gateway:
   * each create and update gets its Provenance, like every other worker write). Never throws.
   */
  ensure(fhir: FhirGateway): Promise<SubscriptionState>;
  /** How often they are checked again even when all looks well (`CHARTBILL_WORKER_SUBSCRIPTION_CHECK_MINUTES`). */
  everyMs: number;
}

/** The shortest wait between two checks made because polling found what no notification announced. */
const SUSPECT_MIN_MS = 60_000;

/**
 * When the worker checks its Subscriptions again (issue 13, item 10): at start, every `everyMs`,
 * and sooner when a polled tick finds changes while no notification came since the tick
 * before (the EHR turned a Subscription `off`, or made it `error` after a failed delivery, or
 * deleted it): polling still finds the work, but the worker would poll at its idle pace only.
 * Such suspicious checks back off (a minute, doubling up to `everyMs`) while they find nothing
 * to fix, so a server that notifies late costs one search now and then. A repair is logged once
 * per outage: again only after a check has found everything well.
 */
export function subscriptionWatch(options: {
  keeper: SubscriptionKeeper;
  clock: () => number;
  logger: Logger;
}) {
  const { keeper, clock, logger } = options;
  let state: SubscriptionState | undefined;
  let checkedAt = Number.NEGATIVE_INFINITY;
  let notifiedAt = Number.NEGATIVE_INFINITY;
  let lastTickEndedAt = Number.NEGATIVE_INFINITY;
  let suspectWaitMs = 0;
  let suspectAt = Number.NEGATIVE_INFINITY;
  let warned = false;

  async function check(fhir: FhirGateway): Promise<SubscriptionState> {
    const first = state === undefined;
    checkedAt = clock();
    const found = await keeper.ensure(fhir);
    const repaired = found.repaired ?? 0;
    if (!first && repaired > 0) {
      if (!warned)
        logger.warn(
          { repaired, state: found.state },
          'FHIR Subscriptions were off, errored or gone: made active again (notifications resume)',
        );
      warned = true;
    } else if (found.state === 'active') warned = false;
    state = found;
    return found;
  }

  return {
    /** The last check's result; undefined before the first. */
    state: () => state,
    check,
    /** A notification arrived. */
    notified(): void {
      notifiedAt = clock();
    },
    /** After each tick: checks when due, or when polling found changes no notification announced. */
    async afterTick(fhir: FhirGateway, tick: { seen: number }): Promise<void> {
      const now = clock();
      const since = lastTickEndedAt;
      lastTickEndedAt = now;
      if (!state) return;
      if (now - checkedAt >= keeper.everyMs) {
        await check(fhir);
        return;
      }
      const unannounced = state.state !== 'unavailable' && tick.seen > 0 && notifiedAt < since;
      if (!unannounced || now - suspectAt < suspectWaitMs) return;
      suspectAt = now;
      const found = await check(fhir);
      suspectWaitMs =
        (found.repaired ?? 0) > 0
          ? 0
          : Math.min(keeper.everyMs, Math.max(SUSPECT_MIN_MS, suspectWaitMs * 2));
    },
  };
}

export type SubscriptionWatch = ReturnType<typeof subscriptionWatch>;
