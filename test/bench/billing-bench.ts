import { computeAnalytics, defaultPeriod } from '../../src/billing-office/analytics.ts';
import { createMemoryReadModel } from '../../src/billing-office/memory-read-model.ts';
import { openPostgresReadModel } from '../../src/billing-office/postgres-read-model.ts';
import type { WorkItemKind } from '../../src/billing-office/billing-api.ts';
import type { ClaimRow, ReadModelStore, WorkItemRow } from '../../src/billing-office/read-model.ts';
import { percentile, round, type Bench, type Report } from './bench-types.ts';

const CLAIMS = 10_000;
const OPEN_TASKS = 2_000;
const RUNS = 30;
const GOALS = { queue: 300, analytics: 500 };
const NOW = new Date('2026-12-05T12:00:00Z');
const DAY_MS = 86_400_000;
const PAYERS = ['org-a', 'org-b', 'org-c', 'org-d'];
const CARCS = ['27', '16', '97', '50', '96', '29', '18'];
const KINDS: WorkItemKind[] = [
  'claim-denied',
  'claim-scrub-errors',
  'claim-no-answer',
  'x12-unmatched',
];

/** A deterministic book of claims and open work (the bench's own; the sandbox seed is smaller). */
function book(): { claims: ClaimRow[]; items: WorkItemRow[] } {
  const claims: ClaimRow[] = [];
  for (let i = 0; i < CLAIMS; i++) {
    const dos = NOW.getTime() - ((i * 7919) % 180) * DAY_MS - DAY_MS;
    const denied = i % 9 === 0;
    const billed = 50 + ((i * 37) % 400);
    const payer = PAYERS[i % 4] ?? 'org-a';
    claims.push({
      claimId: `c${String(i)}`,
      patient: { reference: `Patient/p${String(i % 3000)}`, name: `Patient ${String(i % 3000)}` },
      payer: { id: payer, name: payer },
      serviceDate: new Date(dos).toISOString().slice(0, 10),
      createdAt: new Date(dos + (i % 6) * DAY_MS).toISOString(),
      provider: { reference: `Practitioner/pr-${String(i % 12)}`, name: `Dr ${String(i % 12)}` },
      cpts: [`992${String(10 + (i % 6))}`],
      billed,
      allowed: denied ? 0 : billed * 0.7,
      paid: denied ? 0 : billed * 0.65,
      patientResponsibility: denied ? 0 : billed * 0.05,
      adjusted: denied ? 0 : billed * 0.3,
      denied: denied ? billed : 0,
      denials: denied ? [{ group: 'CO', carc: CARCS[i % 7] ?? '97', amount: billed }] : [],
      state: denied ? 'denied' : 'paid',
      submittedAt: new Date(dos + DAY_MS).toISOString(),
      answeredAt: new Date(dos + 15 * DAY_MS).toISOString(),
      firstPass: !denied,
      clean: i % 20 !== 0,
      ...(denied ? {} : { paidAt: new Date(dos + 18 * DAY_MS).toISOString() }),
      frequency: '1',
      version: 0,
      updatedAt: NOW.toISOString(),
    });
  }
  const items: WorkItemRow[] = claims.slice(0, OPEN_TASKS + 500).map((c, i) => ({
    taskId: `t${String(i)}`,
    kind: KINDS[i % 4] ?? 'claim-denied',
    status: i < OPEN_TASKS ? 'open' : 'closed',
    claimId: c.claimId,
    patient: c.patient,
    payer: c.payer,
    serviceDate: c.serviceDate,
    amountAtStake: c.billed,
    reason: 'Denied: bundled; correct and resubmit',
    codes: [{ system: 'CARC', code: `CO-${CARCS[i % 7] ?? '97'}`, display: 'reason' }],
    createdAt: c.createdAt,
    deadline: {
      date: new Date(Date.parse(c.createdAt) + 90 * DAY_MS).toISOString().slice(0, 10),
      kind: 'appeal',
    },
  }));
  return { claims, items };
}

async function measure(label: string, store: ReadModelStore, report: Report): Promise<void> {
  const { claims, items } = book();
  await store.upsertClaims(claims);
  await store.upsertWorkItems(items);
  const queue: number[] = [];
  const analytics: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    const page = await store.queue({ sort: 'amount', order: 'desc', page: 1, pageSize: 50 }, NOW);
    queue.push(performance.now() - t);
    if (page.total !== OPEN_TASKS) throw new Error(`queue total ${String(page.total)}`);
    t = performance.now();
    computeAnalytics(await store.claims(), defaultPeriod(NOW), NOW);
    analytics.push(performance.now() - t);
  }
  const q = round(percentile(queue, 95), 1);
  const a = round(percentile(analytics, 95), 1);
  report(
    `billing_queue_p95_ms_${label}`,
    q,
    `ms (goal < ${String(GOALS.queue)}; ${String(round(q / GOALS.queue, 2))}× the goal)`,
  );
  report(
    `billing_analytics_p95_ms_${label}`,
    a,
    `ms (goal < ${String(GOALS.analytics)}; ${String(round(a / GOALS.analytics, 2))}× the goal)`,
  );
}

/**
 * `npm run bench -- billing` (issue 17): 10,000 claims and 2,000 open work items in the read
 * model, in memory and in PostgreSQL (127.0.0.1:5432, db `test`, a schema of its own): the
 * queue's first page by amount at stake and the whole analytics, p95 of 30 runs each, read from
 * the store as the routes do.
 */
export const billingBench: Bench = {
  name: 'billing',
  async run(report) {
    const memory = await createMemoryReadModel();
    await measure('memory', memory, report);
    await memory.close();
    const schema = `bench_billing_${String(process.pid)}`;
    const url = 'postgres://postgres@127.0.0.1:5432/test';
    const pg = await openPostgresReadModel({ url, schema });
    try {
      await measure('postgres', pg, report);
    } finally {
      await pg.close();
      const { default: pgLib } = await import('pg');
      const client = new pgLib.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  },
};
