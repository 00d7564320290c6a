import { performance } from 'node:perf_hooks';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { percentile, round, type Bench } from './bench-types.ts';

const QUERIES = ['htn', 'e119', 'E11.9', 'diabetes type 2', 'dm2 ckd', 'copd', 'chf', 'uti', 'afib', 'gerd', 'back pain', 'hyperlip', 'well child', 'flu vaccine', '99213', 'anxiety', 'knee osteo', 'otitis', 'cough', 'sprain ankle'];

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
