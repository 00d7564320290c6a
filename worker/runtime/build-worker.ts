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
  type CapabilitiesSource,
} from '../../src/fhir/server-capabilities.ts';
import { fixedConcurrency, type AdaptiveConcurrency } from '../tick/adaptive-concurrency.ts';
import { createIdleBackoff } from './idle-backoff.ts';
import { workerAudit } from './worker-audit.ts';
import type { WorkerConfig } from './worker-config.ts';
import { createWorkerMetrics, type WorkerMetrics } from './worker-metrics.ts';
import { errorMessage } from '../../src/errors/error-message.ts';

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
      | 'eligibilityReuseMs'
      | 'concurrency'
      | 'gaveUpRetryMs'
      | 'shutdownMs'
      | 'auditStore'
      | 'idleMaxMs'
      | 'practiceTimeZone'
    >
  >;

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
    store: config.auditStore ?? 'ehr',
    workerId: owner,
    logger: deps.logger,
    now,
  });

  async function runOnce(): Promise<TickSummary> {
    metrics.setRunning(true);
    try {
      // A ledger that cannot record outcomes (a full disk) gets no new work: the tick fails and says why.
      await deps.ledger.ensureWritable?.();
      const summary = await runTick({
        clinical: audit.clinical,
        billing: audit.billing,
        payer: deps.payer,
        codes: deps.codes,
        ledger: deps.ledger,
        logger: deps.logger,
        now,
        chargeMaster:
          deps.chargeMaster ?? deps.editReference?.chargeMaster ?? PRACTICE_CHARGE_MASTER,
        placeOfService: deps.placeOfService ?? DEFAULT_PLACE_OF_SERVICE,
        ...(config.practiceTimeZone ? { practiceTimeZone: config.practiceTimeZone } : {}),
        recheckMs: config.recheckMs,
        maxAttempts: config.maxAttempts,
        owner,
        leaseMs: config.leaseMs ?? 120_000,
        retryBaseMs: config.retryBaseMs ?? 30_000,
        signal: stopping.signal,
        halt: halting.signal,
        ...(config.gaveUpRetryMs ? { gaveUpRetryMs: config.gaveUpRetryMs } : {}),
        ...(config.pollMs ? { pollMs: config.pollMs } : {}),
        eligibility,
        capabilities: await capabilities.get(),
        concurrency: adaptive.ceiling,
        adaptive,
        onStart: (summary) => {
          metrics.trackTick(summary);
        },
        ...(deps.editReference ? { editReference: deps.editReference } : {}),
      });
      idle.polled(summary.seen > 0 || summary.failed > 0);
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
    if (running || !idle.due()) return undefined;
    return tick();
  }

  return {
    tick,
    poll,
    wake: () => idle.wake(),
    notified,
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
