/**
 * Problems found while reading a bundle for scrubbing, collected so the error names them all.
 * Browser-safe.
 */
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';

/** A Patient as far as the edits need it: birth date and administrative gender. */
export const patientSchema = z.looseObject({
  resourceType: z.literal('Patient'),
  birthDate: z.iso.date().optional(),
  gender: z.enum(['male', 'female', 'other', 'unknown']).optional(),
});

/** Formats zod issues as `path: message` lines, each path prefixed with `where`. */
export function zodProblems(error: z.ZodError, where: string): string[] {
  return error.issues.map(
    (i) =>
      `${[where, ...i.path.map((p) => (typeof p === 'number' ? `[${String(p)}]` : `.${String(p)}`))].join('').replace(/\.\[/g, '[')}: ${i.message}`,
  );
}

/** Throws INPUT_INVALID listing every problem. */
export function refuse(problems: string[]): never {
  throw new AppError('INPUT_INVALID', `the bundle cannot be scrubbed:\n  ${problems.join('\n  ')}`);
}

/** Checks `value` against `schema`, collecting problems under `where`. */
export function check<T>(
  schema: z.ZodType<T>,
  value: unknown,
  where: string,
  problems: string[],
): T | undefined {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  problems.push(...zodProblems(parsed.error, where));
  return undefined;
}
