import pino, { type Logger, type LoggerOptions } from 'pino';

/**
 * Paths pino removes from every log line. Tokens, secrets and cookies never reach a log; nor do
 * whole FHIR resources (log references like `Encounter/123` instead).
 */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.client_secret',
  '*.client_assertion',
  '*.code_verifier',
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  '*.token',
];

/** Options shared by the process's root logger and fastify's logger. */
export function loggerOptions(level: string, name: string): LoggerOptions {
  return {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Request URLs can carry `code`, `state` and search parameters with patient data; log the path only.
    serializers: {
      req: (req: { method?: string; url?: string; id?: string }) => ({
        method: req.method,
        path: typeof req.url === 'string' ? req.url.split('?')[0] : undefined,
        id: req.id,
      }),
    },
  };
}

/** Creates the one root logger of a process. Pass `destination` to capture output (tests). */
export function createLogger(
  level: string,
  name: string,
  destination?: pino.DestinationStream,
): Logger {
  return destination
    ? pino(loggerOptions(level, name), destination)
    : pino(loggerOptions(level, name));
}

export type { Logger };
