import { matchesFilter, type Ledger, type LedgerItem } from './ledger.ts';

/** A ledger in memory: for tests and for a worker that may redo work after a restart. */
export function createMemoryLedger(): Ledger {
  const cursors = new Map<string, string>();
  const items = new Map<string, LedgerItem>();
  return {
    getCursor: (name) => Promise.resolve(cursors.get(name)),
    setCursor: (name, value) => {
      cursors.set(name, value);
      return Promise.resolve();
    },
    getItem: (encounter) => Promise.resolve(copy(items.get(encounter))),
    putItem: (item) => {
      items.set(item.encounter, { ...item });
      return Promise.resolve();
    },
    listItems: (filter) => Promise.resolve([...items.values()].filter((i) => matchesFilter(i, filter)).map((i) => ({ ...i }))),
  };
}

function copy(item: LedgerItem | undefined): LedgerItem | undefined {
  return item ? { ...item } : undefined;
}
