import type { Ledger, LedgerItem } from '../ledger/ledger.ts';

/** Which items `chartbill worker retry` releases: named encounters, or every given-up one. */
export type RetryTarget = { encounters: readonly string[] } | { allGivenUp: true };

/**
 * Makes given-up (or failed) items due now with a fresh retry budget: `failed` with no attempts
 * counted, so the next tick takes them. Their `worker-gave-up` Task is closed once they go
 * through. Returns the items released; a named encounter the ledger does not know, or one
 * that is not failed or given up, is left alone and reported in `skipped`.
 */
export async function retryItems(
  ledger: Ledger,
  target: RetryTarget,
  now: Date,
): Promise<{ released: string[]; skipped: string[] }> {
  const items: (LedgerItem | undefined)[] =
    'allGivenUp' in target
      ? await ledger.listItems({ stages: ['gave-up'] })
      : await Promise.all(target.encounters.map((e) => ledger.getItem(e)));
  const released: string[] = [];
  for (const item of items) {
    if (item?.stage !== 'gave-up' && item?.stage !== 'failed') continue;
    await ledger.putItem({
      ...item,
      stage: 'failed',
      attempts: 0,
      nextAttemptAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    released.push(item.encounter);
  }
  const skipped =
    'allGivenUp' in target ? [] : target.encounters.filter((e) => !released.includes(e));
  return { released, skipped };
}
