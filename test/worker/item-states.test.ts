import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors/app-error.ts';
import { openFileLedger } from '../../worker/ledger/file-ledger.ts';
import {
  FINAL_STAGES,
  ITEM_STAGES,
  REOPENING_OUTCOMES,
  TRANSITIONS,
  type ItemStage,
} from '../../worker/ledger/item-states.ts';
import type { Ledger, LedgerItem } from '../../worker/ledger/ledger.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { postgresLedgers } from './pg-kit.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const implementations: [string, () => Promise<Ledger>][] = [
  ['memory ledger', () => Promise.resolve(createMemoryLedger())],
  [
    'file ledger',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'chartbill-states-'));
      const ledger = await openFileLedger(join(dir, 'ledger.json'));
      cleanups.push(async () => {
        await ledger.close();
        await rm(dir, { recursive: true, force: true });
      });
      return ledger;
    },
  ],
  [
    'postgres ledger',
    () => {
      const pg = postgresLedgers();
      cleanups.push(pg.cleanup);
      return pg.open();
    },
  ],
];

/** A starting point: no item, a bare lease, or an item recorded at a stage (with its outcome). */
interface Start {
  name: string;
  stage: 'new' | ItemStage;
  outcome?: string;
}

const starts: Start[] = [
  { name: 'new', stage: 'new' },
  ...ITEM_STAGES.filter((s) => !FINAL_STAGES.includes(s)).map((stage) => ({ name: stage, stage })),
  // A final item: closed when paid, reopened for a replacement when denied.
  ...FINAL_STAGES.flatMap((stage) => [
    { name: `${stage} (complete)`, stage, outcome: 'complete' },
    ...REOPENING_OUTCOMES.map((outcome) => ({ name: `${stage} (${outcome})`, stage, outcome })),
  ]),
];

/** Whether the declared machine allows `to` after `start`: what each ledger must do. */
function allowed(start: Start, to: ItemStage): boolean {
  const closed =
    start.stage !== 'new' &&
    FINAL_STAGES.includes(start.stage) &&
    !REOPENING_OUTCOMES.includes(start.outcome ?? '');
  return !closed && TRANSITIONS[start.stage].includes(to);
}

function at(encounter: string, stage: ItemStage, outcome?: string): LedgerItem {
  return {
    encounter,
    stage,
    attempts: 0,
    updatedAt: '2026-03-01T00:00:00.000Z',
    nextAttemptAt: '2026-03-01T00:15:00.000Z',
    ...(outcome ? { outcome } : {}),
  };
}

/** Puts the ledger's item for `encounter` at the start (writing it the way the worker can). */
async function reach(ledger: Ledger, encounter: string, start: Start): Promise<void> {
  if (start.stage === 'new') return;
  if (start.stage === 'pending') {
    // A bare lease: a worker took the encounter and recorded nothing yet.
    expect((await ledger.acquireLease(encounter, 'test', 60_000)).acquired).toBe(true);
    return;
  }
  await ledger.putItem(at(encounter, start.stage, start.outcome));
}

describe.each(implementations)('%s', (_name, open) => {
  it('records every transition the item states allow, once each, and refuses every other with a clear error', async () => {
    const ledger = await open();
    const seen: string[] = [];
    for (const start of starts) {
      for (const to of ITEM_STAGES) {
        const encounter = `Encounter/${start.name.replace(/\W+/g, '-')}-to-${to}`;
        await reach(ledger, encounter, start);
        const before = await ledger.getItem(encounter);
        const written = ledger.putItem(at(encounter, to));
        if (allowed(start, to)) {
          await written;
          expect((await ledger.getItem(encounter))?.stage, `${start.name} → ${to}`).toBe(to);
          seen.push(`${start.name}→${to}`);
          continue;
        }
        const err: unknown = await written.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isAppError(err, 'LEDGER_TRANSITION_REFUSED'), `${start.name} → ${to}`).toBe(true);
        expect((err as Error).message).toContain(`${encounter} cannot go from`);
        expect((err as Error).message).toContain(`to ${to}`);
        // Nothing was written: the item is as it was.
        expect(await ledger.getItem(encounter)).toEqual(before);
      }
    }
    // Every declared transition was tried (the closed final stage allows none).
    const declared = starts.flatMap((s) =>
      ITEM_STAGES.filter((to) => allowed(s, to)).map((to) => `${s.name}→${to}`),
    );
    expect(seen).toEqual(declared);
    expect(seen).toContain('answered (error)→submitting');
    expect(seen).not.toContain('answered (complete)→failed');
    expect(seen.some((t) => t.endsWith('→pending'))).toBe(false);
  });
});
