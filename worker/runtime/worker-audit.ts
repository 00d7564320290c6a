import { workerActor } from '../../src/audit/audit-actor.ts';
import { createAuditSink, type AuditSink } from '../../src/audit/audit-sink.ts';
import type { AuditStore } from '../../src/audit/audit-store.ts';
import { auditedGateway } from '../../src/audit/audited-gateway.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import type { Logger } from '../../src/log/create-logger.ts';

export interface WorkerAudit {
  clinical: FhirGateway;
  billing: FhirGateway;
  /** Flushed at the end of each tick; closed when the worker stops. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The worker's gateways with Provenance (the worker as a Device) and BALP AuditEvents. Both are
 * buffered and sent in batches of 200, the AuditEvents to the store the configuration names and
 * each Provenance to the server of the resource it describes, so that recording who did what
 * costs one request per 200 records rather than one per read or write (the worker's FHIR
 * requests per claim stay near 2.3 instead of doubling). A full batch is sent by the encounter
 * whose request filled it, in its own turn: the worker never has more requests in flight than
 * encounters (CHARTBILL_WORKER_CONCURRENCY). The price: a worker killed outright loses at most
 * the records of its last unflushed batch; its writes themselves are unaffected.
 */
export function workerAudit(deps: {
  clinical: FhirGateway;
  billing: FhirGateway;
  store: AuditStore;
  workerId: string;
  logger: Logger;
  now: () => Date;
}): WorkerAudit {
  const logger = deps.logger.child({ part: 'audit' });
  const sinkFor = (store: FhirGateway | undefined) =>
    createAuditSink({ store, logger, batchSize: 200, flushBy: 'caller' });
  const events = sinkFor(
    deps.store === 'log' ? undefined : deps.store === 'billing' ? deps.billing : deps.clinical,
  );
  const sinks: AuditSink[] = [events];
  const wrap = (gateway: FhirGateway) => {
    const provenanceSink = sinkFor(gateway);
    sinks.push(provenanceSink);
    return auditedGateway(gateway, {
      actor: workerActor(deps.workerId),
      sink: events,
      provenanceSink,
      logger,
      now: deps.now,
    });
  };
  const clinical = wrap(deps.clinical);
  const billing = deps.billing === deps.clinical ? clinical : wrap(deps.billing);
  return {
    clinical,
    billing,
    flush: async () => {
      for (const s of sinks) await s.flush();
    },
    close: async () => {
      for (const s of sinks) await s.close();
    },
  };
}
