import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';

/**
 * `GET /api/style`: the EHR's smart_style_url content (SMART App Launch 2.2 §2.0.8), sanitized on
 * the server at the callback (smart/smart-style.ts). The UI applies it with ui/smart-style.ts.
 */
export function styleRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/api/style', async (req) => {
    const header = req.headers.authorization;
    const session = ctx.sessions.get(header?.startsWith('Bearer ') ? header.slice(7) : undefined);
    return { style: (await session.style) ?? {} };
  });
}
