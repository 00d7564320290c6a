import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../src/errors/app-error.ts';
import { bundleBillingUi, type UiAssets } from '../bundle-ui.ts';
import { billingShell } from '../billing/billing-shell.ts';

const claimParams = z.object({ claimId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/) });

/**
 * The billing workspace's pages (issue 17): the same HTML shell at each address, and its own JS
 * and CSS bundle. The bundle is built on the first request for it (once per server), so a server
 * that only runs chart launches never pays for it. The data behind the pages is at
 * `/api/billing/…` (billing-api.ts), each call checked for session and role on the server.
 */
export function billingPageRoutes(app: FastifyInstance, given?: UiAssets): void {
  let bundling: Promise<UiAssets> | undefined = given ? Promise.resolve(given) : undefined;
  const assets = (): Promise<UiAssets> => {
    bundling ??= bundleBillingUi().catch((err: unknown) => {
      bundling = undefined; // the next request tries again
      throw err;
    });
    return bundling;
  };
  const immutable = 'public, max-age=31536000, immutable';

  // Cached for good only under this bundle's own version: the sign-in callback's page names the
  // panel's version (launch-routes.ts), which must not pin an old billing bundle in the cache.
  const caching = (req: FastifyRequest, version: string) =>
    (req.query as { v?: unknown }).v === version ? immutable : 'no-cache';
  app.get('/assets/billing.js', async (req, reply) => {
    const a = await assets();
    return reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', caching(req, a.version))
      .send(a.js);
  });
  app.get('/assets/billing.css', async (req, reply) => {
    const a = await assets();
    return reply
      .type('text/css; charset=utf-8')
      .header('cache-control', caching(req, a.version))
      .send(a.css);
  });
  const page = async (_req: unknown, reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').send(billingShell((await assets()).version));
  app.get('/billing', page);
  app.get('/billing/analytics', page);
  app.get('/billing/claims/:claimId', async (req, reply) => {
    if (!claimParams.safeParse(req.params).success)
      throw new AppError('INPUT_INVALID', 'That is not a claim address ChartBill knows.', {
        hint: 'Open the claim from the billing work queue.',
      });
    return page(req, reply);
  });
}
