import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readJsonIfPresent, writeJsonAtomically } from '../store/json-file.ts';
import { matchesClaim, matchesQueue, pageOf } from './read-model-queue.ts';
import type {
  ClaimFilter,
  ClaimRow,
  PaymentRow,
  QueueFilter,
  QueueResult,
  ReadModelStore,
  WorkItemRow,
} from './read-model.ts';

interface Snapshot {
  claims: ClaimRow[];
  workItems: WorkItemRow[];
  payments: PaymentRow[];
  marks: Record<string, string>;
}

/**
 * The read model in memory: the sandbox's (app and worker in one process share it) and one
 * worker's beside a file ledger. With `path`, it is kept in a JSON file there (written at most
 * once a second, atomically, and at close), so a restart does not read every claim again;
 * `readOnly` loads the file and never writes it (an app beside a worker in another process).
 */
export async function createMemoryReadModel(
  options: { path?: string; readOnly?: boolean } = {},
): Promise<ReadModelStore> {
  const claims = new Map<string, ClaimRow>();
  const items = new Map<string, WorkItemRow>();
  const payments = new Map<string, PaymentRow>();
  const marks = new Map<string, string>();
  const { path } = options;
  if (path) {
    const saved = (await readJsonIfPresent(path)) as Snapshot | undefined;
    for (const c of saved?.claims ?? []) claims.set(c.claimId, c);
    for (const w of saved?.workItems ?? []) items.set(w.taskId, w);
    for (const p of saved?.payments ?? []) payments.set(p.paymentId, p);
    for (const [k, v] of Object.entries(saved?.marks ?? {})) marks.set(k, v);
  }
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let dirty = false;
  const save = (): Promise<void> => {
    if (!path || options.readOnly || !dirty) return Promise.resolve();
    dirty = false;
    const snapshot: Snapshot = {
      claims: [...claims.values()],
      workItems: [...items.values()],
      payments: [...payments.values()],
      marks: Object.fromEntries(marks),
    };
    writing = writing.then(async () => {
      await mkdir(dirname(path), { recursive: true });
      await writeJsonAtomically(path, snapshot);
    });
    return writing;
  };
  const changed = () => {
    dirty = true;
    if (!path || options.readOnly || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void save().catch(() => undefined);
    }, 1000);
    timer.unref();
  };
  return {
    upsertClaims(rows) {
      for (const r of rows) claims.set(r.claimId, r);
      changed();
      return Promise.resolve();
    },
    upsertWorkItems(rows) {
      for (const r of rows) items.set(r.taskId, r);
      changed();
      return Promise.resolve();
    },
    upsertPayments(rows) {
      for (const r of rows) payments.set(r.paymentId, r);
      changed();
      return Promise.resolve();
    },
    queue(filter: QueueFilter, now: Date): Promise<QueueResult> {
      const rows: WorkItemRow[] = [];
      for (const row of items.values()) if (matchesQueue(row, filter, now)) rows.push(row);
      return Promise.resolve(pageOf(rows, filter));
    },
    workItems(taskIds) {
      return Promise.resolve(
        taskIds.map((id) => items.get(id)).filter((r): r is WorkItemRow => r !== undefined),
      );
    },
    claims(filter: ClaimFilter = {}) {
      const all = [...claims.values()];
      return Promise.resolve(
        Object.keys(filter).length === 0 ? all : all.filter((c) => matchesClaim(c, filter)),
      );
    },
    claim: (claimId) => Promise.resolve(claims.get(claimId)),
    payments: () => Promise.resolve([...payments.values()]),
    getMark: (name) => Promise.resolve(marks.get(name)),
    setMark(name, value) {
      marks.set(name, value);
      changed();
      return Promise.resolve();
    },
    async close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await save();
    },
  };
}
