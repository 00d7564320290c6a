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
  --fhir URL   An audit store's FHIR base, read with the bearer token in CHARTBILL_AUDIT_TOKEN
               (it needs AuditEvent and Provenance read and search). Give it twice, the EHR
               and the billing store, when both keep events (CHARTBILL_AUDIT_STORE=auto puts
               the worker's in the billing store when the EHR does not declare AuditEvent
               create; \`chartbill doctor\` says where). Default: the sandbox running from this
               folder, its EHR and its billing store.

Events kept only in the log (a server that refused AuditEvent, or CHARTBILL_AUDIT_STORE=log)
are not shown: search the log for 'audit event'.`;

const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** `chartbill audit <encounter-id>`: the encounter's trail in words, or `--json`. */
export async function auditCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean' },
      fhir: { type: 'string', multiple: true },
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
  const fhir = await auditStores(values.fhir ?? []);
  const trail = await loadAuditTrail(fhir, encounterId);
  console.log(values.json ? JSON.stringify(trail, null, 2) : formatAuditTrail(encounterId, trail));
  return 0;
}

async function auditStores(fhirBases: readonly string[]) {
  const settings = await cliSettings();
  const token = settings.CHARTBILL_AUDIT_TOKEN;
  if (fhirBases.length > 0)
    return fhirBases.map((baseUrl) =>
      createFhirGateway({
        baseUrl,
        ...(token ? { getToken: () => Promise.resolve(token) } : {}),
        retry: { attempts: 3 },
      }),
    );
  const state = await readSandboxState(settings.CHARTBILL_DATA_DIR);
  const servers = [state, ...(state.billing ? [state.billing] : [])];
  return servers.map(({ fhirBase, tokenUrl }) => {
    const auth = createBackendAuth({
      tokenUrl,
      clientId: state.clientId,
      privateKey: state.privateJwk,
      scope: 'system/AuditEvent.rs system/Provenance.rs',
    });
    return createFhirGateway({
      baseUrl: fhirBase,
      getToken: () => auth.getToken(),
      retry: { attempts: 3 },
    });
  });
}
