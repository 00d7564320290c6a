import { z } from 'zod';

/**
 * The session store's settings (README, "Running several app instances"). Added to the app's
 * environment schema; `superRefineSessionSettings` checks the combination.
 */
export const sessionSettings = {
  /** `memory` (one process), `postgres://…` or `redis://…` (several instances, restarts). */
  CHARTBILL_SESSION_STORE: z
    .string()
    .default('memory')
    .refine((s) => s === 'memory' || /^(postgres(ql)?|rediss?):\/\/./.test(s), {
      message: 'must be memory, a postgres:// URL or a redis:// URL',
    }),
  /** PostgreSQL schema / Redis key prefix for the app's sessions. */
  CHARTBILL_SESSION_NAMESPACE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier (a-z, 0-9, _)')
    .default('chartbill'),
  /** AES-256-GCM keys for tokens at rest: base64 32 bytes each, comma-separated, newest first. */
  CHARTBILL_SESSION_KEY: z.string().min(1).optional(),
  /** A file holding the keys instead, one per line, newest first. */
  CHARTBILL_SESSION_KEY_FILE: z.string().min(1).optional(),
};

interface SessionEnv {
  CHARTBILL_SESSION_STORE: string;
  CHARTBILL_SESSION_KEY?: string | undefined;
  CHARTBILL_SESSION_KEY_FILE?: string | undefined;
}

/** A shared store keeps tokens at rest: it needs a key that every instance has. */
export function superRefineSessionSettings(env: SessionEnv, ctx: z.RefinementCtx): void {
  if (
    env.CHARTBILL_SESSION_STORE !== 'memory' &&
    !env.CHARTBILL_SESSION_KEY &&
    !env.CHARTBILL_SESSION_KEY_FILE
  )
    ctx.addIssue({
      code: 'custom',
      path: ['CHARTBILL_SESSION_KEY'],
      message:
        'is required when CHARTBILL_SESSION_STORE is not memory (or set CHARTBILL_SESSION_KEY_FILE): the same key on every instance, e.g. from `openssl rand -base64 32`',
    });
}
