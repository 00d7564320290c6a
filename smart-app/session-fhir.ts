import type { FhirGateway } from '../src/fhir/fhir-gateway.ts';
import { routedGateway } from '../src/fhir/routed-gateway.ts';
import type { AppContext } from './app-context.ts';
import type { Session } from './session/session-store.ts';

/**
 * A session's FHIR gateway over its EHR (`ehr`, with the user's token) and, where the EHR does
 * not hold them, the billing store (coding-store.ts `sessionStoresResolver`): the coding when
 * the EHR cannot hold it, the claims where the worker writes them. Every request is audited as
 * the clinician (Provenance beside what it describes; BALP AuditEvents where
 * `CHARTBILL_AUDIT_STORE` puts them: the billing store when the EHR takes none).
 */
export async function sessionFhir(
  ctx: AppContext,
  session: Session,
  ehr: FhirGateway,
): Promise<FhirGateway> {
  const stores = await ctx.stores(session.iss);
  const auditStore = stores.audit === 'billing' ? stores.billing : undefined;
  const audited = ctx.audited(ehr, session, auditStore);
  return stores.billing && stores.types.length > 0
    ? routedGateway(audited, ctx.audited(stores.billing, session, auditStore), stores.types)
    : audited;
}
