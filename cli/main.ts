import { parseArgs } from 'node:util';
import { isAppError } from '../src/errors/app-error.ts';
import { auditCommand } from './audit-command.ts';
import { codesCommand } from './codes-command.ts';
import { doctorCommand } from './doctor-command.ts';
import { keysCommand } from './keys-command.ts';
import { ncciCommand } from './ncci-command.ts';
import { chargesCommand } from './charges-command.ts';
import { sandboxCommand } from './sandbox-command.ts';
import { scrubCommand } from './scrub-command.ts';
import { registrationCommand } from './registration-command.ts';
import { appCommand, startCommand } from './start-command.ts';
import { workerCommand } from './worker-command.ts';
import { x12Command } from './x12-command.ts';

const HELP = `chartbill: medical coding and billing companion for FHIR EHRs

Usage: chartbill <command> [options]

Commands:
  start [--config FILE]   Run the app and the worker against the configured EHR; refuses a half
                          configuration, naming what is missing. 'start --help' lists every setting.
  app, worker             Run one of them alone.
  sandbox                 Run the sandbox (what 'npm start' runs): FHIR server, SMART
                          authorization, payer, seeded patients, the app and the worker.
  sandbox payer           Run the sandbox payer alone.
  registration [--json]   Print what to paste into the EHR's app registrations.
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
  charges import <csv>    Load the practice's charge master (code, modifier, price, effective dates).
  worker retry <encounter-id>…|--all-gave-up
                          Release encounters the billing worker gave up on: due at once again.
  audit <encounter-id> [--json]
                          Print the encounter's audit trail: who read and wrote what, and when.
  doctor [--iss URL] [--json]
                          Check that ChartBill can run against an EHR: pass / warn / fail, with remedies.
  x12 837 <claim-id> | x12 read <file> | x12 import <835-file> | x12 inbound retry
  x12 interchange release
                          Print a Claim's 837P; show a 999/277CA/835/271/277 in words; post an ERA.

Run 'chartbill <command> --help' for a command's options.`;

export type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  start: startCommand,
  app: appCommand,
  registration: registrationCommand,
  keys: keysCommand,
  sandbox: sandboxCommand,
  codes: codesCommand,
  scrub: scrubCommand,
  ncci: ncciCommand,
  charges: chargesCommand,
  worker: workerCommand,

  audit: auditCommand,
  doctor: doctorCommand,
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
