import { workerActor } from '../../src/audit/audit-actor.ts';
import { createAuditSink, type AuditSink } from '../../src/audit/audit-sink.ts';
import { chooseAuditStore, type AuditStoreSetting } from '../../src/audit/audit-store.ts';
import { auditedGateway } from '../../src/audit/audited-gateway.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import type { CapabilitiesSource } from '../../src/fhir/server-capabilities.ts';
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
 *
 * `auto` (CHARTBILL_AUDIT_STORE's default) is decided at the first flush from the EHR's
 * CapabilityStatement (`chooseAuditStore`) and logged with its reason.
 */
export function workerAudit(deps: {
  clinical: FhirGateway;
  billing: FhirGateway;
  store: AuditStoreSetting;
  /** The EHR's declared capabilities, read when `store` is `auto`. */
  capabilities?: CapabilitiesSource;
  workerId: string;
  logger: Logger;
  now: () => Date;
}): WorkerAudit {
  const logger = deps.logger.child({ part: 'audit' });
  const sinkFor = (store: FhirGateway | undefined) =>
    createAuditSink({ store, logger, batchSize: 200, flushBy: 'caller' });
  const events = sinkFor(
    deps.store === 'auto'
      ? chosenStore(deps, logger)
      : deps.store === 'log'
        ? undefined
        : deps.store === 'billing'
          ? deps.billing
          : deps.clinical,
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

/**
 * The store `auto` picks, as a gateway that decides at its first write: the billing gateway when
 * there is a separate one and the EHR does not declare AuditEvent create, the EHR's otherwise.
 */
function chosenStore(
  deps: { clinical: FhirGateway; billing: FhirGateway; capabilities?: CapabilitiesSource },
  logger: Logger,
): FhirGateway {
  let chosen: Promise<FhirGateway> | undefined;
  let settled: FhirGateway | undefined;
  const choose = () =>
    (chosen ??= (async () => {
      if (deps.billing === deps.clinical || !deps.capabilities) return deps.clinical;
      const choice = chooseAuditStore(await deps.capabilities.get(), {
        setting: 'auto',
        billingFhirBaseUrl: deps.billing.baseUrl,
      });
      logger.info({ auditStore: choice.store, why: choice.reason }, 'where the AuditEvents go');
      return (settled = choice.store === 'billing' ? deps.billing : deps.clinical);
    })());
  return {
    get baseUrl() {
      return (settled ?? deps.clinical).baseUrl;
    },
    read: (type, id) => choose().then((g) => g.read(type, id)),
    async *searchPages(type, params) {
      yield* (await choose()).searchPages(type, params);
    },
    searchAll: (type, params, max) => choose().then((g) => g.searchAll(type, params, max)),
    create: (resource, options) => choose().then((g) => g.create(resource, options)),
    update: (resource, options) => choose().then((g) => g.update(resource, options)),
    operation: (path, body) => choose().then((g) => g.operation(path, body)),
    batch: (bundle) => choose().then((g) => g.batch(bundle)),
  };
}
