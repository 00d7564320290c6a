import { z } from 'zod';

/** A PostgreSQL schema name the ledger accepts: a lower-case SQL identifier. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Where the worker ledger lives, as environment variables: declared once for the worker's
 * config and for `chartbill worker retry`, which must open the same ledger.
 */
export const LEDGER_ENV = {
  CHARTBILL_LEDGER_PATH: z.string().min(1).default('.chartbill/ledger.json'),
  CHARTBILL_LEDGER_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .optional(),
  CHARTBILL_LEDGER_SCHEMA: z
    .string()
    .regex(SCHEMA_NAME, 'must be a lower-case SQL identifier')
    .default('chartbill'),
};

/** The ledger's settings from the parsed variables. */
export function ledgerSettingsOf(env: z.infer<z.ZodObject<typeof LEDGER_ENV>>): {
  ledgerPath: string;
  /** When set, the ledger is in PostgreSQL (several workers share the load) instead of the file. */
  ledgerUrl: string | undefined;
  ledgerSchema: string;
} {
  return {
    ledgerPath: env.CHARTBILL_LEDGER_PATH,
    ledgerUrl: env.CHARTBILL_LEDGER_URL,
    ledgerSchema: env.CHARTBILL_LEDGER_SCHEMA,
  };
}
