import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CodeSet, SearchKind } from '../../src/codes/code-set.ts';
import { loadCodeSets } from '../../src/codes/load-code-sets.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { freshDataDir, importFullSet } from '../codes/code-files.ts';
import { relevanceTop5 } from '../codes/relevance.ts';
import { RELEVANCE_SET } from '../codes/search-relevance-set.ts';
import { percentile, round, type Bench, type Report } from './bench-types.ts';

const QUERIES = [
  'htn',
  'e119',
  'E11.9',
  'diabetes type 2',
  'dm2 ckd',
  'copd',
  'chf',
  'uti',
  'afib',
  'gerd',
  'back pain',
  'hyperlip',
  'well child',
  'flu vaccine',
  '99213',
  'anxiety',
  'knee osteo',
  'otitis',
  'cough',
  'sprain ankle',
];

/** In-process code search latency over the starter set. */
export const searchBench: Bench = {
  name: 'search',
  run(report) {
    const t0 = performance.now();
    const codes = starterCodeSet();
    report('search_starter_build', round(performance.now() - t0, 1), 'ms');
    const samples: number[] = [];
    for (let round = 0; round < 200; round++) {
      for (const q of QUERIES) {
        const start = performance.now();
        codes.search(q, q === '99213' || q === 'flu vaccine' ? 'service' : 'diagnosis', 15);
        samples.push(performance.now() - start);
      }
    }
    report('search_starter_p50', round(percentile(samples, 50)), 'ms');
    report('search_starter_p95', round(percentile(samples, 95)), 'ms');
    report('search_starter_p95_budget_ratio', round(percentile(samples, 95) / 1), 'of 1 ms');
    return Promise.resolve();
  },
};

/** Latency samples (ms) of `rounds` passes over `queries`, after one warm-up pass. */
function sampleQueries(
  codes: CodeSet,
  queries: readonly { query: string; kind: SearchKind }[],
  rounds: number,
): number[] {
  for (const q of queries) codes.search(q.query, q.kind, 15);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const q of queries) {
      const start = performance.now();
      codes.search(q.query, q.kind, 15);
      samples.push(performance.now() - start);
    }
  }
  return samples;
}

/** Loads the stored sets in a fresh Node process: the start-up cost a user sees. */
async function coldStart(dataDir: string, report: Report): Promise<void> {
  const script = fileURLToPath(new URL('./codes-cold-start.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--expose-gc',
    '--import',
    'tsx',
    script,
    dataDir,
  ]);
  const { ms, heapMb } = JSON.parse(stdout) as { ms: number; heapMb: number };
  report('codes_cold_start', round(ms, 0), 'ms');
  report('codes_full_heap_mb', round(heapMb, 1), 'MB');
}

/**
 * The full ICD-10-CM FY2026 + HCPCS Oct 2025 sets (with the FY2026 notes and FY2025 Alphabetic
 * Index), imported from ../shared/data into a temporary data folder: import times, cold start,
 * query latency, index memory and the relevance set's top-5 hit rate.
 */
export const fullSearchBench: Bench = {
  name: 'search-full',
  async run(report) {
    const dataDir = await freshDataDir();
    const imports = await importFullSet(dataDir);
    for (const [name, ms] of Object.entries(imports))
      report(`codes_import_${name}`, round(ms, 0), 'ms');
    await coldStart(dataDir, report);
    const loaded = await loadCodeSets(dataDir);
    report('search_full_entries', loaded.stats.entries, 'entries');
    report('search_full_index_mb', round(loaded.stats.indexBytes / 2 ** 20, 1), 'MB');
    const kindOf = (query: string): SearchKind =>
      query === '99213' || query === 'flu vaccine' ? 'service' : 'diagnosis';
    const queries = [...RELEVANCE_SET, ...QUERIES.map((query) => ({ query, kind: kindOf(query) }))];
    const samples = sampleQueries(loaded.codes, queries, 20);
    report('search_full_p50', round(percentile(samples, 50)), 'ms');
    report('search_full_p95', round(percentile(samples, 95)), 'ms');
    report('search_full_p99', round(percentile(samples, 99)), 'ms');
    report('search_full_p95_budget_ratio', round(percentile(samples, 95) / 1), 'of 1 ms');
    report('search_relevance_queries', RELEVANCE_SET.length, 'queries');
    report('search_relevance_top5', round(relevanceTop5(loaded.codes).rate), 'hit rate');
  },
};
