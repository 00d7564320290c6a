/**
 * What `chartbill scrub` checks, read from a FHIR R4 Bundle: either a Claim (professional, with its
 * Patient and Coverage in the bundle or contained) or an Encounter with its Patient, Conditions
 * and ChargeItems. Zod at the boundary: a malformed bundle is refused with every problem named by
 * its path (`Bundle.entry[2].resource(Claim).item[0].productOrService.coding`). Browser-safe.
 */
import type { ChargeItem, Claim, Condition, Coverage, Encounter, Patient } from 'fhir/r4';
import { z } from 'zod';
import { formatIcd10cm } from '../codes/code-format.ts';
import { codingFromFhir } from '../coding/coding-fhir.ts';
import type { EncounterCoding, VisitFacts } from '../coding/coding-model.ts';
import { claimFromFhir } from './scrub-claim-input.ts';
import { check, patientSchema, refuse } from './scrub-problems.ts';

/** The coding, facts and payer of a bundle, with where each diagnosis and line came from. */
export interface ScrubInput {
  kind: 'claim' | 'encounter';
  coding: EncounterCoding;
  facts: VisitFacts;
  /** The payer's id or reference, for its timely filing window and edit set. */
  payerId?: string;
  /** The Coverage's type codings in the bundle, for the payer's edit set. */
  coverageType?: { system?: string; code?: string }[];
  /** FHIRPath of each diagnosis and line, for the OperationOutcome's `expression`. */
  diagnosisPaths: string[];
  linePaths: string[];
}

const resource = z.looseObject({ resourceType: z.string().min(1), id: z.string().optional() });
const bundleSchema = z.looseObject({
  resourceType: z.literal('Bundle'),
  entry: z.array(z.looseObject({ resource })).min(1, 'the bundle has no entries'),
});
const conditionSchema = z.looseObject({
  resourceType: z.literal('Condition'),
  code: z.looseObject({ coding: z.array(z.looseObject({ code: z.string().min(1) })).min(1) }),
});
const chargeItemSchema = z.looseObject({
  resourceType: z.literal('ChargeItem'),
  code: z.looseObject({ coding: z.array(z.looseObject({ code: z.string().min(1) })).min(1) }),
  quantity: z.looseObject({ value: z.number() }).optional(),
});
const encounterSchema = z.looseObject({
  resourceType: z.literal('Encounter'),
  period: z.looseObject({
    start: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'must start with a date YYYY-MM-DD'),
  }),
});

type Entry = { resource: { resourceType: string; id?: string } };

function factsFor(dateOfService: string, patient: Patient | undefined): VisitFacts {
  return {
    dateOfService,
    ...(patient?.birthDate ? { patientBirthDate: patient.birthDate } : {}),
    ...(patient?.gender ? { patientSex: patient.gender } : {}),
  };
}

/** The visit's start and end, for the visit-ends-before-start edit. */
function periodOf(encounter: Encounter): Pick<VisitFacts, 'visitPeriod'> {
  const { start, end } = encounter.period ?? {};
  return start || end
    ? { visitPeriod: { ...(start ? { start } : {}), ...(end ? { end } : {}) } }
    : {};
}

function encounterInput(entries: Entry[], problems: string[]): ScrubInput {
  const at = (type: string): number[] =>
    entries.flatMap((e, i) => (e.resource.resourceType === type ? [i] : []));
  const where = (i: number, type: string): string => `Bundle.entry[${String(i)}].resource(${type})`;
  const encounter = check(
    encounterSchema,
    entries[at('Encounter')[0] ?? 0]?.resource,
    where(at('Encounter')[0] ?? 0, 'Encounter'),
    problems,
  ) as Encounter | undefined;
  const conditions = at('Condition').map(
    (i) =>
      check(conditionSchema, entries[i]?.resource, where(i, 'Condition'), problems) as
        Condition | undefined,
  );
  const items = at('ChargeItem').map(
    (i) =>
      check(chargeItemSchema, entries[i]?.resource, where(i, 'ChargeItem'), problems) as
        ChargeItem | undefined,
  );
  const patientAt = at('Patient')[0];
  const patient =
    patientAt === undefined
      ? undefined
      : (check(
          patientSchema,
          entries[patientAt]?.resource,
          where(patientAt, 'Patient'),
          problems,
        ) as Patient | undefined);
  if (problems.length > 0 || !encounter) refuse(problems);
  const coding = codingFromFhir(
    conditions.filter((c): c is Condition => c !== undefined),
    items.filter((c): c is ChargeItem => c !== undefined),
  );
  const pathOf = (type: string, id: string | undefined): string => {
    const i = entries.findIndex((e) => e.resource.resourceType === type && e.resource.id === id);
    return i >= 0 ? `Bundle.entry[${String(i)}].resource` : type;
  };
  const coverage = entries.find((e) => e.resource.resourceType === 'Coverage')?.resource as
    Coverage | undefined;
  const payerId = Array.isArray(coverage?.payor) ? coverage.payor[0]?.identifier?.value : undefined;
  return {
    kind: 'encounter',
    ...(payerId ? { payerId } : {}),
    ...(coverage?.type?.coding ? { coverageType: coverage.type.coding } : {}),
    coding: {
      ...coding,
      diagnoses: coding.diagnoses.map((d) => ({ ...d, code: formatIcd10cm(d.code) })),
    },
    facts: {
      ...factsFor((encounter.period?.start ?? '').slice(0, 10), patient),
      ...periodOf(encounter),
    },
    diagnosisPaths: coding.diagnoses.map((d) => pathOf('Condition', d.conditionId)),
    linePaths: coding.lines.map((l) => pathOf('ChargeItem', l.chargeItemId)),
  };
}

/**
 * Reads a Bundle (parsed JSON) into what the edits need. Throws AppError INPUT_INVALID naming
 * every problem when it is not a Bundle with a Claim, or with an Encounter and its resources.
 */
export function scrubInputFromBundle(json: unknown): ScrubInput {
  const problems: string[] = [];
  const bundle = check(bundleSchema, json, 'Bundle', problems);
  if (!bundle) return refuse(problems);
  const entries = bundle.entry as Entry[];
  const claimAt = entries.findIndex((e) => e.resource.resourceType === 'Claim');
  if (claimAt >= 0)
    return claimFromFhir(
      entries[claimAt]?.resource as Claim,
      claimAt,
      entries.map((e) => e.resource),
    );
  if (!entries.some((e) => e.resource.resourceType === 'Encounter'))
    refuse([
      'Bundle: holds neither a Claim nor an Encounter (with its Patient, Conditions and ChargeItems)',
    ]);
  return encounterInput(entries, problems);
}
