import { parseArgs } from 'node:util';
import { AppError } from '../src/errors/app-error.ts';
import { settingsHelp } from '../src/config/settings-docs.ts';
import { settingsSource } from '../src/config/settings-source.ts';
import { APP_REQUIRED } from '../smart-app/app-config.ts';
import { WORKER_REQUIRED } from '../worker/runtime/worker-config.ts';
import { startConfigured, type Parts } from './start-configured.ts';

const MODES = {
  start: {
    parts: { app: true, worker: true },
    what: 'the app and the worker against the EHR the settings name',
  },
  app: { parts: { app: true, worker: false }, what: 'the app alone' },
  worker: { parts: { app: false, worker: true }, what: 'the billing worker alone' },
} as const;

export type Mode = keyof typeof MODES;

/** The usage of `chartbill start`, `chartbill app` and `chartbill worker`, settings included. */
export function modeHelp(mode: Mode): string {
  const required = requiredFor(MODES[mode].parts);
  return `Usage: chartbill ${mode} [--config FILE]

Runs ${MODES[mode].what}. Needs
  ${required.join('\n  ')}
and refuses to start with any of them missing, naming each (nothing falls back to the sandbox:
that is 'chartbill sandbox'). Settings come from the environment, over a JSON config file of the
same names (--config FILE, or chartbill.config.json in the working directory); secrets come from
the environment only. A CHARTBILL_* name that is no setting is refused. Stop with Ctrl-C.${
    mode === 'worker'
      ? "\n'chartbill worker retry --help': releasing encounters the worker gave up on."
      : ''
  }

Settings (default in brackets):

${settingsHelp()}`;
}

function requiredFor(parts: Parts): string[] {
  return [...(parts.app ? APP_REQUIRED : []), ...(parts.worker ? WORKER_REQUIRED : [])];
}

/** `chartbill start`, `chartbill app`, `chartbill worker`: what is configured, never the sandbox. */
export async function runMode(mode: Mode, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(modeHelp(mode));
    return 0;
  }
  const source = await settingsSource({ configFile: values.config });
  const { parts } = MODES[mode];
  const required = requiredFor(parts);
  if (required.every((name) => source[name] === undefined))
    throw new AppError(
      'CONFIG_INVALID',
      `nothing is configured: ${mode === 'start' ? 'the app and the worker need' : 'it needs'} ${required.join(', ')}.`,
      {
        hint: 'For the sandbox (an EHR, a payer, the app and the worker on this machine) run \'chartbill sandbox\' (npm start). To connect an EHR see the README, "Registering ChartBill with your EHR".',
      },
    );
  return startConfigured(source, parts);
}

/** `chartbill start`. */
export function startCommand(args: string[]): Promise<number> {
  return runMode('start', args);
}

/** `chartbill app`. */
export function appCommand(args: string[]): Promise<number> {
  return runMode('app', args);
}

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string) => {
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
