import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { EncounterCoding } from '../../src/coding/coding-model.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { runEdits } from '../../src/edits/run-edits.ts';
import { createNcciTables } from '../../src/ncci/ncci-tables.ts';
import { parseMueJson } from '../../src/ncci/parse-mue.ts';
import { sandboxNcciTables } from '../../src/ncci/sandbox-ncci.ts';
import { loadMedicarePfs } from '../../src/pricing/load-pfs.ts';
import { percentile, round, type Bench } from './bench-types.ts';

const DATA = new URL('../../../shared/data/', import.meta.url);

/** A busy visit: 6 diagnoses, 6 lines with modifiers — what the app scrubs on each keystroke. */
const CODING: EncounterCoding = {
  diagnoses: ['E11.9', 'I10', 'M17.11', 'S93.401A', 'W19.XXXA', 'Z79.4'].map((code) => ({ code })),
  lines: [
    { code: '99214', system: 'cpt', units: 1, modifiers: ['25'], pointers: [1, 2] },
    { code: '20610', system: 'cpt', units: 1, modifiers: ['RT'], pointers: [3] },
    { code: '36415', system: 'cpt', units: 1, modifiers: [], pointers: [1] },
    { code: '83036', system: 'cpt', units: 1, modifiers: [], pointers: [1] },
    { code: '93000', system: 'cpt', units: 1, modifiers: [], pointers: [2] },
    { code: 'J3301', system: 'hcpcs', units: 4, modifiers: [], pointers: [3] },
  ],
};

/** Edit engine latency per run (p95, µs), MUE table load, and a PFS price load. */
export const editsBench: Bench = {
  name: 'edits',
  async run(report) {
    const codes = starterCodeSet();
    const reference = { ncci: sandboxNcciTables() };
    const facts = {
      dateOfService: '2026-03-02',
      patientBirthDate: '1970-05-20',
      patientSex: 'female' as const,
      placeOfService: '11',
    };
    for (let i = 0; i < 200; i++) runEdits(CODING, facts, codes, reference);
    const samples: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const t = performance.now();
      runEdits(CODING, facts, codes, reference);
      samples.push(performance.now() - t);
    }
    report('edits_run_p95', round(percentile(samples, 95) * 1000, 1), 'us');
    const t0 = performance.now();
    const mue = parseMueJson({
      name: 'mue.json',
      text: await readFile(new URL('ncci/mue_practitioner_2026q3.json', DATA), 'utf8'),
    });
    createNcciTables({ source: 'bench', ptp: [], mue });
    report('mue_table_load', round(performance.now() - t0, 0), 'ms');
    const t1 = performance.now();
    await loadMedicarePfs(new URL('cms-pfs/rvu25d/', DATA).pathname);
    report('pfs_load', round(performance.now() - t1, 0), 'ms');
  },
};
