import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../src/log/create-logger.ts';
import type { PublicJwks } from './public-jwks.ts';
import type { WorkerMetrics } from './worker-metrics.ts';

export interface HealthServerOptions {
  metrics: WorkerMetrics;
  logger: Logger;
  /** Served at `/.well-known/jwks.json` when given: the worker's public keys for the EHR. */
  jwks?: PublicJwks;
}

/**
 * `/healthz` (200 with the last tick, 503 when the last tick failed as a whole) and `/metrics`
 * (Prometheus text) for the worker. Not listening; see `startHealthServer`.
 */
export function buildHealthServer(options: HealthServerOptions): FastifyInstance {
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({ loggerInstance });
  // Probes hit these every few seconds: log their requests only when something is wrong.
  const quiet = { logLevel: 'warn' as const };
  app.get('/healthz', quiet, (_request, reply) => {
    const status = options.metrics.status();
    const failing = status.lastTickError !== undefined;
    return reply.status(failing ? 503 : 200).send({ status: failing ? 'failing' : status.ticks === 0 ? 'starting' : 'ok', ...status });
  });
  app.get('/metrics', quiet, (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(options.metrics.render()));
  const { jwks } = options;
  if (jwks) {
    // Public keys only; EHRs cache them, so a short max-age lets a rotation reach them soon.
    app.get('/.well-known/jwks.json', quiet, (_request, reply) => reply.header('cache-control', 'public, max-age=300').type('application/json').send(jwks));
  }
  return app;
}

/** Starts the health server (port 0 allowed) and returns its URL. */
export async function startHealthServer(options: HealthServerOptions & { host?: string; port: number }): Promise<{ url: string; close(): Promise<void> }> {
  const app = buildHealthServer(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
