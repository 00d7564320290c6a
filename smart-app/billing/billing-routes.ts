import type { FastifyInstance } from 'fastify';
import type { BillingMe } from '../../src/billing-office/billing-api.ts';
import { ROLE_ACTIONS, type BillingAction } from '../../src/billing-office/roles.ts';
import type { AppContext } from '../app-context.ts';
import { actionsOf, requireBilling } from './billing-session.ts';
import { billingQueueRoutes } from './billing-queue-routes.ts';
import { billingAnalyticsRoutes } from './billing-analytics-routes.ts';

/** Every action of the workspace, in the order roles.ts lists them. */
const ALL_ACTIONS: readonly BillingAction[] = [...new Set(Object.values(ROLE_ACTIONS).flat())];

/**
 * The billing workspace's server side (issue 17; the API in src/billing-office/billing-api.ts).
 * Every route needs a workspace session and checks the role on the server (billing-session.ts).
 */
export function billingRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/billing/me', async (req): Promise<BillingMe> => {
    const user = await requireBilling(req, ctx);
    return {
      user: { reference: user.reference, name: user.name },
      roles: user.roles,
      actions: actionsOf(user.roles, ALL_ACTIONS),
      writeOffLimit: ctx.config.billing?.writeOffLimit ?? 0,
    };
  });
  billingQueueRoutes(app, ctx);
  billingAnalyticsRoutes(app, ctx);
}
