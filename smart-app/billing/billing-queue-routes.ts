import type { FastifyInstance } from 'fastify';
import {
  assignRequest,
  claimListQuery,
  queueQuery,
  type ClaimListPage,
  type QueuePage,
  type WorkItem,
} from '../../src/billing-office/billing-api.ts';
import { balanceOf } from '../../src/billing-office/ar-aging.ts';
import { carcText } from '../../src/claims/carc-codes.ts';
import type { ClaimFilter, WorkItemRow } from '../../src/billing-office/read-model.ts';
import { AppError } from '../../src/errors/app-error.ts';
import type { AppContext } from '../app-context.ts';
import { assignTasks } from './assign-tasks.ts';
import { billingFhir, requireBilling } from './billing-session.ts';

const DAY_MS = 86_400_000;

/** A read-model row as the page shows it: the API's WorkItem with its age today. */
function workItemOf(row: WorkItemRow, now: Date): WorkItem {
  return {
    taskId: row.taskId,
    kind: row.kind,
    ...(row.claimId ? { claimId: row.claimId } : {}),
    ...(row.encounterId ? { encounterId: row.encounterId } : {}),
    patient: row.patient,
    ...(row.payer ? { payer: row.payer } : {}),
    ...(row.serviceDate ? { serviceDate: row.serviceDate } : {}),
    amountAtStake: row.amountAtStake,
    reason: row.reason,
    codes: row.codes,
    createdAt: row.createdAt,
    ageDays: Math.max(0, Math.floor((now.getTime() - Date.parse(row.createdAt)) / DAY_MS)),
    ...(row.deadline ? { deadline: row.deadline } : {}),
    ...(row.assignee ? { assignee: row.assignee } : {}),
  };
}

/**
 * The work queue (issue 17, item 2) and the claim list behind the charts, both from the read
 * model: filter, sort, search and paginate on the server; assign writes Task.owner in FHIR.
 */
export function billingQueueRoutes(app: FastifyInstance, ctx: AppContext): void {
  const store = () => ctx.billingReadModel.store;

  app.get('/api/billing/queue', async (req): Promise<QueuePage> => {
    const user = await requireBilling(req, ctx, 'queue.read');
    const q = queueQuery.parse(req.query);
    const now = ctx.now();
    const assignee = q.assignee === 'me' ? user.reference : q.assignee;
    const result = await store().queue({ ...q, ...(assignee ? { assignee } : {}) }, now);
    return {
      items: result.items.map((row) => workItemOf(row, now)),
      total: result.total,
      page: q.page,
      pageSize: q.pageSize,
      totalAtStake: result.totalAtStake,
    };
  });

  app.post('/api/billing/queue/assign', async (req) => {
    const user = await requireBilling(req, ctx, 'queue.assign');
    const body = assignRequest.parse(req.body);
    const fhir = await billingFhir(user.session, ctx);
    const assigned = await assignTasks({ req, ctx, user, fhir }, body);
    req.log.info(
      { tasks: body.taskIds.length, assigned, unassign: body.assignee === null },
      'work items assigned',
    );
    return { assigned };
  });

  app.get('/api/billing/claims', async (req): Promise<ClaimListPage> => {
    await requireBilling(req, ctx, 'claim.read');
    const q = claimListQuery.parse(req.query);
    const filter: ClaimFilter = {
      ...(q.carc ? { carc: q.carc.toUpperCase() } : {}),
      ...(q.payer ? { payer: q.payer } : {}),
      ...(q.cpt ? { cpt: q.cpt } : {}),
      ...(q.provider ? { provider: q.provider } : {}),
      ...(q.state ? { state: q.state } : {}),
      ...(q.month ? { month: q.month } : {}),
      ...(q.deniedFirstPass === 'true' ? { deniedFirstPass: true } : {}),
      // Aged as the chart ages them: today, by the server's clock.
      ...(q.aging ? { aging: { bucket: q.aging, now: ctx.now() } } : {}),
    };
    if (Object.keys(filter).length === 0)
      throw new AppError(
        'INPUT_INVALID',
        'Say which claims to list (carc, payer, cpt, provider, state, month or aging).',
      );
    const rows = (await store().claims(filter)).sort(
      (a, b) => b.denied - a.denied || b.billed - a.billed || a.claimId.localeCompare(b.claimId),
    );
    const start = (q.page - 1) * q.pageSize;
    const round = (n: number) => Math.round(n * 100) / 100;
    return {
      items: rows.slice(start, start + q.pageSize).map((c) => ({
        claimId: c.claimId,
        patient: c.patient,
        payer: c.payer,
        serviceDate: c.serviceDate,
        ...(c.provider ? { provider: c.provider } : {}),
        cpts: c.cpts,
        billed: c.billed,
        paid: c.paid,
        denied: c.denied,
        balance: balanceOf(c),
        state: c.state,
        reasons: c.denials.map((d) => ({
          system: 'CARC' as const,
          code: `${d.group}-${d.carc}`,
          display: carcText(d.carc),
        })),
      })),
      total: rows.length,
      page: q.page,
      pageSize: q.pageSize,
      totalBilled: round(rows.reduce((s, c) => s + c.billed, 0)),
      totalDenied: round(rows.reduce((s, c) => s + c.denied, 0)),
      totalBalance: round(rows.reduce((s, c) => s + balanceOf(c), 0)),
    };
  });
}
