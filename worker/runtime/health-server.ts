import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../../src/log/create-logger.ts';
import type { Ledger, LedgerHealth } from '../ledger/ledger.ts';
import { carriesSecret } from './fhir-subscriptions.ts';
import type { PublicJwks } from './public-jwks.ts';
import type { WorkerMetrics } from './worker-metrics.ts';

export interface HealthServerOptions {
  metrics: WorkerMetrics;
  logger: Logger;
  /** Served at `/.well-known/jwks.json` when given: the worker's public keys for the EHR. */
  jwks?: PublicJwks;
  /** Its `health()` is reported: a ledger that refuses writes makes the worker unhealthy. */
  ledger?: Pick<Ledger, 'health'>;
  /**
   * Serves `POST /fhir-notify` when given: the EHR's Subscription notifications. One carrying the
   * secret calls `onNotify`; any other is refused (401) and counted.
   */
  notify?: { secret: string; onNotify(): void };
}

/**
 * `/healthz` (200 with the last tick; 503 when the last tick failed as a whole or the ledger
 * refuses writes, e.g. a full disk) and `/metrics` (Prometheus text) for the worker. A ledger
 * journal recovered from damage at start is shown on both. Not listening; see `startHealthServer`.
 */
export function buildHealthServer(options: HealthServerOptions): FastifyInstance {
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({ loggerInstance });
  // Probes hit these every few seconds: log their requests only when something is wrong.
  const quiet = { logLevel: 'warn' as const };
  app.get('/healthz', quiet, (_request, reply) => {
    const status = options.metrics.status();
    const ledger = options.ledger?.health?.();
    const failing = status.lastTickError !== undefined || ledger?.writable === false;
    return reply.status(failing ? 503 : 200).send({
      status: failing ? 'failing' : status.ticks === 0 ? 'starting' : 'ok',
      ...status,
      ...(ledger ? { ledger } : {}),
    });
  });
  app.get('/metrics', quiet, (_request, reply) =>
    reply
      .type('text/plain; version=0.0.4; charset=utf-8')
      .send(options.metrics.render() + ledgerMetrics(options.ledger?.health?.())),
  );
  const { notify } = options;
  if (notify) void app.register((scope, _opts, done) => notifyRoute(scope, notify, options, done));
  const { jwks } = options;
  if (jwks) {
    // Public keys only; EHRs cache them, so a short max-age lets a rotation reach them soon.
    app.get('/.well-known/jwks.json', quiet, (_request, reply) =>
      reply.header('cache-control', 'public, max-age=300').type('application/json').send(jwks),
    );
  }
  return app;
}

/**
 * `POST /fhir-notify`: a FHIR R4 rest-hook notification (subscription.html §2.46.7.2). Its body,
 * if any, is never read (the worker trusts only what it polls), so every content type is taken
 * and dropped; only the secret header decides. In its own scope so the dropping parser stays here.
 */
function notifyRoute(
  scope: FastifyInstance,
  notify: NonNullable<HealthServerOptions['notify']>,
  { metrics, logger }: Pick<HealthServerOptions, 'metrics' | 'logger'>,
  done: (err?: Error) => void,
): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { bodyLimit: 1024 * 1024 }, (_request, payload, parsed) => {
    payload.resume();
    payload.on('end', () => parsed(null, undefined));
    payload.on('error', (err) => parsed(err, undefined));
  });
  scope.post('/fhir-notify', { logLevel: 'warn' }, (request, reply) => {
    if (!carriesSecret(request.headers.authorization, notify.secret)) {
      metrics.countNotification('refused');
      // The process logger, not the route's: its level is the operator's, not this route's.
      logger.warn(
        { from: request.ip },
        'a notification without the Subscription secret was refused',
      );
      return reply.status(401).send({ error: 'unauthorized' });
    }
    metrics.countNotification('accepted');
    notify.onNotify();
    return reply.status(200).send({ ok: true });
  });
  done();
}

/** The ledger's gauges in Prometheus text; none for a ledger with nothing to report. */
function ledgerMetrics(health: LedgerHealth | undefined): string {
  if (!health) return '';
  return (
    [
      '# HELP chartbill_worker_ledger_writable 1 while the ledger takes writes; 0 while it refuses them (e.g. a full disk) and no new work is taken.',
      '# TYPE chartbill_worker_ledger_writable gauge',
      `chartbill_worker_ledger_writable ${health.writable ? 1 : 0}`,
      '# HELP chartbill_worker_ledger_quarantined_lines Journal lines moved aside at start because the ledger was damaged (see the log and /healthz).',
      '# TYPE chartbill_worker_ledger_quarantined_lines gauge',
      `chartbill_worker_ledger_quarantined_lines ${health.quarantine?.lines ?? 0}`,
    ].join('\n') + '\n'
  );
}

/** Starts the health server (port 0 allowed) and returns its URL. */
export async function startHealthServer(
  options: HealthServerOptions & { host?: string; port: number },
): Promise<{ url: string; close(): Promise<void> }> {
  const app = buildHealthServer(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
