import type { FastifyInstance } from 'fastify';

/**
 * OWASP secure headers. Framing is allowed only for the registered EHRs' origins (CSP
 * frame-ancestors), so the app works inside their iframe and nowhere else. No inline script.
 */
export function registerSecurityHeaders(app: FastifyInstance, frameAncestors: string[]): void {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    `frame-ancestors 'self' ${frameAncestors.join(' ')}`.trim(),
  ].join('; ');
  app.addHook('onSend', async (_req, reply) => {
    reply.header('content-security-policy', csp);
    reply.header('x-content-type-options', 'nosniff');
    // The callback URL carries the authorization code: never send it on as a Referer.
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin-allow-popups');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
}
