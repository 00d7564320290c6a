import { decodeJwt } from 'jose';
import { parseArgs } from 'node:util';
import { createBackendAuth } from '../src/auth/backend-auth.ts';
import { readSandboxState } from './sandbox-state.ts';

const HELP = `Usage: chartbill sandbox token [--scope "system/*.rs"]

Prints a short-lived system-scoped access token for the sandbox running from this folder, got
with SMART Backend Services like the worker's, so that
  curl -H "Authorization: Bearer $(chartbill sandbox token)" "$FHIR/ClaimResponse"
works. The sandbox grants this client any system/ scope (v2 "system/*.cruds" or v1
"system/*.*" included), so tests and admins can act as the EHR and write data from outside.
When some asked scope is not granted, the granted ones are named on stderr. Only for the sandbox.`;

/** `chartbill sandbox token`. */
export async function sandboxCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    options: {
      scope: { type: 'string', default: 'system/*.rs' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help || positionals[0] !== 'token') {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  const state = await readSandboxState(process.env.CHARTBILL_DATA_DIR ?? '.chartbill');
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
