import type { z } from 'zod';
import { AppError } from '../errors/app-error.ts';

/**
 * Parses a record with a zod schema. Reports every problem at once, naming the variable, and
 * returns a frozen object. `CHARTBILL_*` settings are not read with it: they are declared in
 * settings.ts and read with `readSettings` (read-settings.ts).
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
  what: string,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map(
      (i) => `  - ${i.path.join('.') || '(environment)'}: ${i.message}`,
    );
    throw new AppError(
      'CONFIG_INVALID',
      `${what} configuration is invalid:\n${problems.join('\n')}`,
    );
  }
  return Object.freeze(result.data);
}
