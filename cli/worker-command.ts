import { parseArgs } from 'node:util';
import { readSettings, type SettingsSource } from '../src/config/read-settings.ts';
import { settingsSource } from '../src/config/settings-source.ts';
import { openLedger } from '../worker/runtime/open-ledger.ts';
import { retryItems } from '../worker/tick/retry-items.ts';
import { runMode } from './start-command.ts';

const HELP = `Usage:
  chartbill worker [--config FILE]
  chartbill worker retry <encounter-id> [<encounter-id> …]
  chartbill worker retry --all-gave-up

worker Runs the billing worker alone against the configured EHR ('chartbill worker --help'
       without 'retry' lists its settings; 'chartbill start --help' too).
retry  Releases encounters the worker gave up on (or that are failing): they are due at once with
       a fresh retry budget, and their "worker stopped retrying" Task is closed once they go
       through. Ids as Encounter/123 or 123. Uses the worker's ledger: CHARTBILL_LEDGER_URL (and
       CHARTBILL_LEDGER_SCHEMA) for PostgreSQL, else CHARTBILL_LEDGER_PATH (stop the worker first:
       the file ledger has one writer).`;

/** `chartbill worker`, `chartbill worker retry <encounter-id>… | --all-gave-up`. */
export async function workerCommand(args: string[], env?: SettingsSource): Promise<number> {
  if (args[0] !== 'retry') return runMode('worker', args);
  const { positionals, values } = parseArgs({
    args,
    options: {
      'all-gave-up': { type: 'boolean' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) return (console.log(HELP), 0);
  const [sub, ...ids] = positionals;
  const all = values['all-gave-up'] === true;
  if (sub !== 'retry' || all === ids.length > 0 || (!all && ids.length === 0)) {
    console.error(HELP);
    return 2;
  }
  const settings = readSettings(
    await settingsSource({ configFile: values.config, ...(env ? { env } : {}) }),
    {
      what: 'Worker',
    },
  );
  const ledger = await openLedger({
    ledgerPath: settings.CHARTBILL_LEDGER_PATH,
    ledgerUrl: settings.CHARTBILL_LEDGER_URL,
    ledgerSchema: settings.CHARTBILL_LEDGER_SCHEMA,
  });
  try {
    const encounters = ids.map((id) => (id.startsWith('Encounter/') ? id : `Encounter/${id}`));
    const { released, skipped } = await retryItems(
      ledger,
      all ? { allGivenUp: true } : { encounters },
      new Date(),
    );
    console.log(
      `Released ${String(released.length)} encounter${released.length === 1 ? '' : 's'} for retry${released.length > 0 ? `: ${released.join(', ')}` : ''}.`,
    );
    if (skipped.length > 0)
      console.error(`Not given up or failing (left alone): ${skipped.join(', ')}.`);
    return skipped.length > 0 ? 1 : 0;
  } finally {
    await ledger.close();
  }
}
