import type { Logger } from 'pino';
import { appActor } from '../src/audit/audit-actor.ts';
import { createAuditSink, type AuditSink } from '../src/audit/audit-sink.ts';
import { auditedGateway } from '../src/audit/audited-gateway.ts';
import type { FhirGateway } from '../src/fhir/fhir-gateway.ts';
import type { AppConfig } from './app-config.ts';
import type { Session } from './session/session-store.ts';

export interface AppAudit {
  /** The session's gateway with Provenance (the practitioner as author) and BALP AuditEvents. */
  audited(gateway: FhirGateway, session: Session): FhirGateway;
  /** Sends (or logs) every AuditEvent still waiting: the app is shutting down. */
  close(): Promise<void>;
}

/**
 * Provenance and audit for the app. AuditEvents are sent with the session's own token (the
 * user's `user/AuditEvent.c`), so each session has its own sink; a request's reads share one
 * batch sent a quarter second after the first. Sinks with events waiting are kept so that a
 * shutdown sends or logs them.
 */
export function createAppAudit(
  config: Readonly<AppConfig>,
  logger: Logger,
  now: () => Date,
): AppAudit {
  const waiting = new Set<AuditSink>();
  const log = logger.child({ part: 'audit' });
  return {
    audited(gateway, session) {
      const sink: AuditSink = createAuditSink({
        store: config.auditStore === 'log' ? undefined : gateway,
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
