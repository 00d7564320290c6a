import type {
  ChargeItem,
  Claim,
  Condition,
  Coverage,
  Encounter,
  Location,
  Organization,
  Patient,
  Practitioner,
  RelatedPerson,
  Resource,
} from 'fhir/r4';
import { z } from 'zod';
import { AppError, operationOutcome } from '../../src/errors/app-error.ts';

/**
 * What the worker needs of each resource it reads, checked at the boundary. Only the fields the
 * pipeline relies on are required; everything else passes through.
 */
const ref = z.looseObject({ reference: z.string().min(1) });
const meta = z
  .looseObject({ versionId: z.string().optional(), lastUpdated: z.string().optional() })
  .optional();

const schemas = {
  Encounter: z.looseObject({
    resourceType: z.literal('Encounter'),
    id: z.string().min(1),
    meta,
    status: z.string(),
    subject: ref,
  }),
  Patient: z.looseObject({ resourceType: z.literal('Patient'), id: z.string().min(1) }),
  ChargeItem: z.looseObject({
    resourceType: z.literal('ChargeItem'),
    id: z.string().min(1),
    status: z.string(),
    code: z.looseObject({}),
  }),
  Condition: z.looseObject({
    resourceType: z.literal('Condition'),
    id: z.string().min(1),
    subject: ref,
  }),
  Coverage: z.looseObject({
    resourceType: z.literal('Coverage'),
    id: z.string().min(1),
    status: z.string(),
    payor: z.array(z.looseObject({})).min(1),
  }),
  Organization: z.looseObject({ resourceType: z.literal('Organization'), id: z.string().min(1) }),
  Practitioner: z.looseObject({ resourceType: z.literal('Practitioner'), id: z.string().min(1) }),
  Location: z.looseObject({ resourceType: z.literal('Location'), id: z.string().min(1) }),
  RelatedPerson: z.looseObject({
    resourceType: z.literal('RelatedPerson'),
    id: z.string().min(1),
    patient: ref,
  }),
  Claim: z.looseObject({
    resourceType: z.literal('Claim'),
    id: z.string().min(1),
    status: z.string(),
    patient: ref,
    identifier: z
      .array(z.looseObject({ system: z.string().min(1), value: z.string().min(1) }))
      .min(1),
  }),
};

/** The FHIR type each checked resource type stands for. */
export interface ShapeOf {
  Encounter: Encounter;
  Patient: Patient;
  ChargeItem: ChargeItem;
  Condition: Condition;
  Coverage: Coverage;
  Organization: Organization;
  Practitioner: Practitioner;
  Location: Location;
  RelatedPerson: RelatedPerson;
  Claim: Claim;
}

/** Checks a resource read from a FHIR server; throws FHIR_RESOURCE_INVALID naming the field. */
export function checkResource<K extends keyof ShapeOf>(type: K, value: unknown): ShapeOf[K] {
  const result = schemas[type].safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const id = (value as Partial<Resource> | undefined)?.id ?? '?';
    const expression = [type, ...(issue?.path.map(String) ?? [])].join('.');
    const message = `${type}/${id} from the FHIR server is not usable: ${expression} ${issue?.message ?? 'invalid'}`;
    throw new AppError('FHIR_RESOURCE_INVALID', message, {
      outcome: operationOutcome('error', 'invalid', message, [expression]),
    });
  }
  return result.data as unknown as ShapeOf[K];
}

/** Matches of one type among search results (includes of other types are ignored). */
export function resourcesOf<K extends keyof ShapeOf>(
  type: K,
  resources: readonly Resource[],
): ShapeOf[K][] {
  return resources.filter((r) => r.resourceType === type).map((r) => checkResource(type, r));
}
