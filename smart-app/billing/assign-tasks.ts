import type { Practitioner, Task } from 'fhir/r4';
import type { FastifyRequest } from 'fastify';
import type { AssignRequest } from '../../src/billing-office/billing-api.ts';
import type { WorkItemRow } from '../../src/billing-office/read-model.ts';
import { rolesFor } from '../../src/billing-office/roles.ts';
import { AppError, isAppError } from '../../src/errors/app-error.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import type { AppContext } from '../app-context.ts';
import { membershipsOf, type BillingUser } from './billing-session.ts';

export interface AssignContext {
  req: FastifyRequest;
  ctx: AppContext;
  user: BillingUser;
  /** The user's audited gateway: each Task write gets its Provenance and AuditEvent. */
  fhir: FhirGateway;
}

const REFERENCE = /^Practitioner\/[A-Za-z0-9\-.]{1,64}$/;
const IN_FLIGHT = 4;

/** The person to assign to, checked: a Practitioner that exists and has a billing role. */
async function assigneeOf(
  a: AssignContext,
  wanted: string | null,
): Promise<{ reference: string; name: string } | null> {
  if (wanted === null) return null;
  const reference = wanted === 'me' ? a.user.reference : wanted;
  if (reference === a.user.reference) return { reference, name: a.user.name };
  if (!REFERENCE.test(reference))
    throw new AppError(
      'INPUT_INVALID',
      `"${reference.slice(0, 80)}" is not a person to assign to (Practitioner/…).`,
    );
  const person = await a.fhir
    .read<Practitioner>('Practitioner', reference.slice('Practitioner/'.length))
    .catch(() => undefined);
  const map = a.ctx.config.billing?.roles ?? new Map();
  const roles = person
    ? rolesFor(map, reference, await membershipsOf(a.req, a.fhir, map, reference))
    : [];
  if (!person || roles.length === 0)
    throw new AppError(
      'INPUT_INVALID',
      `${reference} is not a member of the billing office, so work cannot be assigned to them.`,
      { hint: 'Choose someone with a coder, biller or manager role.' },
    );
  const n = person.name?.[0];
  const name = n?.text ?? ([n?.given?.join(' '), n?.family].filter(Boolean).join(' ') || reference);
  return { reference, name };
}

/**
 * Sets (or clears) Task.owner on each work item, in FHIR with If-Match (a Task changed meanwhile
 * is read again once), audited like the app's other writes; a Task already so assigned is not
 * written again (idempotent). The read model's row follows at once. Returns how many items now
 * have that owner.
 */
export async function assignTasks(a: AssignContext, body: AssignRequest): Promise<number> {
  const ids = [...new Set(body.taskIds)];
  const rows = await a.ctx.billingReadModel.store.workItems(ids);
  const unknown = ids.filter((id) => !rows.some((r) => r.taskId === id));
  if (unknown.length > 0)
    throw new AppError(
      'INPUT_INVALID',
      `${String(unknown.length)} of the work items are not in the queue (${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ', …' : ''}).`,
      { hint: 'Reload the queue: they may have been closed meanwhile.' },
    );
  const assignee = await assigneeOf(a, body.assignee);
  let done = 0;
  const queue = [...rows];
  const lane = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      await assignOne(a, row, assignee);
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, queue.length) }, lane));
  return done;
}

async function assignOne(
  a: AssignContext,
  row: WorkItemRow,
  assignee: { reference: string; name: string } | null,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const task = await a.fhir.read<Task>('Task', row.taskId);
    if ((task.owner?.reference ?? null) === (assignee?.reference ?? null)) break;
    const next: Task = { ...task, lastModified: a.ctx.now().toISOString() };
    if (assignee) next.owner = { reference: assignee.reference, display: assignee.name };
    else delete next.owner;
    const versionId = task.meta?.versionId;
    try {
      await a.fhir.update(next, versionId ? { ifMatchVersion: versionId } : {});
      break;
    } catch (err) {
      // Someone else changed the Task between the read and the write: read it again, once.
      if (attempt >= 2 || !isAppError(err, 'FHIR_CONFLICT')) throw err;
    }
  }
  const next: WorkItemRow = { ...row };
  if (assignee) next.assignee = assignee;
  else delete next.assignee;
  await a.ctx.billingReadModel.store.upsertWorkItems([next]);
}
