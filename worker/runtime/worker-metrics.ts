import { getHeapSpaceStatistics } from 'node:v8';
import type { TickSummary } from '../tick/run-tick.ts';

export interface WorkerStatus {
  /** ISO instant the last tick finished (successfully or not). */
  lastTickAt?: string;
  lastTickMs?: number;
  /** The last tick's error message, when it failed as a whole (e.g. the EHR was down). */
  lastTickError?: string;
  ticks: number;
  running: boolean;
}

export interface WorkerMetrics {
  /** The running tick's summary, counted live (a long tick shows its progress). */
  trackTick(summary: TickSummary): void;
  /** A finished tick, with the backlog after it and how many of those items were given up. */
  recordTick(summary: TickSummary, backlog: number, at: Date, gaveUp?: number): void;
  recordTickError(message: string, at: Date): void;
  setRunning(running: boolean): void;
  /** One HTTP request retried (FHIR server or payer). */
  countHttpRetry(): void;
  /** A Subscription notification taken (it wakes the worker) or refused (no secret). */
  countNotification(outcome: 'accepted' | 'refused'): void;
  /** A tick started because a notification came, not by the schedule. */
  countNotifiedTick(): void;
  /**
   * One exchange with a FHIR server (`ehr`, or `clinical` and `billing`) or the payer (`payer`,
   * interaction the operation, e.g. `$submit`): by resource type, interaction and status (`none`
   * when no answer came).
   */
  countRequest(
    server: string,
    resource: string,
    interaction: string,
    status: number | undefined,
  ): void;
  /** Where `/metrics` reads the encounters in flight now and their ceiling. */
  watchConcurrency(source: { current(): number; readonly ceiling: number }): void;
  status(): WorkerStatus;
  /** Prometheus text exposition format 0.0.4. */
  render(): string;
}

const COUNTERS = [
  ['encounters_seen', 'seen', 'Finished encounters the worker looked at.'],
  ['claims_submitted', 'submitted', 'Claims submitted to the payer.'],
  ['claims_paid', 'paid', 'Claims the payer paid, in whole or in part.'],
  ['claims_denied', 'denied', 'Claims the payer denied, in whole or in part.'],
  ['items_held', 'held', 'Encounters held for billing staff (not coded, coverage, scrub errors).'],
  ['items_failed', 'failed', 'Encounters that failed with an error and will be retried.'],
  ['retries', 'retries', 'Encounters tried again after a failure.'],
] as const;

/** Counters and gauges of the worker, kept in memory and exposed at `/metrics`. */
export function createWorkerMetrics(): WorkerMetrics {
  const totals: Record<string, number> = Object.fromEntries(COUNTERS.map(([name]) => [name, 0]));
  let tickSeconds = 0;
  let tickErrors = 0;
  let backlogNow = 0;
  let gaveUpNow = 0;
  let httpRetries = 0;
  const notifications = { accepted: 0, refused: 0 };
  let notifiedTicks = 0;
  const requests = new Map<string, number>();
  let concurrency: { current(): number; readonly ceiling: number } | undefined;
  const state: WorkerStatus = { ticks: 0, running: false };
  let live: TickSummary | undefined;
  const settle = (summary: TickSummary | undefined) => {
    if (summary)
      for (const [name, key] of COUNTERS) totals[name] = (totals[name] ?? 0) + summary[key];
    live = undefined;
  };
  return {
    trackTick(summary) {
      live = summary;
    },
    recordTick(summary, backlog, at, gaveUp = 0) {
      settle(summary);
      tickSeconds += summary.ms / 1000;
      backlogNow = backlog;
      gaveUpNow = gaveUp;
      state.ticks += 1;
      state.lastTickAt = at.toISOString();
      state.lastTickMs = summary.ms;
      delete state.lastTickError;
    },
    recordTickError(message, at) {
      // What the failed tick did before it failed still happened: counters never go back.
      settle(live);
      tickErrors += 1;
      state.ticks += 1;
      state.lastTickAt = at.toISOString();
      state.lastTickError = message;
    },
    setRunning(running) {
      state.running = running;
    },
    countHttpRetry() {
      httpRetries += 1;
    },
    countNotification(outcome) {
      notifications[outcome] += 1;
    },
    countNotifiedTick() {
      notifiedTicks += 1;
    },
    countRequest(server, resource, interaction, status) {
      // Label values are our own names and numbers (no URLs, ids or text): nothing to escape.
      const key = `server="${server}",resource="${resource}",interaction="${interaction}",status="${status === undefined ? 'none' : String(status)}"`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
    },
    watchConcurrency(source) {
      concurrency = source;
    },
    status: () => ({ ...state }),
    render() {
      const lines: string[] = [];
      const metric = (name: string, type: string, help: string, value: number, suffix = '') => {
        lines.push(
          `# HELP chartbill_worker_${name} ${help}`,
          `# TYPE chartbill_worker_${name} ${type}`,
          `chartbill_worker_${name}${suffix} ${value}`,
        );
      };
      for (const [name, key, help] of COUNTERS)
        metric(`${name}_total`, 'counter', help, (totals[name] ?? 0) + (live?.[key] ?? 0));
      metric('tick_errors_total', 'counter', 'Ticks that failed as a whole.', tickErrors);
      metric(
        'http_retries_total',
        'counter',
        'HTTP requests to the FHIR servers or the payer retried after a timeout, reset, 429 or 5xx.',
        httpRetries,
      );
      lines.push(
        '# HELP chartbill_worker_notifications_total FHIR Subscription notifications, by outcome (refused: without the secret).',
        '# TYPE chartbill_worker_notifications_total counter',
        ...(['accepted', 'refused'] as const).map(
          (o) => `chartbill_worker_notifications_total{outcome="${o}"} ${String(notifications[o])}`,
        ),
      );
      metric(
        'notified_ticks_total',
        'counter',
        'Ticks started at once because a notification came (the others follow the schedule).',
        notifiedTicks,
      );
      lines.push(
        '# HELP chartbill_worker_fhir_requests_total Requests to the FHIR servers and the payer, by server, resource type, interaction and status.',
        '# TYPE chartbill_worker_fhir_requests_total counter',
        ...[...requests].map(
          ([labels, n]) => `chartbill_worker_fhir_requests_total{${labels}} ${String(n)}`,
        ),
      );
      if (concurrency) {
        metric(
          'concurrency',
          'gauge',
          'Encounters the worker keeps in flight now, found by adaptive concurrency (AIMD).',
          concurrency.current(),
        );
        metric(
          'concurrency_ceiling',
          'gauge',
          'The most encounters in flight (CHARTBILL_WORKER_CONCURRENCY).',
          concurrency.ceiling,
        );
      }
      lines.push(
        '# HELP chartbill_worker_tick_duration_seconds Time spent in ticks.',
        '# TYPE chartbill_worker_tick_duration_seconds summary',
      );
      lines.push(
        `chartbill_worker_tick_duration_seconds_sum ${tickSeconds}`,
        `chartbill_worker_tick_duration_seconds_count ${state.ticks - tickErrors}`,
      );
      metric(
        'backlog',
        'gauge',
        'Encounters waiting: held, failed and retrying, given up, or queued at the payer.',
        backlogNow,
      );
      metric(
        'gave_up',
        'gauge',
        'Encounters that ran out of retries (a Task says why); tried again after a long wait or with chartbill worker retry.',
        gaveUpNow,
      );
      metric(
        'last_tick_timestamp_seconds',
        'gauge',
        'When the last tick finished (Unix time).',
        state.lastTickAt ? Date.parse(state.lastTickAt) / 1000 : 0,
      );
      const memory = process.memoryUsage();
      lines.push(
        '# HELP process_resident_memory_bytes Resident memory size in bytes.',
        '# TYPE process_resident_memory_bytes gauge',
        `process_resident_memory_bytes ${String(memory.rss)}`,
      );
      lines.push(
        '# HELP nodejs_heap_size_used_bytes V8 heap in use, in bytes.',
        '# TYPE nodejs_heap_size_used_bytes gauge',
        `nodejs_heap_size_used_bytes ${String(memory.heapUsed)}`,
      );
      lines.push(
        '# HELP nodejs_heap_size_total_bytes V8 heap reserved, in bytes.',
        '# TYPE nodejs_heap_size_total_bytes gauge',
        `nodejs_heap_size_total_bytes ${String(memory.heapTotal)}`,
      );
      lines.push(
        '# HELP nodejs_external_memory_bytes Memory of C++ objects bound to JavaScript (buffers included), in bytes.',
        '# TYPE nodejs_external_memory_bytes gauge',
        `nodejs_external_memory_bytes ${String(memory.external)}`,
      );
      const spaces = getHeapSpaceStatistics().map((space) => ({
        ...space,
        label: `{space="${space.space_name.replace(/_space$/, '')}"}`,
      }));
      lines.push(
        '# HELP nodejs_heap_space_size_total_bytes V8 heap reserved per space, in bytes.',
        '# TYPE nodejs_heap_space_size_total_bytes gauge',
      );
      lines.push(
        ...spaces.map(
          (space) => `nodejs_heap_space_size_total_bytes${space.label} ${String(space.space_size)}`,
        ),
      );
      lines.push(
        '# HELP nodejs_heap_space_size_used_bytes V8 heap in use per space, in bytes.',
        '# TYPE nodejs_heap_space_size_used_bytes gauge',
      );
      lines.push(
        ...spaces.map(
          (space) =>
            `nodejs_heap_space_size_used_bytes${space.label} ${String(space.space_used_size)}`,
        ),
      );
      return `${lines.join('\n')}\n`;
    },
  };
}
