import type {
  Claim,
  ClaimResponse,
  FhirResource,
  Organization,
  Patient,
  PaymentReconciliation,
  Practitioner,
  Task,
} from 'fhir/r4';
import type { TimelyFilingConfig } from '../edits/timely-filing.ts';
import { errorMessage } from '../errors/error-message.ts';
import type { FhirGateway } from '../fhir/fhir-gateway.ts';
import { payerIdOfCoverage } from '../edits/payer-edit-set.ts';
import { SYSTEM } from '../fhir/systems.ts';
import type { Logger } from '../log/create-logger.ts';
import { claimRowFrom, paymentRowsFrom, workItemRowFrom, type Named } from './read-model-facts.ts';
import type { ClaimRow, PaymentRow, ReadModelStore, WorkItemRow } from './read-model.ts';

/** What the app and the worker hold of the read model: the store and how to bring it up to date. */
export interface BillingReadModel {
  store: ReadModelStore;
  /**
   * Reads FHIR changed since the last mark (Claim, ClaimResponse, Task, PaymentReconciliation by
   * `_lastUpdated`) into the rows: the worker's writes and everyone else's (the app's actions).
   * Never two at once: a call while one runs gets that one. Answers with the Tasks it read (the
   * worker notes the appeals among them, worker/pipeline/stages/follow-appeals.ts).
   */
  sync(): Promise<SyncResult>;
  /**
   * Re-reads one claim's facts (its Claim, answers and work items) into the rows, with `fhir`
   * (the caller's gateway, e.g. the signed-in user's) or the model's own. The app calls it after
   * each action, so the queue shows the change at once rather than at the worker's next poll.
   */
  refreshClaim(claimId: string, fhir?: FhirGateway): Promise<ClaimRow | undefined>;
  close(): Promise<void>;
}

/** What one sync did: claims and work items brought up to date, and the Tasks it read. */
export interface SyncResult {
  claims: number;
  workItems: number;
  tasks: readonly Task[];
}

export interface ReadModelDeps {
  store: ReadModelStore;
  /** Where the claims, answers and work items are (the worker's billing gateway); none: refreshClaim needs one. */
  fhir?: FhirGateway;
  /** Where patients, practitioners and payers are read for their names (the EHR); `fhir` by default. */
  people?: FhirGateway;
  logger: Logger;
  now?: () => Date;
  /**
   * CHARTBILL_TIMELY_FILING as the scrubber reads it (EditReference.timelyFiling): the queue's
   * timely filing deadlines use the same per-payer windows; 365 days when absent, as there.
   */
  timelyFiling?: TimelyFilingConfig;
}

const TYPES = ['Claim', 'ClaimResponse', 'Task', 'PaymentReconciliation'] as const;
type Polled = {
  Claim: Claim[];
  ClaimResponse: ClaimResponse[];
  Task: Task[];
  PaymentReconciliation: PaymentReconciliation[];
};
const NAMES_KEPT = 20_000;

const idOf = (reference: string | undefined, type: string): string | undefined =>
  reference?.startsWith(`${type}/`) ? reference.slice(type.length + 1).split('/')[0] : undefined;

function encounterOfClaim(claim: Claim): string | undefined {
  const value = claim.identifier?.find((i) => i.system === SYSTEM.claimId)?.value;
  return /^enc-(.+?)(?:-r\d+)?$/.exec(value ?? '')?.[1];
}

function personName(resource: Patient | Practitioner | undefined): string | undefined {
  const n = resource?.name?.[0];
  return n?.text ?? ([n?.given?.join(' '), n?.family].filter(Boolean).join(' ') || undefined);
}

/** The read model kept from FHIR (issue 17, item 7), shared by the worker (sync) and the app (refreshClaim). */
export function createBillingReadModel(deps: ReadModelDeps): BillingReadModel {
  const now = deps.now ?? (() => new Date());
  const names = new Map<string, { name: string; payerId?: string }>();
  let running: Promise<SyncResult> | undefined;

  /** A person's or payer's name (and a payer's payer id: its timely filing window), kept. */
  async function nameOf(
    given: FhirGateway,
    reference: string | undefined,
  ): Promise<Named & { payerId?: string }> {
    const fhir = deps.people ?? given;
    const ref = reference ?? 'Patient/unknown';
    const known = names.get(ref);
    if (known) return { reference: ref, ...known };
    const [type = '', id = ''] = ref.split('/');
    let found: { name: string; payerId?: string } | undefined;
    try {
      const resource = await fhir.read<Patient | Practitioner | Organization>(
        type as 'Patient',
        id,
      );
      const name = resource.resourceType === 'Organization' ? resource.name : personName(resource);
      const payerId =
        resource.resourceType === 'Organization'
          ? payerIdOfCoverage(undefined, resource)
          : undefined;
      if (name) found = { name, ...(payerId ? { payerId } : {}) };
    } catch {
      found = undefined;
    }
    if (names.size >= NAMES_KEPT) names.delete(names.keys().next().value ?? '');
    if (found) names.set(ref, found);
    return { reference: ref, ...(found ?? { name: ref }) };
  }

  async function rowsOf(
    fhir: FhirGateway,
    claim: Claim & { id: string },
    responses: ClaimResponse[],
    tasks: Array<Task & { id: string }>,
  ): Promise<{ claim: ClaimRow; payments: PaymentRow[]; items: WorkItemRow[] }> {
    const insurer = claim.insurer?.reference;
    const providerRef = claim.careTeam?.[0]?.provider.reference;
    const [patient, payer, provider] = await Promise.all([
      nameOf(fhir, claim.patient.reference),
      nameOf(fhir, insurer ?? 'Organization/unknown'),
      providerRef ? nameOf(fhir, providerRef) : undefined,
    ]);
    const facts = {
      claim,
      responses,
      payments: [],
      tasks,
      patient: named(patient),
      payer: { id: idOf(insurer, 'Organization') ?? 'unknown', name: payer.name },
      ...(provider ? { provider: named(provider) } : {}),
      now: now(),
    };
    const row = claimRowFrom(facts);
    // The payer id the scrubber picks the window by: the claim's insurer identifier, else the
    // payer Organization's (payer-edit-set.ts payerIdOfCoverage, as the app and worker do).
    const payerId = claim.insurer?.identifier?.value ?? payer.payerId;
    const filing = {
      ...(deps.timelyFiling ? { timelyFiling: deps.timelyFiling } : {}),
      ...(payerId ? { payerId } : {}),
    };
    const items: WorkItemRow[] = [];
    for (const task of tasks) {
      const assignee = task.owner?.reference ? await nameOf(fhir, task.owner.reference) : undefined;
      const item = workItemRowFrom(
        task,
        row,
        { patient: named(patient), ...(assignee ? { assignee: named(assignee) } : {}) },
        filing,
      );
      if (item) items.push(item);
    }
    return { claim: row, payments: paymentRowsFrom(facts, row), items };
  }

  async function refreshClaim(claimId: string, given?: FhirGateway): Promise<ClaimRow | undefined> {
    const fhir = given ?? deps.fhir;
    if (!fhir) throw new Error('refreshClaim needs a FHIR gateway');
    const claim = (await fhir.read<Claim>('Claim', claimId)) as Claim & { id: string };
    const responses = (await fhir.searchAll('ClaimResponse', {
      request: `Claim/${claimId}`,
    })) as ClaimResponse[];
    const encounter = encounterOfClaim(claim);
    const focuses = [`Claim/${claimId}`, ...responses.map((r) => `ClaimResponse/${r.id ?? ''}`)];
    const found = await Promise.all([
      ...(encounter ? [fhir.searchAll('Task', { encounter: `Encounter/${encounter}` })] : []),
      fhir.searchAll('Task', { focus: focuses.join(',') }),
    ]);
    const tasks = uniqueTasks(found.flat() as Task[]);
    const rows = await rowsOf(fhir, claim, responses, tasks);
    await deps.store.upsertClaims([rows.claim]);
    await deps.store.upsertPayments(rows.payments);
    await deps.store.upsertWorkItems(rows.items);
    return rows.claim;
  }

  async function poll(
    fhir: FhirGateway,
  ): Promise<{ polled: Polled; marks: Record<string, string> }> {
    const polled: Polled = { Claim: [], ClaimResponse: [], Task: [], PaymentReconciliation: [] };
    const marks: Record<string, string> = {};
    for (const type of TYPES) {
      const mark = await deps.store.getMark(type);
      const params: Record<string, string | number> = { _count: 200, _sort: '_lastUpdated' };
      if (mark) params._lastUpdated = `ge${mark}`;
      try {
        for await (const page of fhir.searchPages(type, params))
          for (const e of page.entry ?? []) {
            const r = e.resource as FhirResource | undefined;
            if (r?.resourceType !== type || !r.id) continue;
            (polled[type] as FhirResource[]).push(r);
            const at = r.meta?.lastUpdated;
            if (at && (!marks[type] || at > marks[type])) marks[type] = at;
          }
      } catch (err) {
        // A server that refuses one type (no scope for payments) still gets the others synced.
        deps.logger.warn({ type, err: errorMessage(err) }, 'billing read model: search failed');
      }
    }
    return { polled, marks };
  }

  async function syncOnce(): Promise<SyncResult> {
    const fhir = deps.fhir;
    if (!fhir) return { claims: 0, workItems: 0, tasks: [] };
    const { polled, marks } = await poll(fhir);
    const claimIds = new Set(polled.Claim.map((c) => c.id ?? ''));
    const responseClaim = new Map<string, string>();
    for (const r of polled.ClaimResponse) {
      const id = idOf(r.request?.reference, 'Claim');
      if (id) responseClaim.set(r.id ?? '', id);
      if (id) claimIds.add(id);
    }
    const loose: Array<Task & { id: string }> = [];
    for (const task of polled.Task as Array<Task & { id: string }>) {
      const claimId = await claimOfTask(fhir, task, responseClaim);
      if (claimId) claimIds.add(claimId);
      else loose.push(task);
    }
    const first = !(await deps.store.getMark('Claim'));
    if (first) await bulkLoad(fhir, polled, claimIds);
    else
      for (const id of claimIds)
        await refreshClaim(id, fhir).catch((err: unknown) => {
          deps.logger.warn(
            { claim: `Claim/${id}`, err: errorMessage(err) },
            'billing read model: claim not refreshed',
          );
        });
    await upsertLoose(fhir, loose);
    await upsertPayments(polled.PaymentReconciliation);
    for (const [type, value] of Object.entries(marks)) await deps.store.setMark(type, value);
    return { claims: claimIds.size, workItems: polled.Task.length, tasks: polled.Task };
  }

  async function claimOfTask(fhir: FhirGateway, task: Task, responseClaim: Map<string, string>) {
    const focus = task.focus?.reference;
    const claim = idOf(focus, 'Claim');
    if (claim) return claim;
    const response = idOf(focus, 'ClaimResponse');
    if (response) {
      const known = responseClaim.get(response);
      if (known) return known;
      const read = await fhir.read<ClaimResponse>('ClaimResponse', response).catch(() => undefined);
      const id = idOf(read?.request?.reference, 'Claim');
      if (id) responseClaim.set(response, id);
      return id;
    }
    const encounter = idOf(task.encounter?.reference ?? focus, 'Encounter');
    if (!encounter) return undefined;
    const found = await fhir
      .searchAll('Claim', { identifier: `${SYSTEM.claimId}|enc-${encounter}` }, 5)
      .catch(() => []);
    return found[0]?.id;
  }

  /** The first sync reads everything once and joins in memory (no search per claim). */
  async function bulkLoad(fhir: FhirGateway, polled: Polled, claimIds: Set<string>) {
    const claims = new Map(polled.Claim.map((c) => [c.id ?? '', c as Claim & { id: string }]));
    const responses = new Map<string, ClaimResponse[]>();
    for (const r of polled.ClaimResponse) {
      const id = idOf(r.request?.reference, 'Claim') ?? '';
      responses.set(id, [...(responses.get(id) ?? []), r]);
    }
    const tasksOf = new Map<string, Array<Task & { id: string }>>();
    const add = (key: string, task: Task) =>
      tasksOf.set(key, [...(tasksOf.get(key) ?? []), task as Task & { id: string }]);
    for (const t of polled.Task) {
      if (t.focus?.reference) add(t.focus.reference, t);
      if (t.encounter?.reference && t.encounter.reference !== t.focus?.reference)
        add(t.encounter.reference, t);
    }
    const claimRows: ClaimRow[] = [];
    const paymentRows: PaymentRow[] = [];
    const itemRows: WorkItemRow[] = [];
    for (const id of claimIds) {
      const claim = claims.get(id);
      if (!claim) continue;
      const mine = responses.get(id) ?? [];
      const encounter = encounterOfClaim(claim);
      const tasks = uniqueTasks([
        ...(tasksOf.get(`Claim/${id}`) ?? []),
        ...mine.flatMap((r) => tasksOf.get(`ClaimResponse/${r.id ?? ''}`) ?? []),
        ...(encounter ? (tasksOf.get(`Encounter/${encounter}`) ?? []) : []),
      ]);
      const rows = await rowsOf(fhir, claim, mine, tasks);
      claimRows.push(rows.claim);
      paymentRows.push(...rows.payments);
      itemRows.push(...rows.items);
    }
    await deps.store.upsertClaims(claimRows);
    await deps.store.upsertPayments(paymentRows);
    await deps.store.upsertWorkItems(itemRows);
  }

  /** Work items with no claim (not coded, no coverage): the patient and the reason. */
  async function upsertLoose(fhir: FhirGateway, tasks: Array<Task & { id: string }>) {
    const rows: WorkItemRow[] = [];
    for (const task of tasks) {
      const patient = await nameOf(fhir, task.for?.reference);
      const assignee = task.owner?.reference ? await nameOf(fhir, task.owner.reference) : undefined;
      const row = workItemRowFrom(task, undefined, {
        patient: named(patient),
        ...(assignee ? { assignee: named(assignee) } : {}),
      });
      if (row) rows.push(row);
    }
    await deps.store.upsertWorkItems(rows);
  }

  async function upsertPayments(payments: PaymentReconciliation[]) {
    const rows: PaymentRow[] = [];
    for (const p of payments)
      (p.detail ?? []).forEach((d, i) => {
        const claimId = idOf(d.request?.reference, 'Claim');
        if (!claimId || !d.amount?.value) return;
        rows.push({
          paymentId: `PaymentReconciliation/${p.id ?? '?'}#${String(i)}`,
          claimId,
          payerId: idOf(p.paymentIssuer?.reference, 'Organization') ?? 'unknown',
          date: (d.date ?? p.paymentDate).slice(0, 10),
          amount: d.amount.value,
        });
      });
    await deps.store.upsertPayments(rows);
  }

  return {
    store: deps.store,
    sync() {
      running ??= syncOnce().finally(() => {
        running = undefined;
      });
      return running;
    },
    refreshClaim,
    close: () => deps.store.close(),
  };
}

/** A name as a row keeps it: reference and name only. */
function named(n: Named): Named {
  return { reference: n.reference, name: n.name };
}

function uniqueTasks(tasks: Task[]): Array<Task & { id: string }> {
  const byId = new Map<string, Task & { id: string }>();
  for (const t of tasks) if (t.id) byId.set(t.id, t as Task & { id: string });
  return [...byId.values()];
}
