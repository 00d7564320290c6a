import { parseArgs } from 'node:util';
import { AppError } from '../src/errors/app-error.ts';
import { createBackendAuth } from '../src/auth/backend-auth.ts';
import { formatAuditTrail, loadAuditTrail, type AuditStores } from '../src/audit/audit-trail.ts';
import { BILLING_STORE_TYPES, CODING_TYPES } from '../src/fhir/routed-gateway.ts';
import { createFhirGateway } from '../src/fhir/http-fhir-gateway.ts';
import { readSandboxState } from './sandbox-state.ts';
import { cliSettings } from './cli-settings.ts';

const HELP = `Usage: chartbill audit <encounter-id> [--json] [--fhir URL]

Prints the encounter's audit trail: who (the practitioner, or the worker) read and wrote what,
when, from the AuditEvents ChartBill recorded, with the Provenance of each version written.

Options:
  --json       One JSON array instead of words.
  --fhir URL   The EHR's FHIR base, read with the bearer token in CHARTBILL_AUDIT_TOKEN (it
               needs AuditEvent and Provenance read and search). Default: the sandbox running
               from this folder (and its billing store, when its EHR profile has one).
  --billing-fhir URL
               The billing store beside the EHR (CHARTBILL_BILLING_FHIR_BASE_URL), read with
               CHARTBILL_AUDIT_BILLING_TOKEN: its AuditEvents (CHARTBILL_AUDIT_STORE=billing)
               and the Provenance of the claims, answers and Tasks kept there (and of the coding
               when CHARTBILL_CODING_STORE=billing) are shown with the EHR's, in one trail.

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
      'billing-fhir': { type: 'string' },
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
  const stores = await auditStores(values.fhir, values['billing-fhir']);
  const trail = await loadAuditTrail(stores, encounterId);
  console.log(values.json ? JSON.stringify(trail, null, 2) : formatAuditTrail(encounterId, trail));
  return 0;
}

/** Where the trail is read: the EHR, and the billing store beside it when there is one. */
async function auditStores(
  fhirBase: string | undefined,
  billingBase: string | undefined,
): Promise<AuditStores> {
  const settings = await cliSettings();
  const gateway = (baseUrl: string, token: string | undefined) =>
    createFhirGateway({
      baseUrl,
      ...(token ? { getToken: () => Promise.resolve(token) } : {}),
      retry: { attempts: 3 },
    });
  const ehrBase = fhirBase ?? (billingBase ? settings.CHARTBILL_FHIR_BASE_URL : undefined);
  if (billingBase && !ehrBase)
    throw new AppError('CONFIG_INVALID', '--billing-fhir needs the EHR too: give --fhir URL.');
  if (ehrBase) {
    const ehr = gateway(ehrBase, settings.CHARTBILL_AUDIT_TOKEN);
    if (!billingBase) return { ehr };
    return {
      ehr,
      billing: gateway(billingBase, settings.CHARTBILL_AUDIT_BILLING_TOKEN),
      billingTypes: billingTypes(settings.CHARTBILL_CODING_STORE === 'billing'),
    };
  }
  const state = await readSandboxState(settings.CHARTBILL_DATA_DIR);
  const signedIn = (baseUrl: string, tokenUrl: string) => {
    const auth = createBackendAuth({
      tokenUrl,
      clientId: state.clientId,
      privateKey: state.privateJwk,
      scope: 'system/AuditEvent.rs system/Provenance.rs',
    });
    return createFhirGateway({ baseUrl, getToken: () => auth.getToken(), retry: { attempts: 3 } });
  };
  const ehr = signedIn(state.fhirBase, state.tokenUrl);
  if (!state.billing) return { ehr };
  return {
    ehr,
    billing: signedIn(state.billing.fhirBase, state.billing.tokenUrl),
    billingTypes: billingTypes(state.billing.coding),
  };
}

function billingTypes(coding: boolean): string[] {
  return [...BILLING_STORE_TYPES, ...(coding ? CODING_TYPES : [])];
}
