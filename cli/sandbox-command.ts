import { parseArgs } from 'node:util';
import { createBackendAuth } from '../src/auth/backend-auth.ts';
import { readSandboxState } from './sandbox-state.ts';

const HELP = `Usage: chartbill sandbox token [--scope "system/*.rs"]

Prints a short-lived system-scoped access token for the sandbox running from this folder, got
with SMART Backend Services like the worker's, so that
  curl -H "Authorization: Bearer $(chartbill sandbox token)" "$FHIR/ClaimResponse"
works. Only for the sandbox.`;

/** `chartbill sandbox token`. */
export async function sandboxCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, options: { scope: { type: 'string', default: 'system/*.rs' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help || positionals[0] !== 'token') {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const state = await readSandboxState(process.env.CHARTBILL_DATA_DIR ?? '.chartbill');
  const auth = createBackendAuth({ tokenUrl: state.tokenUrl, clientId: state.clientId, privateKey: state.privateJwk, scope: values.scope });
  console.log(await auth.getToken());
  return 0;
}
