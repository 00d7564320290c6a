import type { FastifyRequest } from 'fastify';
import type { BillingRole } from '../../src/billing-office/roles.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';

/**
 * Who is asking, as the claim routes need it: the signed-in workspace user, their roles, the
 * write-off limit, and a FHIR gateway with their own token and audit trail (Provenance and
 * AuditEvents name them). Built from the workspace session (billing-session.ts).
 */
export interface BillingCaller {
  user: { reference: string; name: string };
  roles: readonly BillingRole[];
  writeOffLimit: number;
  fhir: FhirGateway;
}

export type ResolveCaller = (req: FastifyRequest) => Promise<BillingCaller>;
