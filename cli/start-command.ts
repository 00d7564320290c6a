import { parseArgs } from 'node:util';
import { z } from 'zod';
import { logDataCoverage } from '../src/codes/data-coverage.ts';
import { startupCodeSets } from '../src/codes/load-code-sets.ts';
import { parseConfig } from '../src/config/parse-config.ts';
import { createLogger } from '../src/log/create-logger.ts';
import { loadEditReference } from '../src/ncci/load-edit-reference.ts';
import { removeSandboxState, writeSandboxState } from './sandbox-state.ts';
import { startSandboxStack } from './sandbox-stack.ts';

const HELP = `Usage: chartbill start

With no EHR configured (CHARTBILL_FHIR_BASE_URL unset), starts the sandbox and prints:
  FHIR base: <url>     the sandbox EHR's FHIR R4 server (needs a token: chartbill sandbox token)
  EHR launch: <url>    the sandbox EHR's patient list, with "Launch ChartBill" buttons
  App: <url>           ChartBill's app
Environment: CHARTBILL_HOST (127.0.0.1), CHARTBILL_APP_PORT (4400), CHARTBILL_EHR_PORT (4410),
CHARTBILL_PAYER_PORT (4420), CHARTBILL_WORKER_PORT (4430: /healthz, /metrics),
CHARTBILL_WORKER_SCHEDULE ('*/5 * * * * *'),
CHARTBILL_LOG_LEVEL (warn), CHARTBILL_DATA_DIR (.chartbill).
Stop with Ctrl-C.`;

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

const sandboxEnv = z.object({
  CHARTBILL_HOST: z.string().default('127.0.0.1'),
  CHARTBILL_APP_PORT: port(4400),
  CHARTBILL_EHR_PORT: port(4410),
  CHARTBILL_PAYER_PORT: port(4420),
  CHARTBILL_WORKER_PORT: port(4430),
  CHARTBILL_WORKER_SCHEDULE: z.string().default('*/5 * * * * *'),
  CHARTBILL_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('warn'),
  CHARTBILL_DATA_DIR: z.string().default('.chartbill'),
});

/** `chartbill start`: the sandbox, or the app and worker against a configured EHR. */
export async function startCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (process.env.CHARTBILL_FHIR_BASE_URL) {
    const { startConfigured } = await import('./start-configured.ts');
    return startConfigured(process.env);
  }
  const env = parseConfig(sandboxEnv, process.env, 'Sandbox');
  const logger = createLogger(env.CHARTBILL_LOG_LEVEL, 'chartbill');
  const codes = await startupCodeSets(env.CHARTBILL_DATA_DIR, logger);
  const editReference = await loadEditReference(env.CHARTBILL_DATA_DIR, 'sandbox', logger);
  logDataCoverage(logger, { codes, ncci: editReference.ncci });
  const stack = await startSandboxStack({
    host: env.CHARTBILL_HOST,
    ports: {
      app: env.CHARTBILL_APP_PORT,
      ehr: env.CHARTBILL_EHR_PORT,
      payer: env.CHARTBILL_PAYER_PORT,
      worker: env.CHARTBILL_WORKER_PORT,
    },
    logger,
    // The shipped public code sets, with any imported releases (chartbill codes import).
    codes,
    editReference,
    workerSchedule: env.CHARTBILL_WORKER_SCHEDULE,
    startWorker: true,
  });
  await writeSandboxState(env.CHARTBILL_DATA_DIR, {
    fhirBase: stack.fhirBase,
    tokenUrl: stack.tokenUrl,
    clientId: stack.cliClient.clientId,
    privateJwk: stack.cliClient.privateJwk,
    pid: process.pid,
  });
  console.log(`FHIR base: ${stack.fhirBase}`);
  console.log(`EHR launch: ${stack.ehrLaunchUrl}`);
  console.log(`App: ${stack.appUrl}`);
  console.log(`Worker health: ${stack.healthUrl}/healthz`);
  console.log(
    'ChartBill sandbox is running. Open the EHR launch page in a browser; Ctrl-C stops it.',
  );
  await untilSignal();
  console.log('Stopping…');
  await stack.close();
  await removeSandboxState(env.CHARTBILL_DATA_DIR);
  return 0;
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
