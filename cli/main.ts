import { parseArgs } from 'node:util';
import { isAppError } from '../src/errors/app-error.ts';
import { auditCommand } from './audit-command.ts';
import { codesCommand } from './codes-command.ts';
import { keysCommand } from './keys-command.ts';
import { ncciCommand } from './ncci-command.ts';
import { sandboxCommand } from './sandbox-command.ts';
import { scrubCommand } from './scrub-command.ts';
import { startCommand } from './start-command.ts';
import { workerCommand } from './worker-command.ts';
import { x12Command } from './x12-command.ts';

const HELP = `chartbill: medical coding and billing companion for FHIR EHRs

Usage: chartbill <command> [options]

Commands:
  start                   Run ChartBill. With no EHR configured (CHARTBILL_FHIR_BASE_URL unset) it
                          runs the sandbox: FHIR server, SMART authorization, payer, seeded
                          patients, the app and the worker.
  keys [--alg ES384|RS384] [--out FILE]
                          Make a key pair for SMART Backend Services; prints the JWKS to register.
  sandbox token [--scope S]
                          Print a short-lived system token for the running sandbox.
  codes search "<text>" [--kind diagnosis|service|modifier] [--json]
                          Search the code set.
  codes import <file> [--kind K] [--effective YYYY-MM-DD]
                          Import an official code release (ICD-10-CM, HCPCS, CPT, MCE).
  scrub <bundle.json>     Run the edits on a FHIR Bundle (a Claim, or an Encounter with its Patient,
                          Conditions and ChargeItems); prints an OperationOutcome. Exit 1 on errors.
  ncci import <file>…     Load the CMS NCCI quarterly PTP and MUE files for the scrubber.
  worker retry <encounter-id>…|--all-gave-up
                          Release encounters the billing worker gave up on: due at once again.
  audit <encounter-id> [--json]
                          Print the encounter's audit trail: who read and wrote what, and when.
  x12 837 <claim-id> | x12 read <file> | x12 import <835-file>
                          Print a Claim's 837P; show a 999/277CA/835/271/277 in words; post an ERA.

Run 'chartbill <command> --help' for a command's options.`;

export type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  start: startCommand,
  keys: keysCommand,
  sandbox: sandboxCommand,
  codes: codesCommand,
  scrub: scrubCommand,
  ncci: ncciCommand,
  worker: workerCommand,

  audit: auditCommand,
  x12: x12Command,
};

/** Runs one CLI command; returns the exit code. Errors are printed in words, never as stack traces. */
export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv.slice(0, 1),
    options: { help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: false,
  });
  const name = positionals[0];
  if (!name || values.help === true) {
    console.log(HELP);
    return name || values.help === true ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`chartbill: unknown command '${name}'.\n\n${HELP}`);
    return 2;
  }
  try {
    return await command(argv.slice(1));
  } catch (err) {
    if (isAppError(err)) {
      console.error(`chartbill ${name}: ${err.message}${err.hint ? `\n${err.hint}` : ''}`);
      return 1;
    }
    if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`chartbill ${name}: ${err.message}. Run 'chartbill ${name} --help'.`);
      return 2;
    }
    throw err;
  }
}
