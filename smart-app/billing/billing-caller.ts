import type { FastifyRequest } from 'fastify';
import type { BillingRole } from '../../src/billing-office/roles.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import type { AppContext } from '../app-context.ts';
import { billingFhir, requireBilling } from './billing-session.ts';

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

/** The caller of a request from the workspace session: any billing role, the actions check more. */
export function sessionCaller(ctx: AppContext): ResolveCaller {
  return async (req) => {
    const user = await requireBilling(req, ctx);
    return {
      user: { reference: user.reference, name: user.name },
      roles: user.roles,
      writeOffLimit: ctx.config.billing?.writeOffLimit ?? 0,
      fhir: await billingFhir(user.session, ctx),
    };
  };
}
