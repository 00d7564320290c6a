import cron from 'node-cron';
import { z } from 'zod';
import { parsePayerIds } from '../payer/payer-ids.ts';
import { errorMessage } from '../errors/error-message.ts';

/**
 * The value types settings are parsed with. Each takes the raw text of a variable, never an
 * empty one (the registry refuses those first), so `z.coerce` cannot turn `""` into 0.
 */

/** A decimal number within `check` (e.g. `z.number().int().min(1)`). */
export function numberSetting(check: z.ZodNumber = z.number()) {
  return z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/, 'must be a number')
    .transform(Number)
    .pipe(check);
}

export const portSetting = numberSetting(z.number().int().min(0).max(65_535));

export const textSetting = z.string().min(1);

export const urlSetting = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const postgresUrlSetting = z.url({
  protocol: /^postgres(ql)?$/,
  error: 'must be a postgres:// URL',
});

/** A PostgreSQL schema or table name ChartBill accepts: a lower-case SQL identifier. */
export const SQL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const sqlNameSetting = z.string().regex(SQL_NAME, 'must be a lower-case SQL identifier');

/** Where the app keeps sessions: `memory` (one process), or a PostgreSQL or Redis URL. */
export const sessionStoreSetting = z
  .string()
  .refine((s) => s === 'memory' || /^(postgres(ql)?|rediss?):\/\/./.test(s), {
    message: 'must be memory, a postgres:// URL or a redis:// URL',
  });

/** The kinds of EHR the sandbox can play (sandbox/ehr-profiles.ts defines what each does). */
export const SANDBOX_EHR_NAMES = ['strict', 'epic-like', 'oracle-like', 'medplum-like'] as const;

export const sandboxEhrSetting = z.enum(SANDBOX_EHR_NAMES);

export const logLevelSetting = z.enum([
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
]);

export const cronSetting = z
  .string()
  .refine(
    (expr) => cron.validate(expr),
    'must be a cron expression (seconds field allowed), e.g. */5 * * * * *',
  );

/** `system|value` or `value`, comma-separated. */
export const payerIdsSetting = z.string().transform((text, ctx) => {
  try {
    return parsePayerIds(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: errorMessage(err) });
    return z.NEVER;
  }
});

/** JSON text parsed, then checked with `shape`. */
export function jsonSetting<T extends z.ZodType>(shape: T) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(shape);
}
