import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseConfig } from '../src/config/parse-config.ts';
import { openLedger } from '../worker/runtime/open-ledger.ts';
import { retryItems } from '../worker/tick/retry-items.ts';

const HELP = `Usage:
  chartbill worker retry <encounter-id> [<encounter-id> …]
  chartbill worker retry --all-gave-up

retry  Releases encounters the worker gave up on (or that are failing): they are due at once with
       a fresh retry budget, and their "worker stopped retrying" Task is closed once they go
       through. Ids as Encounter/123 or 123. Uses the worker's ledger: CHARTBILL_LEDGER_URL (and
       CHARTBILL_LEDGER_SCHEMA) for PostgreSQL, else CHARTBILL_LEDGER_PATH (stop the worker first:
       the file ledger has one writer).`;

const ledgerEnvSchema = z
  .object({
    CHARTBILL_LEDGER_PATH: z.string().min(1).default('.chartbill/ledger.json'),
    CHARTBILL_LEDGER_URL: z
      .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
      .optional(),
    CHARTBILL_LEDGER_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
      .default('chartbill'),
  })
  .transform((env) => ({
    ledgerPath: env.CHARTBILL_LEDGER_PATH,
    ledgerUrl: env.CHARTBILL_LEDGER_URL,
    ledgerSchema: env.CHARTBILL_LEDGER_SCHEMA,
  }));

/** `chartbill worker retry <encounter-id>… | --all-gave-up`. */
export async function workerCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    options: { 'all-gave-up': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) return (console.log(HELP), 0);
  const [sub, ...ids] = positionals;
  const all = values['all-gave-up'] === true;
  if (sub !== 'retry' || all === ids.length > 0 || (!all && ids.length === 0)) {
    console.error(HELP);
    return 2;
  }
  const ledger = await openLedger(parseConfig(ledgerEnvSchema, env, 'Worker'));
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
