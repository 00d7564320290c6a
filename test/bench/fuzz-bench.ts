import { performance } from 'node:perf_hooks';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { fuzzBatch } from '../security/fuzz-encounters.ts';
import { tallyFuzz } from '../security/fuzz-tally.ts';
import { putAll } from '../security/hostile-encounters.ts';
import { seedCodedEncounters } from '../worker/seed-encounters.ts';
import { startWorld, workerFor } from '../worker/worker-kit.ts';
import { round, type Bench } from './bench-types.ts';

function setting(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

/**
 * The worker fuzz test at a larger size (`CHARTBILL_BENCH_FUZZ_ODD`, default 400 odd encounters
 * with at least 4 odd records each on average; `CHARTBILL_BENCH_FUZZ_GOOD`, default 200 good ones;
 * `CHARTBILL_BENCH_FUZZ_SEED`), one worker tick against the sandbox EHR and payer. Prints what
 * was held, paid and wrongly paid (must be 0), and lists any encounter the worker got wrong.
 */
export const fuzzBench: Bench = {
  name: 'fuzz',
  async run(report) {
    const odd = setting('CHARTBILL_BENCH_FUZZ_ODD', 400);
    const goodCount = setting('CHARTBILL_BENCH_FUZZ_GOOD', 200);
    const world = await startWorld();
    try {
      const batch = fuzzBatch({
        prefix: 'fzb',
        minOddEncounters: odd,
        minOddRecords: odd * 3.75,
        seed: setting('CHARTBILL_BENCH_FUZZ_SEED', 1),
      });
      const good = await seedCodedEncounters(world.fhir, goodCount, 'fzb-good');
      await putAll(world.fhir, batch.resources);
      const started = performance.now();
      const summary = await workerFor(world, { ledger: createMemoryLedger() }).tick();
      const ms = performance.now() - started;
      const tally = await tallyFuzz(world.fhir, world.payer.audit(), batch, good);
      for (const problem of tally.problems.slice(0, 20)) console.error(`fuzz: ${problem}`);
      report('fuzz_odd_encounters', batch.odd.length, 'encounters');
      report('fuzz_odd_records', batch.oddRecords, 'records');
      report('fuzz_good_encounters', good.length, 'encounters');
      report('fuzz_held', tally.held, 'encounters');
      report('fuzz_paid', tally.paid, 'encounters');
      report('fuzz_wrongly_paid', tally.wronglyPaid, 'encounters');
      report('fuzz_unexplained', tally.problems.length, 'encounters');
      report('fuzz_failed', summary.failed, 'encounters');
      report('fuzz_tick', round(ms / 1000, 1), 's');
    } finally {
      await world.close();
    }
  },
};
