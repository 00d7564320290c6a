import type { Claim, Coverage, CoverageEligibilityRequest, Reference } from 'fhir/r4';
import { z } from 'zod';
import { AppError, operationOutcome } from '../src/errors/app-error.ts';

/**
 * Parsing of the `$submit` Bundles the sandbox payer accepts. Shapes are checked with zod; only
 * what the adjudication rules read is required, the rest passes through untouched.
 */

const reference = z.looseObject({ reference: z.string().min(1) });
const identifier = z.looseObject({ system: z.string().min(1), value: z.string().min(1) });
const period = z.looseObject({ start: z.string().optional(), end: z.string().optional() });

const bundleSchema = z.looseObject({
  resourceType: z.literal('Bundle', { error: 'the body must be a FHIR Bundle' }),
  type: z.literal('collection', { error: 'the Bundle must be of type collection' }),
  entry: z
    .array(
      z.looseObject({
        fullUrl: z.string().optional(),
        resource: z.looseObject({ resourceType: z.string(), id: z.string().optional() }),
      }),
    )
    .min(1, 'the Bundle has no entries'),
});

const claimSchema = z.looseObject({
  resourceType: z.literal('Claim', { error: 'the first entry must be the Claim' }),
  identifier: z
    .array(identifier)
    .min(1, "the Claim needs an identifier (the submitter's claim number)"),
  patient: reference,
  created: z.string().min(1),
  insurance: z
    .array(z.looseObject({ focal: z.boolean().optional(), coverage: reference }))
    .min(1, 'the Claim names no insurance'),
  billablePeriod: period.optional(),
  diagnosis: z.array(z.looseObject({ sequence: z.number().int().positive() })).optional(),
  item: z
    .array(
      z.looseObject({
        sequence: z.number().int().positive(),
        productOrService: z.looseObject({
          coding: z
            .array(z.looseObject({ code: z.string().min(1) }))
            .min(1, 'each line needs a service code'),
        }),
        quantity: z.looseObject({ value: z.number().positive() }).optional(),
        net: z.looseObject({ value: z.number().nonnegative() }).optional(),
      }),
    )
    .min(1, 'the Claim has no lines'),
});

const eligibilitySchema = z.looseObject({
  resourceType: z.literal('CoverageEligibilityRequest', {
    error: 'the first entry must be the CoverageEligibilityRequest',
  }),
  patient: reference,
  insurer: z.looseObject({}),
  servicedDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}/, 'servicedDate must be a date')
    .optional(),
  insurance: z
    .array(z.looseObject({ focal: z.boolean().optional(), coverage: reference }))
    .min(1, 'the request names no coverage'),
});

const coverageSchema = z.looseObject({
  resourceType: z.literal('Coverage'),
  status: z.enum(['active', 'cancelled', 'draft', 'entered-in-error']),
  period: period.optional(),
  costToBeneficiary: z.array(z.looseObject({})).optional(),
});

type Entry = z.infer<typeof bundleSchema>['entry'][number];

/** A parsed `Claim/$submit` Bundle. */
export interface ClaimSubmission {
  claim: Claim;
  /** The focal Coverage, when the Bundle carries it. */
  coverage: Coverage | undefined;
}

/** A parsed `CoverageEligibilityRequest/$submit` Bundle. */
export interface EligibilitySubmission {
  request: CoverageEligibilityRequest;
  coverage: Coverage | undefined;
}

/** Parses a `Claim/$submit` Bundle; throws INPUT_INVALID (400) naming the problem. */
export function parseClaimSubmission(body: unknown): ClaimSubmission {
  const entries = parse(bundleSchema, body, 'Bundle').entry;
  const claim = parse(claimSchema, entries[0]?.resource, 'Claim') as unknown as Claim;
  return { claim, coverage: focalCoverage(entries, claim.insurance) };
}

/** Parses a `CoverageEligibilityRequest/$submit` Bundle; throws INPUT_INVALID (400). */
export function parseEligibilitySubmission(body: unknown): EligibilitySubmission {
  const entries = parse(bundleSchema, body, 'Bundle').entry;
  const request = parse(
    eligibilitySchema,
    entries[0]?.resource,
    'CoverageEligibilityRequest',
  ) as unknown as CoverageEligibilityRequest;
  return { request, coverage: focalCoverage(entries, request.insurance ?? []) };
}

const inquirySchema = z.looseObject({
  resourceType: z.literal('Claim', { error: 'the first entry must be the Claim asked about' }),
  identifier: z.array(identifier).min(1, 'the Claim needs the identifier it was submitted with'),
});

/** Parses a `Claim/$inquire` Bundle; returns the claim's identifier as `system|value`. */
export function parseInquiry(body: unknown): string {
  const entries = parse(bundleSchema, body, 'Bundle').entry;
  const claim = parse(inquirySchema, entries[0]?.resource, 'Claim');
  const first = claim.identifier[0];
  return `${first?.system ?? ''}|${first?.value ?? ''}`;
}

function focalCoverage(
  entries: Entry[],
  insurance: readonly { focal?: boolean; coverage: Reference }[],
): Coverage | undefined {
  const ref = (insurance.find((i) => i.focal) ?? insurance[0])?.coverage.reference;
  const entry = ref ? entries.find((e) => matches(e, ref)) : undefined;
  return entry
    ? (parse(coverageSchema, entry.resource, 'Coverage') as unknown as Coverage)
    : undefined;
}

/** A reference resolves to an entry by `Type/id`, or by a fullUrl that is or ends with it. */
function matches(entry: Entry, ref: string): boolean {
  if (`${entry.resource.resourceType}/${entry.resource.id ?? ''}` === ref) return true;
  return (
    entry.fullUrl !== undefined && (entry.fullUrl === ref || entry.fullUrl.endsWith(`/${ref}`))
  );
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (i) => `${[what, ...i.path.map(String)].join('.')}: ${i.message}`,
  );
  const message = `Invalid submission: ${problems.join('; ')}`;
  throw new AppError('INPUT_INVALID', message, {
    outcome: operationOutcome(
      'error',
      'invalid',
      message,
      result.error.issues.map((i) => [what, ...i.path.map(String)].join('.')),
    ),
  });
}
