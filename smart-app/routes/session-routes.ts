import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { bearerHandle } from '../guards/session-first.ts';

/**
 * `DELETE /api/session`: signing out. ChartBill forgets the session and asks the EHR to revoke
 * the grant (RFC 7009) when it advertises a `revocation_endpoint`; 204 either way, since the
 * handle is dead here whatever the EHR answers.
 */
export function sessionRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.delete('/api/session', async (req, reply) => {
    const result = await ctx.sessions.signOut(bearerHandle(req));
    req.log.info({ revokedAtEhr: result?.revoked ?? false }, 'signed out');
    return reply.status(204).send();
  });
}
