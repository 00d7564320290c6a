import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { requestSession } from '../guards/session-first.ts';

/**
 * `GET /api/style`: the EHR's smart_style_url content (SMART App Launch 2.2 §2.0.8), sanitized on
 * the server at the callback (smart/smart-style.ts). The UI applies it with ui/smart-style.ts.
 */
export function styleRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/style', async (req) => {
    return { style: await ctx.sessions.style(await requestSession(req, ctx)) };
  });
}
