import { appBench } from './app-bench.ts';
import { billingBench } from './billing-bench.ts';
import type { Bench, Report } from './bench-types.ts';
import { chaosBench } from './chaos-bench.ts';
import { editsBench } from './edits-bench.ts';
import { floodBench } from './flood-bench.ts';
import { fuzzBench } from './fuzz-bench.ts';
import { ledgerBench } from './ledger-bench.ts';
import { fullSearchBench, searchBench } from './search-bench.ts';
import { sessionsBench } from './sessions-bench.ts';
import { uiBench } from './ui-bench.ts';
import { workerBench } from './worker-bench.ts';
import { x12Bench } from './x12-bench.ts';

/**
 * `npm run bench`: every benchmark, one figure per line as `name: value unit`.
 * `npm run bench -- search ui` runs only the named ones.
 */
const BENCHES: Bench[] = [
  searchBench,
  fullSearchBench,
  uiBench,
  appBench,
  editsBench,
  ledgerBench,
  workerBench,
  fuzzBench,
  floodBench,
  chaosBench,
  sessionsBench,
  x12Bench,
  billingBench,
];

const report: Report = (name, value, unit) => console.log(`${name}: ${value} ${unit}`);
const only = process.argv.slice(2);
for (const bench of BENCHES) {
  if (only.length > 0 && !only.includes(bench.name)) continue;
  await bench.run(report);
}
