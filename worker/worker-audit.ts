import { workerActor } from '../src/audit/audit-actor.ts';
import { createAuditSink, type AuditSink } from '../src/audit/audit-sink.ts';
import type { AuditStore } from '../src/audit/audit-store.ts';
import { auditedGateway } from '../src/audit/audited-gateway.ts';
import type { FhirGateway } from '../src/fhir/fhir-gateway.ts';
import type { Logger } from '../src/log/create-logger.ts';

export interface WorkerAudit {
  clinical: FhirGateway;
  billing: FhirGateway;
  /** Flushed at the end of each tick and closed when the worker stops. */
  sink: AuditSink;
}

/**
 * The worker's gateways with Provenance (the worker as a Device) and BALP AuditEvents, which
 * are buffered and sent in batches of 200 to the store the configuration names, so that
 * auditing every read costs one request per batch rather than one per read. A full batch is sent
 * by the encounter whose request filled it, in its own turn: the worker never has more requests
 * in flight than encounters (CHARTBILL_WORKER_CONCURRENCY).
 */
export function workerAudit(deps: { clinical: FhirGateway; billing: FhirGateway; store: AuditStore; workerId: string; logger: Logger; now: () => Date }): WorkerAudit {
  const logger = deps.logger.child({ part: 'audit' });
  const store = deps.store === 'log' ? undefined : deps.store === 'billing' ? deps.billing : deps.clinical;
  // Flushed by the worker itself: in the lane that filled a batch, and at the end of each tick.
  const sink = createAuditSink({ store, logger, batchSize: 200, flushBy: 'caller' });
  const audited = { actor: workerActor(deps.workerId), sink, logger, now: deps.now };
  const clinical = auditedGateway(deps.clinical, audited);
  const billing = deps.billing === deps.clinical ? clinical : auditedGateway(deps.billing, audited);
  return { clinical, billing, sink };
}
