import type { Logger } from '../../src/log/create-logger.ts';
import type { Ledger, LedgerItem } from '../ledger/ledger.ts';
import { errorMessage } from '../../src/errors/error-message.ts';

/** A lease this worker holds on one encounter, renewed in the background until released. */
export interface HeldLease {
  /** The item as the ledger had it when the lease was taken. */
  item: LedgerItem | undefined;
  release(): Promise<void>;
  /**
   * Stops renewing without releasing: the lease runs out on its own and the encounter comes due
   * again as a `pending` item. For an item whose state could not be recorded: releasing would
   * delete its still-empty row, and the encounter would be lost.
   */
  abandon(): Promise<void>;
}

/**
 * Takes the encounter's lease, or returns undefined when another worker holds it. While held,
 * the lease is renewed every third of its time-to-live, so a slow item is not taken over while
 * its worker is alive; a dead worker stops renewing and the lease runs out.
 */
export async function holdLease(
  ledger: Ledger,
  encounter: string,
  owner: string,
  ttlMs: number,
  log: Logger,
): Promise<HeldLease | undefined> {
  const lease = await ledger.acquireLease(encounter, owner, ttlMs);
  if (!lease.acquired) return undefined;
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(
    () => {
      renewing = ledger.renewLease(encounter, owner, ttlMs).then(
        (kept) => {
          if (!kept) log.warn({ encounter }, 'lease lost while working; the writes are idempotent');
        },
        (err: unknown) => {
          log.warn({ encounter, err: errorMessage(err) }, 'lease renewal failed');
        },
      );
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return {
    item: lease.item,
    async abandon() {
      clearInterval(timer);
      await renewing;
    },
    async release() {
      clearInterval(timer);
      await renewing;
      try {
        await ledger.releaseLease(encounter, owner);
      } catch (err) {
        // It runs out on its own; another worker waits at most the lease's time.
        log.warn({ encounter, err: errorMessage(err) }, 'lease release failed');
      }
    },
  };
}
