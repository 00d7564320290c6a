import { decodeJwt } from 'jose';
import { parseArgs } from 'node:util';
import { createBackendAuth } from '../src/auth/backend-auth.ts';
import { readSettings } from '../src/config/read-settings.ts';
import { settingsSource } from '../src/config/settings-source.ts';
import { runSandbox, runSandboxClearinghouse, runSandboxPayer } from './sandbox-run.ts';
import { readSandboxState } from './sandbox-state.ts';

const HELP = `Usage:
  chartbill sandbox [--config FILE]      the whole sandbox (what 'npm start' runs)
  chartbill sandbox payer [--config FILE]
  chartbill sandbox clearinghouse [--config FILE]
  chartbill sandbox token [--scope "system/*.rs"]

sandbox   Starts the outside world on this machine: a FHIR R4 EHR with SMART authorization and
          seeded patients, a payer, and ChartBill's app and worker registered with them. Prints
          the FHIR base, the EHR launch page, the app, the payer and the worker's health URL.
          Settings: CHARTBILL_HOST, CHARTBILL_APP_PORT, CHARTBILL_EHR_PORT, CHARTBILL_PAYER_PORT,
          CHARTBILL_CLEARINGHOUSE_SFTP_PORT, CHARTBILL_CLEARINGHOUSE_CORE_PORT,
          CHARTBILL_WORKER_PORT, CHARTBILL_LOG_LEVEL (warn), CHARTBILL_DATA_DIR, and the
          worker's own (CHARTBILL_WORKER_*, CHARTBILL_HTTP_*; see 'chartbill start --help').
          Refuses to start when a connection to a real EHR is configured (CHARTBILL_EHRS,
          CHARTBILL_FHIR_BASE_URL, …): that is 'chartbill start'.
payer     The sandbox payer alone (CHARTBILL_HOST, CHARTBILL_PAYER_PORT), strict like a
          clearinghouse, for trying ChartBill against another EHR: point
          CHARTBILL_PAYER_BASE_URL at the URL it prints.
clearinghouse
          The sandbox clearinghouse alone (CHARTBILL_HOST, CHARTBILL_CLEARINGHOUSE_SFTP_PORT,
          CHARTBILL_CLEARINGHOUSE_CORE_PORT): an SFTP server taking 837P files in /send and
          answering with 999, 277CA and 835 files in /receive, and a CAQH CORE endpoint for
          270/271 and 276/277. Prints the CHARTBILL_X12_* settings that point ChartBill at it;
          its host key is kept in CHARTBILL_DATA_DIR.
token     Prints a short-lived system-scoped access token for the sandbox running from this
          folder, got with SMART Backend Services like the worker's, so that
            curl -H "Authorization: Bearer $(chartbill sandbox token)" "$FHIR/ClaimResponse"
          works. The sandbox grants this client any system/ scope (v2 "system/*.cruds" or v1
          "system/*.*" included), so tests and admins can act as the EHR and write data from
          outside. When some asked scope is not granted, the granted ones are named on stderr.`;

/** `chartbill sandbox`, `chartbill sandbox payer`, `chartbill sandbox token`. */
export async function sandboxCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    options: {
      scope: { type: 'string', default: 'system/*.rs' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  const [sub] = positionals;
  if (
    values.help ||
    positionals.length > 1 ||
    !['token', 'payer', 'clearinghouse', undefined].includes(sub)
  ) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const source = await settingsSource({ configFile: values.config });
  if (sub === undefined) return runSandbox(source);
  if (sub === 'payer') return runSandboxPayer(source);
  if (sub === 'clearinghouse') return runSandboxClearinghouse(source);
  const settings = readSettings(source, { what: 'ChartBill' });
  const state = await readSandboxState(settings.CHARTBILL_DATA_DIR);
  const auth = createBackendAuth({
    tokenUrl: state.tokenUrl,
    clientId: state.clientId,
    privateKey: state.privateJwk,
    scope: values.scope,
  });
  const token = await auth.getToken();
  // RFC 6749 §3.3: the server may grant less than asked; say so rather than fail later with 403s.
  const { scope } = decodeJwt(token);
  const granted = typeof scope === 'string' ? scope.split(/\s+/) : [];
  const missing = values.scope.split(/\s+/).filter((s) => s && !granted.includes(s));
  if (missing.length > 0)
    console.error(`Not granted: ${missing.join(' ')} (granted: ${granted.join(' ')})`);
  console.log(token);
  return 0;
}
