import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.ts';
import type { Session } from '../session/session-store.ts';

const sessionOfRequest = new WeakMap<FastifyRequest, Session>();

/** The session the `onRequest` check loaded for this request, or a fresh load. */
export async function requestSession(req: FastifyRequest, ctx: AppContext): Promise<Session> {
  return sessionOfRequest.get(req) ?? ctx.sessions.get(bearerHandle(req));
}

/** Marks a request the UI makes by itself (the status tab's refresh): not the clinician's activity. */
export const BACKGROUND_HEADER = 'x-chartbill-background';

/** The session handle a request carries as `Authorization: Bearer <handle>`. */
export function bearerHandle(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

/**
 * Every `/api/` request must carry a live session, checked in `onRequest`: before fastify reads
 * or parses a byte of the body, so a stranger's large or deeply nested JSON costs one store lookup.
 * A request the clinician made restarts the idle timeout.
 */
export function registerSessionFirst(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/')) return;
    const session = await ctx.sessions.get(bearerHandle(req));
    if (req.headers[BACKGROUND_HEADER] !== '1') await ctx.sessions.touch(session);
    sessionOfRequest.set(req, session);
  });
}
