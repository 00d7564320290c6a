import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../src/errors/app-error.ts';
import type { AppConfig } from '../app-config.ts';

type Group = 'launch' | 'api' | 'free';

/** Launch routes are anonymous and start work at the EHR; API routes need a session; the rest is static. */
function groupOf(req: FastifyRequest): Group {
  const path = req.url.split('?')[0] ?? '';
  if (path === '/launch' || path === '/standalone' || path === '/callback') return 'launch';
  if (path.startsWith('/api/')) return 'api';
  return 'free';
}

/**
 * Per-client request limits (@fastify/rate-limit, in memory, keyed by the client address): the
 * launch routes get `launchRatePerMinute`, the API `apiRatePerMinute`, each counted apart.
 * Assets, /app and /healthz are not limited. Behind a proxy every client shares the proxy's
 * address unless fastify's `trustProxy` is set (see README, "Security").
 */
export async function registerRateLimits(
  app: FastifyInstance,
  config: Readonly<AppConfig>,
): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    max: (req) =>
      groupOf(req) === 'launch' ? config.launchRatePerMinute : config.apiRatePerMinute,
    keyGenerator: (req) => `${groupOf(req)}:${req.ip}`,
    allowList: (req) => groupOf(req) === 'free',
    errorResponseBuilder: (_req, context) =>
      new AppError('RATE_LIMITED', 'Too many requests from this address.', {
        hint: `Wait ${context.after} and try again.`,
      }),
  });
}
