import { canTransition, transitionRefused } from './item-states.ts';
import { createLeaseTable } from './lease-table.ts';
import { isFinal, selectItems, type Ledger, type LedgerItem } from './ledger.ts';

/** A ledger in memory: for tests and for a worker that may redo work after a restart. */
export function createMemoryLedger(options: { now?: () => number } = {}): Ledger {
  const cursors = new Map<string, string>();
  const items = new Map<string, LedgerItem>();
  const leases = createLeaseTable(options.now);
  return {
    getCursor: (name) => Promise.resolve(cursors.get(name)),
    setCursor: (name, value) => {
      cursors.set(name, laterCursor(cursors.get(name), value));
      return Promise.resolve();
    },
    getItem: (encounter) => Promise.resolve(copy(items.get(encounter))),
    putItem: (item) => {
      const current = items.get(item.encounter);
      if (!canTransition(current, item.stage))
        return Promise.reject(transitionRefused(item.encounter, current, item.stage));
      items.set(item.encounter, { ...item });
      return Promise.resolve();
    },
    listItems: (filter) => {
      const found = selectItems({ get: (e) => items.get(e), all: () => items.values() }, filter);
      if (
        filter?.dueBy !== undefined &&
        !filter.patients &&
        !filter.encounters &&
        (!filter.stages || filter.stages.includes('pending'))
      )
        found.push(...leases.abandoned(filter.dueBy, (e) => items.has(e)));
      return Promise.resolve(found);
    },
    acquireLease: (encounter, owner, ttlMs) => {
      const acquired = leases.acquire(encounter, owner, ttlMs);
      return Promise.resolve({ acquired, item: copy(items.get(encounter)) });
    },
    renewLease: (encounter, owner, ttlMs) => Promise.resolve(leases.renew(encounter, owner, ttlMs)),
    releaseLease: (encounter, owner) => {
      leases.release(encounter, owner);
      return Promise.resolve();
    },
    countBacklog: () => Promise.resolve([...items.values()].filter((i) => !isFinal(i)).length),
    close: () => Promise.resolve(),
  };
}

/** The later of two ISO instants: a cursor only moves forward. */
export function laterCursor(current: string | undefined, value: string): string {
  return current !== undefined && Date.parse(current) > Date.parse(value) ? current : value;
}

function copy(item: LedgerItem | undefined): LedgerItem | undefined {
  return item ? { ...item } : undefined;
}
