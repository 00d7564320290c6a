/**
 * Run in a fresh process by search-bench.ts: loads the stored code sets from the data folder given
 * as argument and prints `{ ms, heapMb, entries }` as JSON (run with --expose-gc for the heap).
 */
import { performance } from 'node:perf_hooks';
import { loadCodeSets } from '../../src/codes/load-code-sets.ts';

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const cpu = process.cpuUsage();
const started = performance.now();
const loaded = await loadCodeSets(process.argv[2] ?? '.chartbill');
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
const cpuMs = (used.user + used.system) / 1000;
gc?.();
const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
console.log(
  JSON.stringify({
    ms,
    cpuMs,
    heapMb,
    entries: loaded.stats.entries,
    stillHeld: loaded.codes.version,
  }),
);
