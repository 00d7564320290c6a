import type { Claim, Provenance, Subscription } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxStack, type SandboxStack } from '../../cli/sandbox-stack.ts';
import {
  sandboxEhrProfile,
  type SandboxEhrProfile,
  type SandboxEhrProfileName,
} from '../../sandbox/ehr-profiles.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { startWorker } from '../../worker/runtime/start-worker.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { seedCodedEncounters } from './seed-encounters.ts';

const logger = createLogger('silent', 'subscriptions-test');
let stack: SandboxStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** A schedule that never comes in a test's lifetime: every tick is a notified one or the test's. */
const NEVER = '0 0 0 1 1 *';

/** The messages logged at warn and above by the stack started last. */
let warnings: string[] = [];

async function start(profile: SandboxEhrProfileName | SandboxEhrProfile): Promise<SandboxStack> {
  warnings = [];
  const seen = warnings;
  return startSandboxStack({
    host: '127.0.0.1',
    ports: { app: 0, ehr: 0, payer: 0, worker: 0 },
    logger: createLogger('warn', 'subscriptions-test', {
      write: (line: string) => {
        seen.push(String((JSON.parse(line) as { msg?: unknown }).msg));
      },
    }),
    codes: starterCodeSet(),
    workerSchedule: NEVER,
    startWorker: true,
    history: false,
    profile: typeof profile === 'string' ? sandboxEhrProfile(profile) : profile,
  });
}

/** Another worker with the stack's settings (its own health port), as after a restart: its Subscriptions. */
async function restartedWorker(s: SandboxStack): Promise<string[]> {
  const running = await startWorker({ ...s.workerConfig, port: 0 }, logger, {
    codes: starterCodeSet(),
    ledger: createMemoryLedger(),
    schedule: false,
  });
  await running.close();
  return running.subscriptions.ids;
}

/** The admin's view of a server: any system interaction. */
async function admin(server: SandboxStack['ehr']): Promise<FhirGateway> {
  const token = await server.issueSystemToken('system/*.cruds');
  return createFhirGateway({ baseUrl: server.fhirBase, getToken: () => Promise.resolve(token) });
}

async function metric(s: SandboxStack, name: string): Promise<number> {
  const text = await (await fetch(`${s.healthUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

/** Waits until the encounter's claim is on the server (the event), giving up after a minute. */
async function claimOf(fhir: FhirGateway, encounter: string): Promise<Claim> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [claim] = (
      await fhir.searchAll('Claim', { identifier: `${SYSTEM.claimId}|enc-${encounter}` })
    ).filter((r): r is Claim => r.resourceType === 'Claim');
    if (claim) return claim;
    if (Date.now() > deadline) throw new Error(`no claim for Encounter/${encounter}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('FHIR Subscriptions', { timeout: 180_000 }, () => {
  it('claims an encounter finished while the worker idles, woken by the EHR, not by its schedule', async () => {
    stack = await start('strict');
    const fhir = await admin(stack.ehr);
    expect(stack.subscriptions.state).toBe('active');
    const subscriptions = (await fhir.searchAll('Subscription', {})).filter(
      (r): r is Subscription => r.resourceType === 'Subscription',
    );
    expect(subscriptions.map((s) => s.criteria).sort()).toEqual([
      'ChargeItem?',
      'Claim?status=draft',
      'Condition?',
      'Coverage?',
      'Encounter?status=finished',
    ]);
    for (const s of subscriptions) {
      expect(s.status).toBe('active');
      expect(s.channel.endpoint).toBe(stack.workerConfig.notifyUrl);
      expect(s.channel.payload).toBeUndefined();
    }
    // The backlog is done and a tick finds nothing: the worker is idle. Its schedule never fires
    // (NEVER), and the test polls no more: only the EHR's notification can start the next tick.
    // (Whether a poll() now would be backed off depends on how long these ticks took: not asserted.)
    await stack.worker.tick();
    expect((await stack.worker.tick()).seen).toBe(0);
    const notifiedBefore = await metric(stack, 'chartbill_worker_notified_ticks_total');

    const [encounter = ''] = await seedCodedEncounters(fhir, 1, 'notified');
    const claim = await claimOf(fhir, encounter);
    expect(claim.status).toBe('active');
    // The schedule never came: only a notified tick can have found it.
    expect(await metric(stack, 'chartbill_worker_notified_ticks_total')).toBeGreaterThan(
      notifiedBefore,
    );
  });

  it('writes its Subscriptions with Provenance, and makes them active again when the EHR turned them off', async () => {
    stack = await start('strict');
    const fhir = await admin(stack.ehr);
    const mine = async () =>
      (await fhir.searchAll('Subscription', {})).filter(
        (r): r is Subscription => r.resourceType === 'Subscription',
      );
    // Traceable like every worker write: a Provenance by the worker Device for each version.
    const provenanceOf = async (s: Subscription) =>
      (await fhir.searchAll('Provenance', {}))
        .filter((r): r is Provenance => r.resourceType === 'Provenance')
        .filter((p) =>
          p.target.some(
            (t) => t.reference === `Subscription/${s.id ?? ''}/_history/${s.meta?.versionId ?? ''}`,
          ),
        );
    for (const s of await mine()) {
      const [provenance] = await provenanceOf(s);
      expect(provenance?.agent[0]?.who).toMatchObject({
        type: 'Device',
        display: 'ChartBill worker',
      });
    }
    await stack.worker.tick();

    // The EHR switches them off (an admin, or its own delivery errors): no notification comes.
    for (const s of await mine()) await fhir.update<Subscription>({ ...s, status: 'off' });
    // Polling still finds new work, which no notification announced: the worker checks and
    // makes them active again (each change with its Provenance), saying so once in the log.
    for (let n = 0; n < 5 && (await mine()).some((s) => s.status !== 'active'); n++) {
      await seedCodedEncounters(fhir, 1, `unannounced-${String(n)}`);
      await stack.worker.tick();
    }
    const again = await mine();
    expect(again.map((s) => s.status)).toEqual(again.map(() => 'active'));
    for (const s of again) {
      const [provenance] = await provenanceOf(s);
      expect(provenance?.agent[0]?.who).toMatchObject({
        type: 'Device',
        display: 'ChartBill worker',
      });
    }
    expect(warnings.filter((w) => /Subscriptions were off/.test(w))).toHaveLength(1);

    // And they notify again: a finished encounter wakes the worker.
    const notifiedBefore = await metric(stack, 'chartbill_worker_notified_ticks_total');
    const [encounter = ''] = await seedCodedEncounters(fhir, 1, 'renotified');
    expect((await claimOf(fhir, encounter)).status).toBe('active');
    expect(await metric(stack, 'chartbill_worker_notified_ticks_total')).toBeGreaterThan(
      notifiedBefore,
    );
  });

  it('keeps its Subscriptions across a restart instead of adding more', async () => {
    stack = await start('strict');
    const fhir = await admin(stack.ehr);
    const first = stack.subscriptions.ids.slice().sort();
    // A second worker with the same settings is what a restart is: it finds them and reuses them.
    const again = await restartedWorker(stack);
    expect(again.slice().sort()).toEqual(first);
    const all = await fhir.searchAll('Subscription', {});
    expect(all).toHaveLength(first.length);
  });

  it('refuses a notification without the secret, and it wakes nothing', async () => {
    stack = await start('strict');
    const url = stack.workerConfig.notifyUrl ?? '';
    const before = await metric(stack, 'chartbill_worker_notified_ticks_total');
    const forged = await fetch(url, { method: 'POST' });
    expect(forged.status).toBe(401);
    const wrong = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-secret', 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Encounter', id: 'forged', status: 'finished' }),
    });
    expect(wrong.status).toBe(401);
    expect(await metric(stack, 'chartbill_worker_notified_ticks_total')).toBe(before);
    const text = await (await fetch(`${stack.healthUrl}/metrics`)).text();
    expect(text).toContain('chartbill_worker_notifications_total{outcome="refused"} 2');
  });

  it('subscribes to nothing on a server without Subscriptions, and polling still claims', async () => {
    // The strict server without Subscription in its CapabilityStatement (nor an endpoint for it).
    stack = await start({ ...sandboxEhrProfile('strict'), absentTypes: ['Subscription'] });
    expect(stack.subscriptions.state).toBe('unavailable');
    const fhir = await admin(stack.ehr);
    await expect(fhir.searchAll('Subscription', {})).rejects.toThrow(/Subscription/);
    await stack.worker.tick();
    const [encounter = ''] = await seedCodedEncounters(fhir, 1, 'polled');
    expect(await metric(stack, 'chartbill_worker_notified_ticks_total')).toBe(0);
    expect((await stack.worker.tick()).seen).toBe(1);
    expect((await claimOf(fhir, encounter)).status).toBe('active');
  });

  it('does not subscribe on the profiles whose real servers have no Subscriptions', async () => {
    for (const name of ['epic-like', 'oracle-like'] as const) {
      const caps = (await (
        await fetch(`${(stack = await start(name)).fhirBase}/metadata`)
      ).json()) as {
        rest: { resource: { type: string }[] }[];
      };
      expect(caps.rest[0]?.resource.map((r) => r.type)).not.toContain('Subscription');
      expect(stack.subscriptions.state).toBe('unavailable');
      await stack.close();
      stack = undefined;
    }
  });
});
