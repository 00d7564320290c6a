import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CodeSet, SearchKind } from '../../src/codes/code-set.ts';
import { loadCodeSets } from '../../src/codes/load-code-sets.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CLINICIAN_QUERIES } from '../codes/clinician-queries.ts';
import { clinicianRelevance } from '../codes/clinician-relevance.ts';
import { freshDataDir } from '../codes/code-files.ts';
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
  const { ms, cpuMs, heapMb } = JSON.parse(stdout) as {
    ms: number;
    cpuMs: number;
    heapMb: number;
  };
  report('codes_cold_start', round(ms, 0), 'ms');
  report('codes_cold_start_budget_ratio', round(ms / 1500), 'of 1.5 s');
  report('codes_cold_start_cpu', round(cpuMs, 0), 'ms (CPU time: the figure on a busy machine)');
  report('codes_full_heap_mb', round(heapMb, 1), 'MB');
}

/** Bytes of the compiled code sets committed in src/codes/compiled. */
async function compiledBytes(): Promise<number> {
  const dir = fileURLToPath(new URL('../../src/codes/compiled/', import.meta.url));
  const sizes = await Promise.all(
    (await readdir(dir)).map(async (name) => (await stat(join(dir, name))).size),
  );
  return sizes.reduce((n, b) => n + b, 0);
}

/**
 * The full public sets ChartBill ships (ICD-10-CM FY2026 with notes, Index and MCE, HCPCS Oct
 * 2025, CPT numbers from the PFS), as a fresh install loads them (nothing imported): compiled
 * size, cold start in a fresh process, query latency, index memory, and relevance of the
 * clinician query set (top-1/top-5, goals 0.75/0.95) and the older relevance set (top-5).
 */
export const fullSearchBench: Bench = {
  name: 'search-full',
  async run(report) {
    report('codes_compiled_mb', round((await compiledBytes()) / 2 ** 20, 2), 'MB (budget 15)');
    const dataDir = await freshDataDir();
    await coldStart(dataDir, report);
    const loaded = await loadCodeSets(dataDir);
    report('search_full_entries', loaded.stats.entries, 'entries');
    report('search_full_index_mb', round(loaded.stats.indexBytes / 2 ** 20, 1), 'MB');
    const kindOf = (query: string): SearchKind =>
      query === '99213' || query === 'flu vaccine' ? 'service' : 'diagnosis';
    const queries = [
      ...CLINICIAN_QUERIES,
      ...RELEVANCE_SET,
      ...QUERIES.map((query) => ({ query, kind: kindOf(query) })),
    ];
    const samples = sampleQueries(loaded.codes, queries, 20);
    report('search_full_p50', round(percentile(samples, 50)), 'ms');
    report('search_full_p95', round(percentile(samples, 95)), 'ms');
    report('search_full_p99', round(percentile(samples, 99)), 'ms');
    report('search_full_p95_budget_ratio', round(percentile(samples, 95) / 1), 'of 1 ms');
    const clinician = clinicianRelevance(loaded.codes);
    report('search_clinician_queries', CLINICIAN_QUERIES.length, 'queries');
    report('search_clinician_top1', round(clinician.top1), 'hit rate (goal 0.75)');
    report('search_clinician_top5', round(clinician.top5), 'hit rate (goal 0.95)');
    report('search_relevance_queries', RELEVANCE_SET.length, 'queries');
    report('search_relevance_top5', round(relevanceTop5(loaded.codes).rate), 'hit rate');
  },
};
