import type { FastifyInstance } from 'fastify';
import { analyticsQuery, type Analytics } from '../../src/billing-office/billing-api.ts';
import { ANALYTICS_TABLES, analyticsCsv } from '../../src/billing-office/analytics-csv.ts';
import { computeAnalytics, defaultPeriod } from '../../src/billing-office/analytics.ts';
import { AppError } from '../../src/errors/app-error.ts';
import type { AppContext } from '../app-context.ts';
import { requireBilling } from './billing-session.ts';

/**
 * `GET /api/billing/analytics` (issue 17, item 6): computed per request over the read model's
 * claim rows, never over FHIR; `format=csv` exports one table or all.
 */
export function billingAnalyticsRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/billing/analytics', async (req, reply) => {
    await requireBilling(req, ctx, 'analytics.read');
    const q = analyticsQuery.parse(req.query);
    const now = ctx.now();
    const period = defaultPeriod(now);
    const from = q.from ?? (q.to && q.to < period.from ? q.to : period.from);
    const to = q.to ?? period.to;
    if (from > to)
      throw new AppError('INPUT_INVALID', `The period starts (${from}) after it ends (${to}).`);
    if (q.table && !(ANALYTICS_TABLES as readonly string[]).includes(q.table))
      throw new AppError(
        'INPUT_INVALID',
        `There is no table "${q.table}"; the tables are ${ANALYTICS_TABLES.join(', ')}.`,
      );
    const claims = await ctx.billingReadModel.store.claims();
    const analytics: Analytics = computeAnalytics(claims, { from, to, payer: q.payer }, now);
    if (q.format === 'json') return analytics;
    return reply
      .type('text/csv; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="chartbill-analytics-${from}-${to}${q.table ? `-${q.table}` : ''}.csv"`,
      )
      .header('cache-control', 'no-store')
      .send(analyticsCsv(analytics, q.table));
  });
}
