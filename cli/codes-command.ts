import { parseArgs } from 'node:util';
import type { SearchKind } from '../src/codes/code-set.ts';
import { starterCodeSet } from '../src/codes/starter-code-set.ts';

const HELP = `Usage: chartbill codes search "<text>" [--kind diagnosis|service|modifier] [--limit N] [--json]

Searches ICD-10-CM diagnoses (default), CPT/HCPCS services or modifiers: by code with or without
the dot, words in any order, prefixes, and abbreviations (htn, dm2, copd, chf, uti, afib, …).`;

/** `chartbill codes search`. */
export async function codesCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    options: { kind: { type: 'string', default: 'diagnosis' }, limit: { type: 'string', default: '10' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help || positionals[0] !== 'search' || positionals.length < 2) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const kind = values.kind;
  if (kind !== 'diagnosis' && kind !== 'service' && kind !== 'modifier') {
    console.error(`--kind must be diagnosis, service or modifier, not '${kind}'.`);
    return 2;
  }
  const results = starterCodeSet().search(positionals.slice(1).join(' '), kind satisfies SearchKind, Number(values.limit) || 10);
  if (values.json) console.log(JSON.stringify(results, null, 2));
  else if (results.length === 0) console.log('No codes found.');
  else for (const r of results) console.log(`${r.code.padEnd(9)}${r.billable ? ' ' : '*'} ${r.display}`);
  if (!values.json && results.some((r) => !r.billable)) console.log('\n* category: not billable, choose a more specific code');
  return Promise.resolve(0);
}
