import { parseArgs } from 'node:util';
import { createBackendAuth } from '../src/auth/backend-auth.ts';
import { formatAuditTrail, loadAuditTrail } from '../src/audit/audit-trail.ts';
import { createFhirGateway } from '../src/fhir/http-fhir-gateway.ts';
import { readSandboxState } from './sandbox-state.ts';
import { cliSettings } from './cli-settings.ts';

const HELP = `Usage: chartbill audit <encounter-id> [--json] [--fhir URL]

Prints the encounter's audit trail: who (the practitioner, or the worker) read and wrote what,
when, from the AuditEvents ChartBill recorded, with the Provenance of each version written.

Options:
  --json       One JSON array instead of words.
  --fhir URL   The audit store's FHIR base (the EHR, or the billing store when
               CHARTBILL_AUDIT_STORE=billing), read with the bearer token in CHARTBILL_AUDIT_TOKEN
               (it needs AuditEvent and Provenance read and search). Default: the sandbox
               running from this folder.

Events kept only in the log (a server that refused AuditEvent, or CHARTBILL_AUDIT_STORE=log)
are not shown: search the log for 'audit event'.`;

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** `chartbill audit <encounter-id>`: the encounter's trail in words, or `--json`. */
export async function auditCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean' },
      fhir: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) return (console.log(HELP), 0);
  const encounterId = positionals[0]?.replace(/^Encounter\//, '');
  if (!encounterId || positionals.length > 1 || !ID.test(encounterId)) {
    console.error(HELP);
    return 2;
  }
  const fhir = await auditStore(values.fhir);
  const trail = await loadAuditTrail(fhir, encounterId);
  console.log(values.json ? JSON.stringify(trail, null, 2) : formatAuditTrail(encounterId, trail));
  return 0;
}

async function auditStore(fhirBase: string | undefined) {
  const settings = await cliSettings();
  const token = settings.CHARTBILL_AUDIT_TOKEN;
  if (fhirBase)
    return createFhirGateway({
      baseUrl: fhirBase,
      ...(token ? { getToken: () => Promise.resolve(token) } : {}),
      retry: { attempts: 3 },
    });
  const state = await readSandboxState(settings.CHARTBILL_DATA_DIR);
  const auth = createBackendAuth({
    tokenUrl: state.tokenUrl,
    clientId: state.clientId,
    privateKey: state.privateJwk,
    scope: 'system/AuditEvent.rs system/Provenance.rs',
  });
  return createFhirGateway({
    baseUrl: state.fhirBase,
    getToken: () => auth.getToken(),
    retry: { attempts: 3 },
  });
}
