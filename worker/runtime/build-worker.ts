import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import { PRACTICE_CHARGE_MASTER, type FeeSchedule } from '../../src/claims/fee-schedule.ts';
import type { CodeSet } from '../../src/codes/code-set.ts';
import type { EditReference } from '../../src/edits/edit-reference.ts';
import { DEFAULT_PLACE_OF_SERVICE } from '../../src/edits/place-of-service.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import type { Logger } from '../../src/log/create-logger.ts';
import type { PayerAdapter } from '../../src/payer/payer-adapter.ts';
import { createEligibilityCache } from '../pipeline/eligibility-cache.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { runTick, type TickSummary } from '../tick/run-tick.ts';
import { capabilityAwareGateway } from '../../src/fhir/capability-aware-gateway.ts';
import {
  createCapabilitiesSource,
  supports,
  type CapabilitiesSource,
  type ServerCapabilities,
} from '../../src/fhir/server-capabilities.ts';
import { fixedConcurrency, type AdaptiveConcurrency } from '../tick/adaptive-concurrency.ts';
import { createIdleBackoff } from './idle-backoff.ts';
import type { SubscriptionState } from './fhir-subscriptions.ts';
import { subscriptionWatch, type SubscriptionKeeper } from './subscription-watch.ts';
import { workerAudit } from './worker-audit.ts';
import type { WorkerConfig } from './worker-config.ts';
import { createWorkerMetrics, type WorkerMetrics } from './worker-metrics.ts';
import { errorMessage } from '../../src/errors/error-message.ts';
import { BILLING_STORE_TYPES, routedGateway } from '../../src/fhir/routed-gateway.ts';
import type { PayerId } from '../../src/payer/payer-ids.ts';
import { routedPayerAdapter } from '../../src/payer/routed-payer-adapter.ts';
import { createX12PayerAdapter } from '../../src/payer/x12-payer-adapter.ts';
import type {
  BatchTransport,
  RealTimeTransport,
} from '../../src/x12/transport/clearinghouse-transport.ts';
import type { X12Config } from '../../src/x12/x12-config.ts';
import { createInterchangeGuard, type InterchangeGuard } from '../../src/x12/interchange-guard.ts';
import type { X12SubmissionStore } from '../../src/x12/x12-submissions.ts';
import { HELD_RETRY_MS, matchKnownClaims, readInbound } from '../pipeline/stages/read-inbound.ts';
import { followAppeals, noteAppeals } from '../pipeline/stages/follow-appeals.ts';
import type { Task } from 'fhir/r4';

export interface WorkerDeps {
  /** Where encounters, charges, diagnoses, patients and coverage are read. */
  clinical: FhirGateway;
  /** Where Claim, ClaimResponse, eligibility and Task resources are written (may be `clinical`). */
  billing: FhirGateway;
  payer: PayerAdapter;
  codes: CodeSet;
  ledger: Ledger;
  logger: Logger;
  now?: () => Date;
  /** The practice's charge master; `PRACTICE_CHARGE_MASTER` by default. */
  chargeMaster?: FeeSchedule;
  /** NCCI tables and other reference data for the scrubber (see src/edits/edit-reference.ts). */
  editReference?: EditReference;
  /** Place of service for the claims; `11` (office) by default. */
  placeOfService?: string;
  /** Metrics to record into (e.g. shared with the gateways' retry counting); new ones by default. */
  metrics?: WorkerMetrics;
  /** The clinical server's CapabilityStatement; read from `clinical.baseUrl` and kept an hour by default. */
  capabilities?: CapabilitiesSource;
  /**
   * Encounters in flight, adapted to the server (fed by the gateways' `fhirObserver`); fixed at
   * `concurrency` when absent.
   */
  adaptive?: AdaptiveConcurrency;
  /** The idle backoff's clock (ms, monotonic); `performance.now` by default. */
  clock?: () => number;
  /**
   * The billing office's read model (issue 17): synced after each tick, by `_lastUpdated`, so
   * others' writes are picked up on the idle backoff's cadence (the app refreshes its own at once).
   */
  readModel?: { sync(): Promise<{ tasks?: readonly Task[] }> };
  /** An X12 clearinghouse beside `payer`, for the payers it lists (issue 15); none when absent. */
  x12?: WorkerX12;
  /** The worker's FHIR Subscriptions on the EHR (`CHARTBILL_WORKER_NOTIFY_URL`); none when absent. */
  subscriptions?: SubscriptionKeeper;
}

/** The X12 clearinghouse connection the worker composes with the FHIR payer. */
export interface WorkerX12 {
  config: X12Config;
  /** 837P out; 999, TA1, 277CA, 835 back. */
  batch: BatchTransport;
  /** 270/271 and 276/277 in real time. */
  realTime?: RealTimeTransport;
  /** Control numbers per claim, beside the ledger. */
  submissions: X12SubmissionStore;
  /** CHARTBILL_X12_PAYER_IDS: the payers whose claims go out as 837P files. */
  payerIds: readonly PayerId[];
  /** How often the inbound folder is read; 0 on every tick. */
  inboundEveryMs: number;
  /** A claim with no answer this long is asked about with a 276. */
  statusAfterMs: number;
  /** A claim whose interchange a TA1 rejected goes again once, after this wait (1 hour by default). */
  ta1RetryMs?: number;
}

export interface Worker {
  /** Runs one tick now. A call while a tick runs gets that tick's result instead of a second one. */
  tick(): Promise<TickSummary>;
  /**
   * What the schedule runs on each beat: a tick, unless the worker is idle and backing off
   * (then undefined). Also skipped while a tick runs.
   */
  poll(): Promise<TickSummary | undefined>;
  /** Ends the idle backoff: the next beat polls (a notification that something changed). */
  wake(): void;
  /**
   * A FHIR Subscription notification: ends the idle backoff and, while the schedule runs, ticks
   * at once (right after the running tick, if one runs). What the tick finds is what it polls.
   */
  notified(): void;
  /**
   * Makes the worker's FHIR Subscriptions what they should be, now, through its audited gateway
   * (Provenance for each write); undefined without `subscriptions`. The worker checks again on
   * its own (subscription-watch.ts).
   */
  checkSubscriptions(): Promise<SubscriptionState | undefined>;
  /** Starts the schedule. */
  start(): void;
  /**
   * Stops the schedule and waits for the running tick's lanes to finish the encounters in hand,
   * at most `graceMs` (`shutdownMs` from the settings; unbounded when absent). Past it, the
   * tick is halted: its leases are released, nothing more is recorded.
   */
  stop(graceMs?: number): Promise<void>;
  readonly metrics: WorkerMetrics;
}

export type WorkerSettings = Pick<WorkerConfig, 'schedule' | 'recheckMs' | 'maxAttempts'> &
  Partial<
    Pick<
      WorkerConfig,
      | 'workerId'
      | 'leaseMs'
      | 'retryBaseMs'
      | 'pollMs'
      | 'noAnswerMs'
      | 'appealPollMs'
      | 'eligibilityReuseMs'
      | 'eligibilityAheadMs'
      | 'recheckMaxMs'
      | 'concurrency'
      | 'gaveUpRetryMs'
      | 'shutdownMs'
      | 'auditStore'
      | 'idleMaxMs'
      | 'practiceTimeZone'
    >
  >;

/** Between two status inquiries about an appealed claim when the settings give none: a day. */
export const DEFAULT_APPEAL_POLL_MS = 24 * 3_600_000;

/** A worker name unique per process: host, pid and a random suffix. */
export function defaultWorkerId(): string {
  return `${hostname()}-${String(process.pid)}-${randomUUID().slice(0, 8)}`;
}

/**
 * The billing worker: on a node-cron schedule (no overlapping runs), one tick at a time turns
 * finished, coded encounters into submitted claims and records the payer's answers.
 */
export function buildWorker(config: WorkerSettings, deps: WorkerDeps): Worker {
  const now = deps.now ?? (() => new Date());
  const metrics = deps.metrics ?? createWorkerMetrics();
  let running: Promise<TickSummary> | undefined;
  let task: ScheduledTask | undefined;
  let stopping = new AbortController();
  let halting = new AbortController();
  const owner = config.workerId ?? defaultWorkerId();
  const adaptive = deps.adaptive ?? fixedConcurrency(config.concurrency ?? 1);
  metrics.watchConcurrency(adaptive);
  const idle = createIdleBackoff({
    maxMs: config.idleMaxMs ?? 0,
    now: deps.clock ?? (() => performance.now()),
  });
  const eligibility = createEligibilityCache(config.eligibilityReuseMs ?? 0, now);
  const capabilities =
    deps.capabilities ??
    createCapabilitiesSource({
      baseUrl: deps.clinical.baseUrl,
      onError: (err) =>
        deps.logger.warn(
          { err: errorMessage(err) },
          "the EHR's CapabilityStatement could not be read; using plain searches only",
        ),
    });

  const billingCapabilities =
    deps.billing === deps.clinical
      ? capabilities
      : createCapabilitiesSource({ baseUrl: deps.billing.baseUrl });
  // Conditional create and batch only where each server declares them.
  const clinical = capabilityAwareGateway(deps.clinical, capabilities);
  const billing =
    deps.billing === deps.clinical
      ? clinical
      : capabilityAwareGateway(deps.billing, billingCapabilities);
  // Provenance and audit around every FHIR request; the stages are unchanged.
  const audit = workerAudit({
    clinical,
    billing,
    store: config.auditStore ?? 'auto',
    capabilities,
    workerId: owner,
    logger: deps.logger,
    now,
  });

  const subscriptions = deps.subscriptions
    ? subscriptionWatch({
        keeper: deps.subscriptions,
        clock: deps.clock ?? (() => performance.now()),
        logger: deps.logger.child({ part: 'subscriptions' }),
      })
    : undefined;

  const payer = composePayer(deps, audit, now);
  const appealPollMs = config.appealPollMs ?? DEFAULT_APPEAL_POLL_MS;
  const inbound = inboundReader(deps, audit.billing, now);

  async function runOnce(): Promise<TickSummary> {
    metrics.setRunning(true);
    try {
      // A ledger that cannot record outcomes (a full disk) gets no new work: the tick fails and says why.
      await deps.ledger.ensureWritable?.();
      await inbound();
      const summary = await runTick({
        clinical: audit.clinical,
        billing: audit.billing,
        payer,
        codes: deps.codes,
        ledger: deps.ledger,
        logger: deps.logger,
        now,
        chargeMaster:
          deps.chargeMaster ?? deps.editReference?.chargeMaster ?? PRACTICE_CHARGE_MASTER,
        placeOfService: deps.placeOfService ?? DEFAULT_PLACE_OF_SERVICE,
        ...(config.practiceTimeZone ? { practiceTimeZone: config.practiceTimeZone } : {}),
        recheckMs: config.recheckMs,
        ...(config.recheckMaxMs ? { recheckMaxMs: config.recheckMaxMs } : {}),
        ...(config.eligibilityAheadMs ? { eligibilityAheadMs: config.eligibilityAheadMs } : {}),
        maxAttempts: config.maxAttempts,
        owner,
        leaseMs: config.leaseMs ?? 120_000,
        retryBaseMs: config.retryBaseMs ?? 30_000,
        signal: stopping.signal,
        halt: halting.signal,
        ...(config.gaveUpRetryMs ? { gaveUpRetryMs: config.gaveUpRetryMs } : {}),
        ...(config.pollMs ? { pollMs: config.pollMs } : {}),
        ...(config.noAnswerMs ? { noAnswerMs: config.noAnswerMs } : {}),
        eligibility,
        capabilities: sayIfNoAppointments(await capabilities.get()),
        concurrency: adaptive.ceiling,
        adaptive,
        onStart: (summary) => {
          metrics.trackTick(summary);
        },
        ...(deps.editReference ? { editReference: deps.editReference } : {}),
      });
      // Appealed claims whose inquiry is due (none noted: one ledger query, nothing asked).
      if (!stopping.signal.aborted)
        await followAppeals({
          ledger: deps.ledger,
          billing: audit.billing,
          payer,
          log: deps.logger.child({ part: 'appeals' }),
          now,
          pollMs: appealPollMs,
          owner,
          leaseMs: config.leaseMs ?? 120_000,
          ...(deps.x12 ? { x12PayerIds: deps.x12.payerIds } : {}),
        }).catch((err: unknown) => {
          deps.logger.warn({ err: errorMessage(err) }, 'appealed claims not followed this tick');
        });
      idle.polled(summary.seen > 0 || summary.failed > 0);
      await subscriptions?.afterTick(audit.clinical, summary);
      const backlog = await deps.ledger.countBacklog();
      const gaveUp = (await deps.ledger.listItems({ stages: ['gave-up'] })).length;
      metrics.recordTick(summary, backlog, now(), gaveUp);
      return summary;
    } catch (err) {
      idle.polled(true);
      metrics.recordTickError(errorMessage(err), now());
      throw err;
    } finally {
      await audit.flush();
      metrics.setRunning(false);
      await syncReadModel();
    }
  }

  let toldNoAppointments = false;
  /** An EHR without Appointment search: booked visits are not checked ahead; said once. */
  function sayIfNoAppointments(caps: ServerCapabilities): ServerCapabilities {
    if (toldNoAppointments || !config.eligibilityAheadMs) return caps;
    if (supports(caps, 'Appointment', 'search-type')) return caps;
    toldNoAppointments = true;
    deps.logger.info(
      {},
      "the EHR's CapabilityStatement declares no Appointment search: eligibility is checked when visits arrive, not when they are booked",
    );
    return caps;
  }

  /**
   * A read model that cannot sync says so in the log; the claims go out regardless. The appeals
   * among the Tasks it read are noted in the ledger, to be followed up (follow-appeals.ts).
   */
  async function syncReadModel(): Promise<void> {
    try {
      const synced = await deps.readModel?.sync();
      if (synced?.tasks?.length)
        await noteAppeals(synced.tasks, {
          ledger: deps.ledger,
          log: deps.logger,
          now,
          pollMs: appealPollMs,
        });
    } catch (err) {
      deps.logger.warn({ err: errorMessage(err) }, 'billing read model not synced');
    }
  }

  // A notification that came during a tick: that tick may have polled before the change.
  let notifiedDuringTick = false;

  function tick(): Promise<TickSummary> {
    if (stopping.signal.aborted && !running) {
      stopping = new AbortController();
      halting = new AbortController();
    }
    // Never two ticks at once, whoever asks: the schedule, a test or an admin command.
    running ??= runOnce().finally(() => {
      running = undefined;
      if (notifiedDuringTick) {
        notifiedDuringTick = false;
        notified();
      }
    });
    return running;
  }

  function notified(): void {
    subscriptions?.notified();
    idle.wake();
    if (!task) return;
    if (running) {
      notifiedDuringTick = true;
      return;
    }
    metrics.countNotifiedTick();
    tick().catch((err: unknown) => {
      deps.logger.error({ err: errorMessage(err) }, 'tick failed');
    });
  }

  async function poll(): Promise<TickSummary | undefined> {
    if (running) return undefined;
    // Not due: nothing is asked of the EHR, the read model included (it syncs after each tick,
    // and the app refreshes a claim itself after each action), so idle costs nothing (issue 13).
    if (!idle.due()) return undefined;
    return tick();
  }

  return {
    tick,
    poll,
    wake: () => idle.wake(),
    notified,
    async checkSubscriptions() {
      if (!subscriptions) return undefined;
      try {
        return await subscriptions.check(audit.clinical);
      } finally {
        await audit.flush();
      }
    },
    metrics,
    start() {
      if (task) return;
      task = cron.createTask(
        config.schedule,
        async () => {
          try {
            await poll();
          } catch (err) {
            deps.logger.error({ err: errorMessage(err) }, 'tick failed');
          }
        },
        { name: 'chartbill-worker' },
      );
      void task.start();
      deps.logger.info({ schedule: config.schedule }, 'worker started');
    },
    async stop(graceMs = config.shutdownMs) {
      const current = task;
      task = undefined;
      // The running tick finishes the encounters in hand, releases them and stops (SIGTERM).
      stopping.abort();
      if (current) await current.destroy();
      const tick = running?.catch(() => undefined);
      if (tick && graceMs !== undefined) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), graceMs);
        });
        const first = await Promise.race([tick, late]);
        clearTimeout(timer);
        // Past the grace period: the tick releases its leases and records nothing more.
        if (first === 'late') halting.abort();
      }
      await tick;
      await audit.close();
      deps.logger.info('worker stopped');
    },
  };
}

/**
 * The payer connections by payer id (issue 15, item 7): the X12 clearinghouse for the payers
 * CHARTBILL_X12_PAYER_IDS lists, FHIR `$submit` for the rest. One composition for production and
 * the sandbox; the X12 side reads the Claim from the billing store and the chart from the EHR,
 * through the audited gateways like every other worker write.
 */
function composePayer(
  deps: WorkerDeps,
  audit: { clinical: FhirGateway; billing: FhirGateway },
  now: () => Date,
): PayerAdapter {
  const x12 = deps.x12;
  if (!x12) return deps.payer;
  const fhir =
    audit.clinical === audit.billing
      ? audit.billing
      : routedGateway(audit.clinical, audit.billing, BILLING_STORE_TYPES);
  const clearinghouse = createX12PayerAdapter({
    config: x12.config,
    batch: x12.batch,
    ...(x12.realTime ? { realTime: x12.realTime } : {}),
    submissions: x12.submissions,
    payerIds: x12.payerIds,
    statusAfterMs: x12.statusAfterMs,
    fhir,
    now,
    guard: guardOf(x12, deps),
  });
  return routedPayerAdapter([clearinghouse, deps.payer]);
}

/** TA1 rejections in a row, kept in the ledger (shared by the workers): interchange-guard.ts. */
function guardOf(x12: WorkerX12, deps: WorkerDeps): InterchangeGuard {
  return createInterchangeGuard({
    cursors: deps.ledger,
    config: x12.config,
    transport: x12.batch.describe,
    ...(x12.ta1RetryMs !== undefined ? { retryMs: x12.ta1RetryMs } : {}),
  });
}

/**
 * The clearinghouse's inbound folder, read on its own cadence before a tick's encounters (its
 * answers are what the encounters' next passes record). A folder that cannot be listed (the
 * clearinghouse is down) is logged and tried on the next tick; the tick goes on.
 */
function inboundReader(
  deps: WorkerDeps,
  billing: FhirGateway,
  now: () => Date,
): () => Promise<void> {
  const x12 = deps.x12;
  if (!x12) return () => Promise.resolve();
  let lastRead: number | undefined;
  let lastMatch: number | undefined;
  const log = deps.logger.child({ part: 'x12-inbound' });
  return async () => {
    const at = now().getTime();
    if (lastRead !== undefined && at - lastRead < x12.inboundEveryMs) return;
    lastRead = at;
    try {
      // Unmatched ERA answers whose claim is known since: at start, then once a day.
      if (lastMatch === undefined || at - lastMatch >= HELD_RETRY_MS) {
        lastMatch = at;
        await matchKnownClaims({ billing, log, now });
      }
      await readInbound({
        transport: x12.batch,
        billing,
        ledger: deps.ledger,
        log,
        now,
        submissions: x12.submissions,
        guard: guardOf(x12, deps),
      });
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'the clearinghouse inbound folder could not be read');
    }
  };
}
