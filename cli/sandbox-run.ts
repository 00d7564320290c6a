import { logDataCoverage } from '../src/codes/data-coverage.ts';
import { startupCodeSets } from '../src/codes/load-code-sets.ts';
import { readSettings, type SettingsSource } from '../src/config/read-settings.ts';
import { SETTINGS, type Setting } from '../src/config/settings.ts';
import { AppError } from '../src/errors/app-error.ts';
import { createLogger } from '../src/log/create-logger.ts';
import { loadEditReference } from '../src/ncci/load-edit-reference.ts';
import { sandboxEhrProfile } from '../sandbox/ehr-profiles.ts';
import { startSandboxPayer } from '../sandbox/payer-server.ts';
import { sandboxMembers } from '../sandbox/clearinghouse/sandbox-members.ts';
import {
  startSandboxClearinghouse,
  type SandboxClearinghouse,
} from '../sandbox/clearinghouse/start-clearinghouse.ts';
import { removeSandboxState, writeSandboxState } from './sandbox-state.ts';
import { startSandboxStack } from './sandbox-stack.ts';
import { untilSignal } from './start-command.ts';

/** The sandbox logs warnings only, unless CHARTBILL_LOG_LEVEL says otherwise. */
const SANDBOX_DEFAULTS = { CHARTBILL_LOG_LEVEL: 'warn' } as const;

/**
 * Reads the sandbox's settings. A connection to a real EHR or payer (CHARTBILL_EHRS,
 * CHARTBILL_FHIR_BASE_URL, …) is refused: the sandbox brings its own, and silently ignoring one
 * would let an admin believe ChartBill talks to their EHR.
 */
function sandboxSettings(source: SettingsSource) {
  const connections = (Object.entries(SETTINGS) as [string, Setting][])
    .filter(([name, s]) => s.group === 'ehr' && source[name] !== undefined)
    .map(([name]) => name);
  if (connections.length > 0)
    throw new AppError(
      'CONFIG_INVALID',
      `the sandbox brings its own EHR and payer, but ${connections.join(', ')} ${connections.length === 1 ? 'is' : 'are'} set.`,
      {
        hint: "Run 'chartbill start' to use the configured EHR, or unset these for the sandbox.",
      },
    );
  return readSettings(source, { what: 'Sandbox', defaults: SANDBOX_DEFAULTS });
}

/** `chartbill sandbox`: the EHR, the payer, the app and the worker on this machine. */
export async function runSandbox(source: SettingsSource): Promise<number> {
  const settings = sandboxSettings(source);
  const dataDir = settings.CHARTBILL_DATA_DIR;
  const logger = createLogger(settings.CHARTBILL_LOG_LEVEL, 'chartbill');
  const codes = await startupCodeSets(dataDir, logger);
  const editReference = await loadEditReference(dataDir, 'sandbox', logger);
  logDataCoverage(logger, { codes, ncci: editReference.ncci });
  const stack = await startSandboxStack({
    host: settings.CHARTBILL_HOST,
    ports: {
      app: settings.CHARTBILL_APP_PORT,
      ehr: settings.CHARTBILL_EHR_PORT,
      payer: settings.CHARTBILL_PAYER_PORT,
      worker: settings.CHARTBILL_WORKER_PORT,
      clearinghouseSftp: settings.CHARTBILL_CLEARINGHOUSE_SFTP_PORT,
      clearinghouseCore: settings.CHARTBILL_CLEARINGHOUSE_CORE_PORT,
    },
    // The clearinghouse's host key stays in the data folder: its pinned fingerprint lasts.
    stateDir: dataDir,
    logger,
    // The shipped public code sets, with any imported releases (chartbill codes import).
    codes,
    editReference,
    workerSchedule: settings.CHARTBILL_WORKER_SCHEDULE,
    startWorker: true,
    profile: sandboxEhrProfile(settings.CHARTBILL_SANDBOX_EHR),
    settings: { ...SANDBOX_DEFAULTS, ...source },
  });
  await writeSandboxState(dataDir, {
    fhirBase: stack.fhirBase,
    tokenUrl: stack.tokenUrl,
    clientId: stack.cliClient.clientId,
    privateJwk: stack.cliClient.privateJwk,
    pid: process.pid,
    ...(stack.billing
      ? { billing: { fhirBase: stack.billing.fhirBase, tokenUrl: stack.billing.tokenUrl } }
      : {}),
  });
  console.log(`FHIR base: ${stack.fhirBase}`);
  console.log(`Sandbox EHR profile: ${settings.CHARTBILL_SANDBOX_EHR}`);
  if (stack.billing)
    console.log(
      `Billing FHIR store: ${stack.billing.fhirBase} (the coding, claims and work Tasks this EHR profile cannot hold)`,
    );
  console.log(`EHR launch: ${stack.ehrLaunchUrl}`);
  console.log(`App: ${stack.appUrl}`);
  console.log(`Payer: ${stack.payerBase}`);
  printClearinghouse(stack.clearinghouse);
  console.log(`Worker health: ${stack.healthUrl}/healthz`);
  console.log(
    'ChartBill sandbox is running. Open the EHR launch page in a browser; Ctrl-C stops it.',
  );
  await untilSignal();
  console.log('Stopping…');
  await stack.close();
  await removeSandboxState(dataDir);
  return 0;
}

/**
 * `chartbill sandbox payer`: the sandbox payer alone (strict, like a clearinghouse), for trying
 * ChartBill against another EHR: set CHARTBILL_PAYER_BASE_URL to the URL it prints.
 */
export async function runSandboxPayer(source: SettingsSource): Promise<number> {
  const settings = readSettings(source, { what: 'Sandbox payer', defaults: SANDBOX_DEFAULTS });
  const payer = await startSandboxPayer({
    host: settings.CHARTBILL_HOST,
    port: settings.CHARTBILL_PAYER_PORT,
    logger: createLogger(settings.CHARTBILL_LOG_LEVEL, 'chartbill-sandbox-payer'),
    strict: true,
  });
  console.log(`Payer: ${payer.fhirBase}`);
  console.log('Sandbox payer is running (CHARTBILL_PAYER_BASE_URL=<Payer>); Ctrl-C stops it.');
  await untilSignal();
  await payer.close();
  return 0;
}

/** Where the clearinghouse listens and the host key to pin (no password: it is in a file). */
function printClearinghouse(ch: SandboxClearinghouse): void {
  console.log(
    `Clearinghouse SFTP: sftp://${ch.sftp.user}@${ch.sftp.host}:${ch.sftp.port} (host key ${ch.sftp.hostKey}; password in ${ch.settings.CHARTBILL_X12_SFTP_PASSWORD_FILE ?? ''})`,
  );
  console.log(`Clearinghouse CORE: ${ch.coreUrl}`);
}

/**
 * `chartbill sandbox clearinghouse`: the sandbox clearinghouse alone (SFTP for 837P and its
 * answers, CAQH CORE for 270/276), its payers knowing the sandbox seed's members. Prints the
 * CHARTBILL_X12_* settings that point ChartBill at it.
 */
export async function runSandboxClearinghouse(source: SettingsSource): Promise<number> {
  const settings = readSettings(source, {
    what: 'Sandbox clearinghouse',
    defaults: SANDBOX_DEFAULTS,
  });
  const clearinghouse = await startSandboxClearinghouse({
    host: settings.CHARTBILL_HOST,
    sftpPort: settings.CHARTBILL_CLEARINGHOUSE_SFTP_PORT,
    corePort: settings.CHARTBILL_CLEARINGHOUSE_CORE_PORT,
    stateDir: settings.CHARTBILL_DATA_DIR,
    members: sandboxMembers(new Date()),
    logger: createLogger(settings.CHARTBILL_LOG_LEVEL, 'chartbill-sandbox-clearinghouse'),
  });
  printClearinghouse(clearinghouse);
  console.log('Settings for ChartBill:');
  for (const [name, value] of Object.entries(clearinghouse.settings))
    console.log(`  ${name}=${value}`);
  console.log('Sandbox clearinghouse is running; Ctrl-C stops it.');
  await untilSignal();
  await clearinghouse.close();
  return 0;
}
