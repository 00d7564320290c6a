import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { OperationOutcome } from 'fhir/r4';
import { dataCoverage } from '../src/codes/data-coverage.ts';
import { loadCodeSets } from '../src/codes/load-code-sets.ts';
import type { CodeSet } from '../src/codes/code-set.ts';
import type { Finding } from '../src/coding/coding-model.ts';
import type { EditReference } from '../src/edits/edit-reference.ts';
import { findingsOutcome } from '../src/edits/findings-outcome.ts';
import { hasBlockingErrors, runEdits } from '../src/edits/run-edits.ts';
import { scrubInputFromBundle, type ScrubInput } from '../src/edits/scrub-input.ts';
import {
  DEFAULT_TIMELY_FILING,
  timelyFilingFromEnv,
  type TimelyFilingConfig,
} from '../src/edits/timely-filing.ts';
import { isAppError } from '../src/errors/app-error.ts';
import { pino } from 'pino';
import { loadEditReference, type LoadedEditReference } from '../src/ncci/load-edit-reference.ts';
import { sandboxNcciTables } from '../src/ncci/sandbox-ncci.ts';
import { payerFacts } from '../src/edits/payer-edit-set.ts';
import { todayAnywhere } from '../src/edits/rules/visit-date-rules.ts';
import { errorMessage } from '../src/errors/error-message.ts';
import { cliSettings } from './cli-settings.ts';

const HELP = `Usage: chartbill scrub <bundle.json> [options]

Runs ChartBill's edits on a FHIR R4 Bundle — a Claim with its Patient, or an Encounter with its
Patient, Conditions and ChargeItems — and prints an OperationOutcome (JSON): one issue per
finding with its rule, severity and fix.
Exit code: 0 no errors (warnings allowed), 1 errors found, 2 the bundle or options are invalid.

Options:
  --data-dir DIR      Imported code sets and NCCI tables (default CHARTBILL_DATA_DIR or .chartbill).
  --ncci auto|sandbox|none
                      NCCI PTP/MUE tables: auto (default) uses the imported CMS tables, else
                      ChartBill's sandbox table; none skips the NCCI edits.
  --pfs DIR           A folder with the CMS PFS RVU files (PPRRVU*.csv, GPCI*.csv): checks 26/TC,
                      50 and global days (default CHARTBILL_PFS_DIR, else the PFS ChartBill ships).
  --today YYYY-MM-DD  The filing date for the timely filing check (default: today).
  --timely-filing S   Payer windows as payerId=days,…,default=365 (default CHARTBILL_TIMELY_FILING).

The reference data is loaded exactly as the app and the worker load it (src/ncci/load-edit-
reference.ts): NCCI and add-on code edits, PFS indicators, charge master, payer edit sets
(CHARTBILL_PAYER_EDIT_SETS) and timely filing windows.`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  ncci: { type: 'string', default: 'auto' },
  pfs: { type: 'string' },
  today: { type: 'string' },
  'timely-filing': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function structureOutcome(message: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'fatal', code: 'structure', diagnostics: message }],
  };
}

async function readBundle(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${file} is not JSON (${errorMessage(err)})`, { cause: err });
  }
}

/** How `chartbill scrub` runs the edits on a bundle it has read. */
export interface ScrubOptions {
  ncci: 'auto' | 'sandbox' | 'none';
  /** The filing date for timely filing (YYYY-MM-DD). */
  today: string;
  /** `--today` when given: also the day a future date of service is judged against. */
  givenToday?: string;
  timelyFiling?: TimelyFilingConfig;
}

/**
 * The scrub itself, once the bundle and the reference data are loaded: the same `runEdits`, payer
 * edit set and reference the app and the worker use (issue 16 item 4), plus the notes saying what
 * could not be checked. Exported so the coder's cases run exactly this path.
 */
export function scrubLoaded(
  input: ScrubInput,
  codes: CodeSet,
  loaded: LoadedEditReference,
  options: ScrubOptions,
): { findings: Finding[]; notes: string[] } {
  const { ncci: found, ...rest } = loaded;
  const mode = options.ncci;
  const ncci = mode === 'sandbox' ? sandboxNcciTables() : found;
  const timelyFiling = options.timelyFiling ?? loaded.timelyFiling ?? DEFAULT_TIMELY_FILING;
  const reference: EditReference = {
    ...rest,
    ...(mode !== 'none' && ncci ? { ncci } : {}),
    submission: {
      today: options.today,
      timelyFiling,
      ...(input.payerId ? { payerId: input.payerId } : {}),
    },
  };
  const payer = payerFacts(reference.payerEditSets, input.payerId, input.coverageType);
  // Today for the future-date edit: the given day, else the date in any time zone (UTC+14).
  const findings = runEdits(
    input.coding,
    { ...input.facts, ...payer, today: options.givenToday ?? todayAnywhere(new Date()) },
    codes,
    reference,
  );
  // What could not be checked, or was checked on data for another date (issue 16, item 2).
  const coverage = dataCoverage({
    codes,
    ncci,
    pfsName: loaded.pfs?.name,
    dateOfService: input.facts.dateOfService,
  });
  const notes = [
    `Checked the ${input.kind} of ${input.facts.dateOfService} with code set '${codes.version ?? 'starter'}', NCCI: ${(mode !== 'none' && ncci?.source) || 'not checked'}; ${(loaded.sources ?? []).slice(1).join('; ')}; payer edit set: ${payer.payerType ?? 'unknown (Medicare-only limits warn)'}.`,
    ...coverage.map((n) => `${n.kind === 'off' ? 'Not checked' : 'Note'}: ${n.message}`),
  ];
  return { findings, notes };
}

/** `chartbill scrub <bundle.json>`: prints an OperationOutcome; 0 clean, 1 errors, 2 bad input. */
export async function scrubCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  if (values.help) return (console.log(HELP), 0);
  const file = positionals[0];
  const mode = values.ncci;
  const today = values.today ?? new Date().toISOString().slice(0, 10);
  if (
    !file ||
    positionals.length > 1 ||
    !['auto', 'sandbox', 'none'].includes(mode) ||
    !/^\d{4}-\d{2}-\d{2}$/.test(today)
  ) {
    console.error(HELP);
    return 2;
  }
  const settings = await cliSettings();
  const dataDir = values['data-dir'] ?? settings.CHARTBILL_DATA_DIR;
  let input;
  try {
    input = scrubInputFromBundle(await readBundle(file));
  } catch (err) {
    if (
      !isAppError(err, 'INPUT_INVALID') &&
      !(err instanceof Error && err.message.includes('is not JSON'))
    )
      throw err;
    console.log(JSON.stringify(structureOutcome(err.message), null, 2));
    console.error(`chartbill scrub: ${err.message}`);
    return 2;
  }
  const timelyFiling = timelyFilingFromEnv(
    values['timely-filing'] ?? settings.CHARTBILL_TIMELY_FILING,
  );
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const env = { ...settings, ...(values.pfs ? { CHARTBILL_PFS_DIR: values.pfs } : {}) };
  // `--ncci sandbox` ignores imported tables; auto falls back to the sandbox's like `npm start`.
  const [{ codes }, loaded] = await Promise.all([
    loadCodeSets(dataDir),
    loadEditReference(dataDir, 'sandbox', logger, env),
  ]);
  const { findings, notes } = scrubLoaded(input, codes, loaded, {
    ncci: mode as ScrubOptions['ncci'],
    today,
    timelyFiling,
    ...(values.today ? { givenToday: values.today } : {}),
  });
  console.log(JSON.stringify(findingsOutcome(findings, input, notes), null, 2));
  return hasBlockingErrors(findings) ? 1 : 0;
}
