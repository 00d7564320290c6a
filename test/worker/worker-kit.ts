import { createServer } from 'node:net';
import type {
  Appointment,
  ChargeItem,
  Claim,
  Condition,
  Coverage,
  Encounter,
  FhirResource,
  Location,
  Resource,
  Task,
} from 'fhir/r4';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import type { EditReference } from '../../src/edits/edit-reference.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { EXT, SYSTEM } from '../../src/fhir/systems.ts';
import { createLogger, type Logger } from '../../src/log/create-logger.ts';
import type { CapabilitiesSource } from '../../src/fhir/server-capabilities.ts';
import { createFhirPayerAdapter } from '../../src/payer/fhir-payer-adapter.ts';
import {
  startSandboxPayer,
  type SandboxPayer,
  type SandboxPayerOptions,
} from '../../sandbox/payer-server.ts';
import {
  startSandboxEhr,
  type SandboxEhr,
  type SandboxEhrOptions,
} from '../../sandbox/start-sandbox-ehr.ts';
import type { Worker, WorkerDeps } from '../../worker/runtime/build-worker.ts';
import type { Ledger } from '../../worker/ledger/ledger.ts';
import { testWorker } from './test-worker.ts';
import { createMemoryLedger } from '../../worker/ledger/memory-ledger.ts';

export const logger = createLogger('silent', 'worker-test');

export interface World {
  ehr: SandboxEhr;
  payer: SandboxPayer;
  fhir: FhirGateway;
  close(): Promise<void>;
}

/** A seeded sandbox EHR and a sandbox payer on port 0, and a system-scoped gateway to the EHR. */
export async function startWorld(
  payerOptions: Partial<SandboxPayerOptions> = {},
  ehrOptions: Pick<SandboxEhrOptions, 'profile'> = {},
): Promise<World> {
  const ehr = await startSandboxEhr({ port: 0, logger, clients: [], ...ehrOptions });
  const payer = await startSandboxPayer({ port: 0, logger, ...payerOptions });
  const token = await ehr.issueSystemToken('system/*.cruds');
  const fhir = createFhirGateway({
    baseUrl: ehr.fhirBase,
    getToken: () => Promise.resolve(token),
    retry: { attempts: 2, baseDelayMs: 10 },
  });
  return {
    ehr,
    payer,
    fhir,
    close: async () => {
      await Promise.all([ehr.close(), payer.close()]);
    },
  };
}

export interface WorkerOptions {
  ledger?: Ledger;
  payerBase?: string;
  now?: () => Date;
  workerId?: string;
  leaseMs?: number;
  pollMs?: number;
  eligibilityReuseMs?: number;
  /** Reference data for the scrub and the answer (e.g. the payers' contracts, `expected`). */
  editReference?: EditReference;
  /** What the EHR declares, instead of its `/metadata`. */
  capabilities?: CapabilitiesSource;
  /** Collects the worker's log lines (JSON) at info level and above, instead of a silent log. */
  logLines?: string[];
  /** The billing office's read model, synced after each tick (its Tasks feed the appeal follow-up). */
  readModel?: WorkerDeps['readModel'];
  /** Other `CHARTBILL_WORKER_*` settings, as production reads them. */
  settings?: Record<string, string>;
}

export function workerFor(world: World, options: WorkerOptions = {}): Worker {
  const seconds = (ms: number) => String(ms / 1000);
  return testWorker(
    {
      // Production's settings, but one encounter at a time, three attempts, no eligibility reuse.
      CHARTBILL_WORKER_MAX_ATTEMPTS: '3',
      CHARTBILL_WORKER_CONCURRENCY: '1',
      CHARTBILL_WORKER_ELIGIBILITY_REUSE_MINUTES: String(
        (options.eligibilityReuseMs ?? 0) / MINUTE,
      ),
      ...(options.workerId ? { CHARTBILL_WORKER_ID: options.workerId } : {}),
      ...(options.leaseMs ? { CHARTBILL_WORKER_LEASE_SECONDS: seconds(options.leaseMs) } : {}),
      ...(options.pollMs ? { CHARTBILL_WORKER_POLL_MINUTES: String(options.pollMs / MINUTE) } : {}),
      ...options.settings,
    },
    {
      clinical: world.fhir,
      billing: world.fhir,
      payer: createFhirPayerAdapter({
        baseUrl: options.payerBase ?? world.payer.fhirBase,
        timeoutMs: 5000,
        retry: { attempts: 2, baseDelayMs: 10 },
      }),
      codes: starterCodeSet(),
      ledger: options.ledger ?? createMemoryLedger(),
      logger: options.logLines ? collectingLogger(options.logLines) : logger,
      ...(options.capabilities ? { capabilities: options.capabilities } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.editReference ? { editReference: options.editReference } : {}),
      ...(options.readModel ? { readModel: options.readModel } : {}),
    },
  );
}

/** A logger whose lines (JSON, info and above) land in `lines`. */
export function collectingLogger(lines: string[]): Logger {
  return createLogger('info', 'worker-test', {
    write(line: string) {
      lines.push(line);
    },
  });
}

export async function all<T extends FhirResource>(
  fhir: FhirGateway,
  type: T['resourceType'],
  params: Record<string, string> = {},
): Promise<T[]> {
  const found = await fhir.searchAll(type, { _count: '200', ...params });
  return found.filter((r): r is T => r.resourceType === type);
}

/** Billing staff fix a lapsed Coverage: its end date is removed (pat-19 and pat-20 are seeded lapsed). */
export async function renewCoverage(fhir: FhirGateway, patient: string): Promise<void> {
  const [coverage] = await all<Coverage>(fhir, 'Coverage', { beneficiary: patient });
  if (!coverage?.period) throw new Error(`seed: ${patient} has no lapsed coverage`);
  await fhir.update<Coverage>({
    ...coverage,
    period: { start: coverage.period.start ?? '2020-01-01' },
  });
}

export async function claimsOf(fhir: FhirGateway, encounterId: string): Promise<Claim[]> {
  return all<Claim>(fhir, 'Claim', { identifier: `${SYSTEM.claimId}|enc-${encounterId}` });
}

export async function tasksOf(fhir: FhirGateway, encounterId: string): Promise<Task[]> {
  return all<Task>(fhir, 'Task', { encounter: `Encounter/${encounterId}` });
}

/** Counts of everything the worker writes, to prove a rerun writes nothing new. */
export async function writeCounts(fhir: FhirGateway): Promise<Record<string, number>> {
  const types = [
    'Claim',
    'ClaimResponse',
    'Task',
    'CoverageEligibilityRequest',
    'CoverageEligibilityResponse',
  ] as const;
  const counts = await Promise.all(
    types.map(async (t) => [t, (await all(fhir, t)).length] as const),
  );
  return Object.fromEntries(counts);
}

/**
 * A finished encounter for a covered patient whose one charge is CPT 99999, which is not a code
 * (the scrubber must stop the claim).
 */
export async function addEncounterWithUnknownCode(fhir: FhirGateway): Promise<string> {
  const start = new Date(Date.now() - 2 * 86_400_000).toISOString();
  const patient = 'Patient/pat-13';
  const { resource: encounter } = await fhir.create<Encounter>({
    resourceType: 'Encounter',
    status: 'finished',
    class: { system: SYSTEM.actCode, code: 'AMB' },
    subject: { reference: patient },
    period: { start, end: start },
    participant: [{ individual: { reference: 'Practitioner/pr-1' } }],
    serviceProvider: { reference: 'Organization/org-billing' },
  });
  await codeEncounter(fhir, {
    patient,
    encounter: encounter.id ?? '',
    start,
    diagnosis: 'J06.9',
    service: '99999',
  });
  return encounter.id ?? '';
}

/**
 * Codes a finished encounter as a clinician would: one encounter-diagnosis Condition (rank 1)
 * and one billable ChargeItem pointing at it.
 */
export async function codeEncounter(
  fhir: FhirGateway,
  visit: { patient: string; encounter: string; start: string; diagnosis: string; service: string },
): Promise<void> {
  const encounterRef = `Encounter/${visit.encounter}`;
  const { resource: condition } = await fhir.create<Condition>({
    resourceType: 'Condition',
    subject: { reference: visit.patient },
    encounter: { reference: encounterRef },
    category: [{ coding: [{ system: SYSTEM.conditionCategory, code: 'encounter-diagnosis' }] }],
    extension: [{ url: EXT.diagnosisRank, valuePositiveInt: 1 }],
    code: { coding: [{ system: SYSTEM.icd10cm, code: visit.diagnosis }] },
  });
  await fhir.create<ChargeItem>({
    resourceType: 'ChargeItem',
    status: 'billable',
    subject: { reference: visit.patient },
    context: { reference: encounterRef },
    code: { coding: [{ system: SYSTEM.cpt, code: visit.service }] },
    quantity: { value: 1 },
    occurrenceDateTime: visit.start,
    extension: [
      {
        url: EXT.diagnosisPointer,
        valueReference: { reference: `Condition/${condition.id ?? ''}` },
      },
    ],
  });
}

export function idOf(resource: Resource): string {
  return resource.id ?? '';
}

/** A local URL nothing listens on: bind port 0, note the port, close it. */
export async function deadUrl(path = '/fhir'): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 1}${path}`;
}

/** A clock the test moves forward; starts at the real time, as the sandbox's data is relative to it. */
export function testClock(): { now: () => Date; advance(ms: number): void } {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => {
      offset += ms;
    },
  };
}

export const MINUTE = 60_000;

/** A visit booked at the practice's location, starting in `minutes`. */
export async function bookVisit(
  fhir: FhirGateway,
  patient: string,
  minutes: number,
): Promise<Appointment & { id: string }> {
  const { resource: location } = await fhir.create<Location>({
    resourceType: 'Location',
    status: 'active',
    name: 'Main office',
    managingOrganization: { reference: 'Organization/org-billing' },
  });
  const start = new Date(Date.now() + minutes * MINUTE);
  const { resource } = await fhir.create<Appointment>({
    resourceType: 'Appointment',
    status: 'booked',
    start: start.toISOString(),
    end: new Date(start.getTime() + 20 * MINUTE).toISOString(),
    participant: [
      { actor: { reference: patient }, status: 'accepted' },
      { actor: { reference: 'Practitioner/pr-1' }, status: 'accepted' },
      { actor: { reference: `Location/${idOf(location)}` }, status: 'accepted' },
    ],
  });
  return { ...resource, id: idOf(resource) };
}
