import type { Coverage, Encounter, Organization } from 'fhir/r4';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import type {
  BatchTransport,
  RealTimeTransport,
} from '../../src/x12/transport/clearinghouse-transport.ts';
import { memoryX12Submissions, type X12SubmissionStore } from '../../src/x12/x12-submissions.ts';
import { parsePayerIds } from '../../src/payer/payer-ids.ts';
import { buildWorker, type Worker } from '../../worker/runtime/build-worker.ts';
import type { Ledger } from '../../worker/ledger/ledger.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';
import { testWorkerConfig } from '../worker/test-worker-config.ts';
import { logger, startWorld, testClock, type World } from '../worker/worker-kit.ts';
import {
  clearinghouseFolder,
  realTimeResponder,
  type ClearinghouseFolder,
  type RealTimeResponder,
} from './clearinghouse-kit.ts';
import { testX12Config } from './x12-fixtures.ts';

export const HOUR = 3_600_000;

/** The sandbox, a clearinghouse folder and real-time server, and a payer reached through them. */
export interface X12World {
  world: World;
  folder: ClearinghouseFolder;
  realTime: RealTimeResponder;
  clock: ReturnType<typeof testClock>;
  /** Encounters whose patient's Coverage names the X12 payer (payer id X12HP). */
  x12Encounters: string[];
  worker(options?: {
    ledger?: Ledger;
    batch?: BatchTransport;
    submissions?: X12SubmissionStore;
    /** Worker settings besides the kit's (e.g. CHARTBILL_WORKER_RECHECK_MINUTES). */
    settings?: Record<string, string>;
    /** CHARTBILL_X12_* settings besides the test ones (an admin's changed interchange ids). */
    x12Settings?: Record<string, string>;
    /** 270/276 in real time (the sandbox clearinghouse's CORE endpoint); the kit's responder by default. */
    realTime?: RealTimeTransport;
  }): Worker;
  close(): Promise<void>;
}

/**
 * The seeded sandbox with `Organization` "Clearinghouse Health Plan" (payer id X12HP) as the
 * payor of the patients of `x12Encounters`; the billing organization gets the ZIP+4 an 837P's
 * 2010AA needs (the FHIR side of that is another helper's). Others keep the FHIR sandbox payer.
 */
export async function startX12World(x12Encounters: string[] = ['enc-clean-1']): Promise<X12World> {
  const world = await startWorld();
  const folder = await clearinghouseFolder();
  const realTime = await realTimeResponder();
  const clock = testClock();
  const billing = await world.fhir.read<Organization>('Organization', 'org-billing');
  const address = billing.address?.[0];
  if (address) address.postalCode = '627041234';
  await world.fhir.update(billing);
  const { resource: payer } = await world.fhir.create<Organization>({
    resourceType: 'Organization',
    active: true,
    name: 'Clearinghouse Health Plan',
    identifier: [{ system: SYSTEM.payerId, value: 'X12HP' }],
  });
  for (const id of x12Encounters) {
    const encounter = await world.fhir.read<Encounter>('Encounter', id);
    const patient = encounter.subject?.reference?.split('/')[1] ?? '';
    const coverage = await world.fhir.read<Coverage>('Coverage', `cov-${patient}`);
    coverage.payor = [
      { reference: `Organization/${payer.id ?? ''}`, display: 'Clearinghouse Health Plan' },
    ];
    await world.fhir.update(coverage);
  }
  const submissions = memoryX12Submissions();
  const sharedLedger = createMemoryLedger();
  return {
    world,
    folder,
    realTime,
    clock,
    x12Encounters,
    worker: (options = {}) =>
      buildWorker(
        testWorkerConfig({
          CHARTBILL_WORKER_MAX_ATTEMPTS: '3',
          CHARTBILL_WORKER_CONCURRENCY: '1',
          CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: '0',
          ...options.settings,
        }),
        {
          clinical: world.fhir,
          billing: world.fhir,
          payer: createFhirPayerAdapter({
            baseUrl: world.payer.fhirBase,
            timeoutMs: 5000,
            retry: { attempts: 2, baseDelayMs: 10 },
          }),
          codes: starterCodeSet(),
          ledger: options.ledger ?? sharedLedger,
          logger,
          now: clock.now,
          x12: {
            config: testX12Config(options.x12Settings),
            batch: options.batch ?? folder.transport,
            realTime: options.realTime ?? realTime.transport,
            submissions: options.submissions ?? submissions,
            payerIds: parsePayerIds('X12HP'),
            inboundEveryMs: 0,
            statusAfterMs: 24 * HOUR,
          },
        },
      ),
    async close() {
      await Promise.all([world.close(), folder.close(), realTime.close()]);
    },
  };
}
