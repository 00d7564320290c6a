import type { LedgerItem } from './ledger.ts';

interface Lease {
  owner: string;
  until: number;
  /** When it was first taken; the `updatedAt` of the pending item it stands for. */
  since: number;
}

/** Leases kept in the process: enough for the embedded ledgers, whose workers share a process. */
export interface LeaseTable {
  acquire(encounter: string, owner: string, ttlMs: number): boolean;
  renew(encounter: string, owner: string, ttlMs: number): boolean;
  release(encounter: string, owner: string): void;
  /**
   * Encounters whose lease expired by `dueBy` without the worker recording any state: the
   * worker died (or hung) holding them, so they are due again as `pending` items.
   */
  abandoned(dueBy: string, hasState: (encounter: string) => boolean): LedgerItem[];
}

/** A lease table for the memory and file ledgers; `now` is their clock. */
export function createLeaseTable(now: () => number = Date.now): LeaseTable {
  const leases = new Map<string, Lease>();
  return {
    acquire(encounter, owner, ttlMs) {
      const current = leases.get(encounter);
      const t = now();
      if (current && current.owner !== owner && current.until > t) return false;
      leases.set(encounter, {
        owner,
        until: t + ttlMs,
        since: current?.owner === owner ? current.since : t,
      });
      return true;
    },
    renew(encounter, owner, ttlMs) {
      const current = leases.get(encounter);
      if (current?.owner !== owner) return false;
      current.until = now() + ttlMs;
      return true;
    },
    release(encounter, owner) {
      if (leases.get(encounter)?.owner === owner) leases.delete(encounter);
    },
    abandoned(dueBy, hasState) {
      const limit = Date.parse(dueBy);
      return [...leases.entries()]
        .filter(([encounter, lease]) => lease.until <= limit && !hasState(encounter))
        .map(([encounter, lease]) =>
          pendingItem(
            encounter,
            new Date(lease.since).toISOString(),
            new Date(lease.until).toISOString(),
          ),
        );
    },
  };
}

/** The stand-in for an encounter leased before any state was recorded for it. */
export function pendingItem(encounter: string, since: string, until: string): LedgerItem {
  return { encounter, stage: 'pending', attempts: 0, updatedAt: since, nextAttemptAt: until };
}
