import type { AuditEvent, Bundle, Provenance } from 'fhir/r4';
import { isAppError } from '../errors/app-error.ts';
import type { FhirGateway } from '../fhir/fhir-gateway.ts';
import type { Logger } from '../log/create-logger.ts';
import { errorMessage } from '../errors/error-message.ts';

/** The records a sink keeps: AuditEvents, or (the worker's) Provenances. */
export type AuditRecord = AuditEvent | Provenance;

/** Where AuditEvents (or Provenances) go until they are stored: buffered, sent in batches, or logged. */
export interface AuditSink {
  /** Queues events; they are sent within `delayMs`, or at once when a batch is full. */
  record(events: readonly AuditRecord[]): void;
  /** Sends everything queued; events the server refuses go to the log. Never throws. */
  flush(): Promise<void>;
  /**
   * Sends the full batches queued and keeps a partial one for later (`flushBy: 'caller'`, when
   * `due()`): records made while a batch is in flight wait for the next full one, instead of
   * going out as a stream of small batches. Never throws.
   */
  flushFull(): Promise<void>;
  /** Flushes, then logs whatever the server could not take (it is down): nothing is lost. */
  close(): Promise<void>;
  /**
   * With `flushBy: 'caller'`: true when a batch is full and no flush is running or backing off,
   * so the caller should `await flush()` in its own turn.
   */
  due(): boolean;
}

export interface AuditSinkDeps {
  /** The FHIR server that keeps the AuditEvents; none: the log keeps them. */
  store: FhirGateway | undefined;
  logger: Logger;
  /** AuditEvents per batch Bundle. */
  batchSize?: number;
  /** How long an event waits for others to share its batch. */
  delayMs?: number;
  /** Events kept while the server is unreachable; older ones then go to the log. */
  maxPending?: number;
  /** Called each time the queue has been emptied (the app forgets a session's sink then). */
  onIdle?: () => void;
  /**
   * `timer` (default): the sink flushes by itself, `delayMs` after an event or at once when a
   * batch is full. `caller`: never by itself; the caller flushes when `due()` (the worker does, in
   * the lane of the encounter that filled the batch, so auditing never adds a request in flight).
   */
  flushBy?: 'timer' | 'caller';
  /** After a failed flush, how long `due()` stays false (the server is down: do not ask per request). */
  backoffMs?: number;
}

/** Statuses that mean "this server does not take AuditEvents (or batches) from us", not "try later". */
const REFUSED = new Set([400, 401, 403, 404, 405, 409, 412, 422, 501]);

/**
 * Buffers AuditEvents and writes them in `batch` Bundles, so auditing every read costs the
 * worker one request per batch rather than one per read. A server that refuses batches gets
 * single creates; one that refuses AuditEvent (403/404/405…) gets none, and the events go to the
 * log (references and codes only, no PHI) with a warning once. A server that is down keeps them
 * queued for the next flush, up to `maxPending`; past that, and at close, they are logged.
 */
export function createAuditSink(deps: AuditSinkDeps): AuditSink {
  const batchSize = deps.batchSize ?? 100;
  const delayMs = deps.delayMs ?? 1000;
  const maxPending = deps.maxPending ?? 20_000;
  const log = deps.logger;
  let mode: 'batch' | 'single' | 'log' = deps.store ? 'batch' : 'log';
  let queue: AuditRecord[] = [];
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let flushing = 0;
  let quietUntil = 0;
  const byTimer = (deps.flushBy ?? 'timer') === 'timer';

  function toLog(events: readonly AuditRecord[], why: string): void {
    for (const e of events) {
      if (e.resourceType === 'AuditEvent') log.info({ audit: auditSummary(e), why }, 'audit event');
      else log.info({ provenance: provenanceSummary(e), why }, 'provenance kept in the log');
    }
  }

  function refuse(status: number | undefined): void {
    if (mode === 'log') return;
    mode = 'log';
    log.warn(
      { server: deps.store?.baseUrl, status, type: queue[0]?.resourceType },
      'the FHIR server refuses these audit records; they go to the log',
    );
  }

  async function sendBatch(store: FhirGateway, chunk: AuditRecord[]): Promise<AuditRecord[]> {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: chunk.map((resource) => ({
        resource,
        request: { method: 'POST', url: resource.resourceType },
      })),
    };
    const answer = await store.batch(bundle);
    const retry: AuditRecord[] = [];
    const refused: AuditRecord[] = [];
    chunk.forEach((event, i) => {
      const status = Number(/^\d{3}/.exec(answer.entry?.[i]?.response?.status ?? '')?.[0] ?? 0);
      if (status >= 200 && status < 300) return;
      (status === 0 || status === 429 || status >= 500 ? retry : refused).push(event);
    });
    if (refused.length > 0) {
      if (refused.length === chunk.length)
        refuse(Number(/^\d{3}/.exec(answer.entry?.[0]?.response?.status ?? '')?.[0]));
      toLog(refused, 'refused by the server');
    }
    return retry;
  }

  async function sendSingly(store: FhirGateway, chunk: AuditRecord[]): Promise<AuditRecord[]> {
    for (const [i, event] of chunk.entries()) {
      if (mode === 'log') return (toLog(chunk.slice(i), 'refused by the server'), []);
      try {
        await store.create(event);
      } catch (err) {
        const status = isAppError(err) ? (err.upstreamStatus ?? err.status) : undefined;
        if (status === undefined || !REFUSED.has(status)) return chunk.slice(i);
        refuse(status);
        toLog([event], 'refused by the server');
      }
    }
    return [];
  }

  /** Sends one chunk; returns the events to try again later (the server did not answer). */
  async function send(store: FhirGateway, chunk: AuditRecord[]): Promise<AuditRecord[]> {
    if (mode === 'single') return sendSingly(store, chunk);
    try {
      return await sendBatch(store, chunk);
    } catch (err) {
      const status = isAppError(err) ? (err.upstreamStatus ?? err.status) : undefined;
      if (status === undefined || !REFUSED.has(status)) return chunk;
      // The server takes no batch (or none from us): try plain creates.
      mode = 'single';
      return sendSingly(store, chunk);
    }
  }

  /** Sends the queue in batches: all of it, or (`full`) only while a whole batch is queued. */
  async function drain(full = false): Promise<void> {
    while (queue.length > 0 && (!full || queue.length >= batchSize)) {
      const chunk = queue.slice(0, batchSize);
      queue = queue.slice(chunk.length);
      if (mode === 'log' || !deps.store) {
        toLog(chunk, 'no audit store');
        continue;
      }
      const again = await send(deps.store, chunk).catch(() => chunk);
      if (again.length > 0) {
        queue = [...again, ...queue];
        quietUntil = Date.now() + (deps.backoffMs ?? 30_000);
        overflow();
        schedule();
        return;
      }
    }
    if (queue.length === 0) deps.onIdle?.();
  }

  function overflow(): void {
    if (queue.length <= maxPending) return;
    const dropped = queue.slice(0, queue.length - maxPending);
    queue = queue.slice(dropped.length);
    log.warn(
      { server: deps.store?.baseUrl, events: dropped.length },
      'audit store unreachable: the oldest audit events go to the log',
    );
    toLog(dropped, 'audit store unreachable');
  }

  function flush(full = false): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    flushing += 1;
    chain = chain
      .then(() => drain(full))
      .catch((err: unknown) => {
        log.error({ err: errorMessage(err) }, 'audit flush failed');
      })
      .finally(() => {
        flushing -= 1;
      });
    return chain;
  }

  function schedule(): void {
    if (timer || !byTimer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, delayMs);
    timer.unref();
  }

  return {
    record(events) {
      if (events.length === 0) return;
      queue.push(...events);
      if (!byTimer) return;
      if (queue.length >= batchSize) void flush();
      else schedule();
    },
    due: () => queue.length >= batchSize && flushing === 0 && Date.now() >= quietUntil,
    flush: () => flush(),
    flushFull: () => flush(true),
    async close() {
      await flush();
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (queue.length > 0) toLog(queue.splice(0), 'audit store unreachable at shutdown');
    },
  };
}

/** An AuditEvent in references and codes only, for the log (no names, no query text). */
export function auditSummary(e: AuditEvent): Record<string, unknown> {
  return {
    recorded: e.recorded,
    subtype: e.subtype?.[0]?.code,
    action: e.action,
    outcome: e.outcome,
    who:
      e.agent.find((a) => a.requestor)?.who?.reference ??
      e.agent.find((a) => a.requestor)?.who?.identifier?.value,
    entities: e.entity?.map((x) => x.what?.reference).filter(Boolean),
  };
}

/** A Provenance in references and codes only, for the log. */
export function provenanceSummary(p: Provenance): Record<string, unknown> {
  return {
    target: p.target[0]?.reference,
    activity: p.activity?.coding?.[0]?.code,
    recorded: p.recorded,
    author: p.agent[0]?.who.reference ?? p.agent[0]?.who.identifier?.value,
  };
}
