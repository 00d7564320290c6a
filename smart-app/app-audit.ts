import type { Logger } from 'pino';
import { appActor } from '../src/audit/audit-actor.ts';
import { createAuditSink, type AuditSink } from '../src/audit/audit-sink.ts';
import { auditedGateway } from '../src/audit/audited-gateway.ts';
import type { FhirGateway } from '../src/fhir/fhir-gateway.ts';
import type { AppConfig } from './app-config.ts';
import type { Session } from './session/session-store.ts';

export interface AppAudit {
  /**
   * The session's gateway with Provenance (the practitioner as author) and BALP AuditEvents, sent
   * to `auditStore` (the billing store, where the EHR takes none) or else through `gateway`.
   */
  audited(gateway: FhirGateway, session: Session, auditStore?: FhirGateway): FhirGateway;
  /** Sends (or logs) every AuditEvent still waiting: the app is shutting down. */
  close(): Promise<void>;
}

/**
 * Provenance and audit for the app. AuditEvents go where `CHARTBILL_AUDIT_STORE` puts them
 * (coding-store.ts `sessionStoresResolver`): to the EHR with the session's own token (the user's
 * `user/AuditEvent.c`), or to the billing store with the app's backend client where the EHR takes
 * none (Epic, Oracle Health); either way the agent is the practitioner who acted. Each session
 * has its own sink; a request's reads share one batch sent a quarter second after the first.
 * Sinks with events waiting are kept so that a shutdown sends or logs them.
 */
export function createAppAudit(
  config: Readonly<AppConfig>,
  logger: Logger,
  now: () => Date,
): AppAudit {
  const waiting = new Set<AuditSink>();
  const log = logger.child({ part: 'audit' });
  return {
    audited(gateway, session, auditStore) {
      const sink: AuditSink = createAuditSink({
        store: config.auditStore === 'log' ? undefined : (auditStore ?? gateway),
        logger: log,
        batchSize: 100,
        delayMs: 250,
        onIdle: () => waiting.delete(sink),
      });
      const tracked: AuditSink = {
        record(events) {
          if (events.length > 0) waiting.add(sink);
          sink.record(events);
        },
        flush: () => sink.flush(),
        flushFull: () => sink.flushFull(),
        close: () => sink.close(),
        due: () => sink.due(),
      };
      return auditedGateway(gateway, {
        actor: appActor(session.fhirUser, session.iss, config.publicUrl),
        sink: tracked,
        logger: log,
        now,
      });
    },
    async close() {
      await Promise.all([...waiting].map((s) => s.close()));
    },
  };
}
