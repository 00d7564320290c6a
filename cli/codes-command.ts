import { parseArgs } from 'node:util';
import type { CodeEntry, SearchKind } from '../src/codes/code-set.ts';
import { IMPORT_KINDS, type ImportKind } from '../src/codes/import/detect-kind.ts';
import { importCodeFile, type ImportSummary } from '../src/codes/import/import-code-file.ts';
import { compileCodeSets } from '../src/codes/compile/compile-code-sets.ts';
import { readBundledMue, readBundleManifest } from '../src/codes/compile/read-bundle.ts';
import { dataCoverage } from '../src/codes/data-coverage.ts';
import { loadNcciTables } from '../src/ncci/ncci-store.ts';
import { createNcciTables } from '../src/ncci/ncci-tables.ts';
import { loadCodeSets } from '../src/codes/load-code-sets.ts';

const HELP = `Usage:
  chartbill codes search "<text>" [--kind diagnosis|service|modifier] [--limit N] [--json]
  chartbill codes children <code> [--json]
  chartbill codes import <file> [--kind ${['auto', ...IMPORT_KINDS].join('|')}] [--effective YYYY-MM-DD]
  chartbill codes status [--date YYYY-MM-DD]
  chartbill codes compile [--from DIR] [--out DIR]

search    ICD-10-CM diagnoses (default), CPT/HCPCS services or modifiers: by code with or without
          the dot, words in any order, prefixes, abbreviations (htn, dm2, copd, chf, uti, afib, …),
          Alphabetic Index and inclusion terms.
children  The codes one level below a category (E11 → E11.0 … E11.9).
import    Reads an official release and stores it for start-up: the CMS ICD-10-CM order file
          (.txt, or the CMS zip with its addenda), the Tabular XML or notes JSON, the Alphabetic
          Index (XML or CSV), the HCPCS ANWEB CSV, a licensed CPT file (code, short_descriptor,
          long_descriptor), MCE lists. A broken file is refused and nothing is stored.
status    The code sets in use (shipped or imported), the dates they are in force, and which edits
          are off or do not cover a date of service (--date, default today).
compile   Re-compiles the public code sets ChartBill ships (src/codes/compiled/) from the official
          CMS/CDC files in a folder (--from, default ../shared/data beside the repository).
Options: --data-dir DIR (default CHARTBILL_DATA_DIR or .chartbill).`;
import { cliSettings } from './cli-settings.ts';

const OPTIONS = {
  kind: { type: 'string' },
  limit: { type: 'string', default: '10' },
  json: { type: 'boolean', default: false },
  effective: { type: 'string' },
  'data-dir': { type: 'string' },
  date: { type: 'string' },
  from: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function printEntries(results: CodeEntry[], json: boolean): void {
  if (json) return console.log(JSON.stringify(results, null, 2));
  if (results.length === 0) return console.log('No codes found.');
  for (const r of results)
    console.log(
      `${r.code.padEnd(9)}${r.billable ? ' ' : '*'} ${r.display}${r.validTo ? ` (ended ${r.validTo})` : ''}`,
    );
  if (results.some((r) => !r.billable))
    console.log(
      '\n* category: not billable, choose a more specific code (chartbill codes children <code>)',
    );
}

/** A progress bar on stderr, only when stderr is a terminal. */
function progressBar(label: string): { update(done: number, total: number): void; end(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, end: () => undefined };
  let last = -1;
  return {
    update(done, total) {
      const pct = total > 0 ? Math.floor((100 * done) / total) : 0;
      if (pct === last) return;
      last = pct;
      const filled = Math.round(pct / 4);
      process.stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(25 - filled)}] ${String(pct).padStart(3)}%`,
      );
    },
    end: () => process.stderr.write('\n'),
  };
}

function printSummary(s: ImportSummary): void {
  console.log(
    `Imported ${s.system} ${s.layer} ${s.version} (${s.kind}), in force ${s.effectiveFrom}${s.effectiveTo ? ` to ${s.effectiveTo}` : ''}.`,
  );
  console.log(
    `  ${String(s.total)} codes: ${String(s.added)} added, ${String(s.changed)} changed, ${String(s.retired)} retired${s.comparedWith ? ` (compared with ${s.comparedWith})` : ' (nothing stored before)'}.`,
  );
  console.log(`  Stored in ${s.storedAt}; ChartBill loads it at start-up.`);
}

async function importCommand(
  file: string,
  kind: string | undefined,
  effective: string | undefined,
  dataDir: string,
): Promise<number> {
  if (kind && kind !== 'auto' && !(IMPORT_KINDS as readonly string[]).includes(kind)) {
    console.error(`--kind must be auto or one of ${IMPORT_KINDS.join(', ')}, not '${kind}'.`);
    return 2;
  }
  if (effective && !/^\d{4}-\d{2}-\d{2}$/.test(effective)) {
    console.error(`--effective must be a date YYYY-MM-DD, not '${effective}'.`);
    return 2;
  }
  const bar = progressBar(`Reading ${file}`);
  try {
    const summary = await importCodeFile({
      file,
      dataDir,
      now: () => new Date(),
      progress: (d, t) => {
        bar.update(d, t);
      },
      ...(kind ? { kind: kind as ImportKind | 'auto' } : {}),
      ...(effective ? { effective } : {}),
    });
    bar.end();
    printSummary(summary);
    return 0;
  } catch (err) {
    bar.end();
    throw err;
  }
}

async function statusCommand(dataDir: string, date: string | undefined): Promise<number> {
  if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    console.error(`--date must be a date YYYY-MM-DD, not '${date}'.`);
    return 2;
  }
  const [loaded, ncci] = await Promise.all([loadCodeSets(dataDir), loadNcciTables(dataDir)]);
  const shippedMue = ncci ? undefined : await readBundledMue();
  const shippedPfs = await readBundleManifest().then((m) => m?.parts.find((p) => p.kind === 'pfs'));
  if (loaded.source === 'starter')
    console.log(`Nothing shipped or imported in ${dataDir}: using the built-in starter set.`);
  for (const r of loaded.releases)
    console.log(
      `${r.system.padEnd(8)} ${r.layer.padEnd(6)} ${r.version.padEnd(9)} in force ${r.effectiveFrom}${r.effectiveTo ? ` to ${r.effectiveTo}` : '          '}  ${r.shipped ? 'shipped' : 'imported'} (${r.file})`,
    );
  const ncciFacts =
    ncci ??
    (shippedMue
      ? createNcciTables({ source: shippedMue.file, ptp: [], mue: shippedMue.edits })
      : undefined);
  if (ncciFacts)
    console.log(
      `ncci     ${String(ncciFacts.counts.ptp)} PTP pairs, ${String(ncciFacts.counts.mue)} MUE rows (${ncci ? 'imported' : 'shipped'}: ${ncciFacts.source})`,
    );
  console.log(`${String(loaded.stats.entries)} codes loaded in ${loaded.ms.toFixed(0)} ms.`);
  for (const w of loaded.warnings) console.log(`Warning: ${w}`);
  const dateOfService = date ?? new Date().toISOString().slice(0, 10);
  const notes = dataCoverage({
    codes: loaded.codes,
    ncci: ncciFacts,
    pfsName: shippedPfs ? shippedPfs.sources[0]?.file.replace(/\.csv$/i, '') : undefined,
    dateOfService,
  });
  console.log(
    notes.length
      ? `\nFor a date of service ${dateOfService} (--date):`
      : `\nEvery edit has data covering ${dateOfService}.`,
  );
  for (const n of notes) console.log(`- ${n.kind === 'off' ? 'Off' : 'Note'}: ${n.message}`);
  return 0;
}

async function compileCommand(from: string | undefined, out: string | undefined): Promise<number> {
  const started = performance.now();
  const manifest = await compileCodeSets({
    ...(from ? { from } : {}),
    ...(out ? { out } : {}),
    log: (line) => console.log(line),
  });
  const bytes = manifest.parts.reduce((n, p) => n + p.bytes, manifest.snapshot?.bytes ?? 0);
  console.log(
    `Compiled ${String(manifest.parts.length)} parts, ${(bytes / 2 ** 20).toFixed(1)} MB, in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  );
  return 0;
}

/** `chartbill codes search|children|import|status`. */
export async function codesCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  const [sub, ...rest] = positionals;
  const dataDir = values['data-dir'] ?? (await cliSettings()).CHARTBILL_DATA_DIR;
  if (values.help) return (console.log(HELP), 0);
  if (sub === 'import' && rest.length === 1 && rest[0])
    return importCommand(rest[0], values.kind, values.effective, dataDir);
  if (sub === 'status' && rest.length === 0) return statusCommand(dataDir, values.date);
  if (sub === 'compile' && rest.length === 0) return compileCommand(values.from, values.out);
  if ((sub === 'search' || sub === 'children') && rest.length > 0) {
    const { codes } = await loadCodeSets(dataDir);
    if (sub === 'children') return (printEntries(codes.children(rest.join('')), values.json), 0);
    const kind = values.kind ?? 'diagnosis';
    if (kind !== 'diagnosis' && kind !== 'service' && kind !== 'modifier') {
      console.error(`--kind must be diagnosis, service or modifier, not '${kind}'.`);
      return 2;
    }
    printEntries(
      codes.search(rest.join(' '), kind satisfies SearchKind, Number(values.limit) || 10),
      values.json,
    );
    return 0;
  }
  console.log(HELP);
  return 2;
}
