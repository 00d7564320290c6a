import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../src/errors/app-error.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How deep a JSON body of this route may nest (set from BODY_LIMITS). */
    jsonDepth?: number;
  }
}

/** Per-route limits on a request body: its size in bytes and how deep its JSON may nest. */
export interface BodyLimit {
  bytes: number;
  depth: number;
}

/**
 * What each route that takes a body may receive; everything else gets `DEFAULT`. The coding body
 * (40 diagnoses, 60 lines, their keys and seen versions) fits in well under 256 KB and nests
 * five deep (`{coding:{lines:[{modifiers:[…]}]}}`).
 */
export const BODY_LIMITS: Record<string, BodyLimit> = {
  'PUT /api/coding': { bytes: 256 * 1024, depth: 6 },
  'POST /api/edits': { bytes: 128 * 1024, depth: 6 },
  // The billing workspace's correction editor sends the panel's coding shape (issue 17).
  'POST /api/billing/claims/:claimId/correct': { bytes: 128 * 1024, depth: 6 },
  'POST /api/billing/claims/:claimId/edits': { bytes: 128 * 1024, depth: 6 },
  'POST /callback': { bytes: 8 * 1024, depth: 1 },
};

const DEFAULT: BodyLimit = { bytes: 16 * 1024, depth: 4 };

/** True when `text` (JSON) opens more than `max` objects/arrays inside one another; linear, no recursion. */
export function jsonDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

function depthOf(req: FastifyRequest): number {
  return req.routeOptions.config.jsonDepth ?? DEFAULT.depth;
}

/**
 * Sets each route's body limit from `BODY_LIMITS` (must be registered before the routes) and
 * parses JSON only after checking its depth, so a deeply nested body is refused in one pass.
 */
export function registerJsonBody(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const limit = methods.map((m) => BODY_LIMITS[`${m} ${route.url}`]).find(Boolean) ?? DEFAULT;
    route.bodyLimit ??= limit.bytes;
    route.config = { ...route.config, jsonDepth: limit.depth };
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonDeeperThan(text, depthOf(req))) {
      done(new AppError('INPUT_INVALID', 'The request body nests deeper than ChartBill accepts.'));
      return;
    }
    try {
      done(null, text.trim() === '' ? undefined : (JSON.parse(text) as unknown));
    } catch {
      done(new AppError('INPUT_INVALID', 'The request body is not valid JSON.'));
    }
  });
}
