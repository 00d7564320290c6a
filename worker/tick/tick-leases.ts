import { AppError } from '../../src/errors/app-error.ts';
import type { Logger } from '../../src/log/create-logger.ts';
import { holdLease, type HeldLease } from './hold-lease.ts';
import type { Ledger } from '../ledger/ledger.ts';

/** The leases one tick holds, so that a shutdown past its grace period can release them all. */
export interface TickLeases {
  /** `holdLease` for this tick; refused once the tick is halted. */
  hold(encounter: string): Promise<HeldLease | undefined>;
  /**
   * Renews the encounter's lease now and says whether this tick still holds it: the fence before
   * an irreversible step (sending a claim). A lease that ran out while this worker was slow may
   * belong to another worker, which then decides for the encounter.
   */
  confirm(encounter: string): Promise<boolean>;
  /** Lets go of a lease this tick held: released, or abandoned when its state is not recorded. */
  done(encounter: string, lease: HeldLease, recorded: boolean): Promise<void>;
  /**
   * Halts the tick: from now on its ledger refuses writes (a lane still waiting for the payer
   * records nothing), and every lease it holds is released. Items whose outbox was written stay
   * `submitting`: the next worker asks the payer before sending them.
   */
  halt(): Promise<void>;
  /** The ledger as this tick's lanes see it: writes refused once halted. */
  ledger: Ledger;
}

/**
 * Leases are the tick's own (owner `worker/tick`): a second tick of the same worker, started
 * while a lane of the first is still out, never re-enters an encounter the first holds.
 */
export function tickLeases(ledger: Ledger, owner: string, ttlMs: number, log: Logger): TickLeases {
  const held = new Map<string, HeldLease>();
  let halted = false;
  const refuse = () => {
    if (halted)
      throw new AppError(
        'WORKER_STOPPING',
        'The worker is stopping: nothing more is recorded by this tick',
      );
  };
  const guarded: Ledger = {
    ...ledger,
    setCursor: (name, value) => {
      refuse();
      return ledger.setCursor(name, value);
    },
    putItem: (item) => {
      refuse();
      return ledger.putItem(item);
    },
    acquireLease: (encounter, who, ms) => {
      refuse();
      return ledger.acquireLease(encounter, who, ms);
    },
    renewLease: (encounter, who, ms) => {
      refuse();
      return ledger.renewLease(encounter, who, ms);
    },
  };
  return {
    ledger: guarded,
    async hold(encounter) {
      const lease = await holdLease(guarded, encounter, owner, ttlMs, log);
      if (lease && halted) {
        await lease.release();
        return undefined;
      }
      if (lease) held.set(encounter, lease);
      return lease;
    },
    confirm: (encounter) => guarded.renewLease(encounter, owner, ttlMs),
    async done(encounter, lease, recorded) {
      if (held.get(encounter) !== lease) return;
      held.delete(encounter);
      await (recorded ? lease.release() : lease.abandon());
    },
    async halt() {
      halted = true;
      const leases = [...held.values()];
      held.clear();
      await Promise.all(leases.map((lease) => lease.release()));
      if (leases.length > 0)
        log.warn(
          { released: leases.length },
          'stopped past the grace period; leases of unfinished encounters released',
        );
    },
  };
}
