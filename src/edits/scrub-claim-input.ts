/**
 * A professional Claim read for scrubbing: diagnoses by sequence (codes, or references to
 * Conditions in the bundle or contained), lines with their codes, units, modifiers and diagnosis
 * sequences turned into 1-based pointers, place of service from the items, date of service from
 * the billable period, patient facts from the referenced Patient. Browser-safe.
 */
import type { Claim, Condition, Coverage, Patient } from 'fhir/r4';
import { z } from 'zod';
import { formatIcd10cm } from '../codes/code-format.ts';
import { serviceSystemOf, type DiagnosisEntry, type ServiceLine } from '../coding/coding-model.ts';
import { SYSTEM } from '../fhir/systems.ts';
import type { ScrubInput } from './scrub-input.ts';
import { check, patientSchema, refuse } from './scrub-problems.ts';

const coding = z.looseObject({ system: z.string().optional(), code: z.string().min(1) });
const concept = z.looseObject({ coding: z.array(coding).min(1) });
const claimSchema = z.looseObject({
  resourceType: z.literal('Claim'),
  patient: z.looseObject({ reference: z.string().optional() }),
  billablePeriod: z
    .looseObject({
      start: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'must start with a date YYYY-MM-DD'),
    })
    .optional(),
  insurer: z
    .looseObject({
      reference: z.string().optional(),
      identifier: z.looseObject({ value: z.string().optional() }).optional(),
    })
    .optional(),
  diagnosis: z
    .array(
      z.looseObject({
        sequence: z.number().int().positive(),
        diagnosisCodeableConcept: concept.optional(),
        diagnosisReference: z.looseObject({ reference: z.string() }).optional(),
      }),
    )
    .default([]),
  item: z
    .array(
      z.looseObject({
        sequence: z.number().int().positive(),
        productOrService: concept,
        quantity: z.looseObject({ value: z.number() }).optional(),
        modifier: z.array(concept).optional(),
        diagnosisSequence: z.array(z.number().int()).optional(),
        servicedDate: z.string().optional(),
        locationCodeableConcept: concept.optional(),
      }),
    )
    .default([]),
});

type AnyResource = { resourceType: string; id?: string; contained?: AnyResource[] };

/** Resolves `Patient/1`, `urn:uuid:…` (by id) or `#c1` (contained) among the bundle's resources. */
function resolve(
  reference: string | undefined,
  claim: AnyResource,
  all: AnyResource[],
): AnyResource | undefined {
  if (!reference) return undefined;
  if (reference.startsWith('#')) return claim.contained?.find((r) => r.id === reference.slice(1));
  const id = reference
    .split('/')
    .pop()
    ?.replace(/^urn:uuid:/, '');
  return all.find(
    (r) => r.id === id && (!reference.includes('/') || reference.includes(r.resourceType)),
  );
}

function diagnosisCode(
  dx: z.infer<typeof claimSchema>['diagnosis'][number],
  claim: AnyResource,
  all: AnyResource[],
  where: string,
  problems: string[],
): string | undefined {
  const direct =
    dx.diagnosisCodeableConcept?.coding.find((c) => c.system === SYSTEM.icd10cm) ??
    dx.diagnosisCodeableConcept?.coding[0];
  if (direct) return formatIcd10cm(direct.code);
  const condition = resolve(dx.diagnosisReference?.reference, claim, all) as Condition | undefined;
  const code =
    condition?.code?.coding?.find((c) => c.system === SYSTEM.icd10cm)?.code ??
    condition?.code?.coding?.[0]?.code;
  if (code) return formatIcd10cm(code);
  problems.push(
    `${where}: needs diagnosisCodeableConcept.coding or a diagnosisReference to a Condition in the bundle`,
  );
  return undefined;
}

/** Reads the Claim at `Bundle.entry[index]`; throws INPUT_INVALID naming every problem. */
export function claimFromFhir(raw: Claim, index: number, all: AnyResource[]): ScrubInput {
  const problems: string[] = [];
  const base = `Bundle.entry[${String(index)}].resource(Claim)`;
  const claim = check(claimSchema, raw, base, problems);
  if (!claim) return refuse(problems);
  const diagnoses = [...claim.diagnosis].sort((a, b) => a.sequence - b.sequence);
  const position = new Map(diagnoses.map((d, i) => [d.sequence, i + 1]));
  const dxs: DiagnosisEntry[] = diagnoses.flatMap((d, i) => {
    const code = diagnosisCode(d, raw, all, `${base}.diagnosis[${String(i)}]`, problems);
    return code ? [{ code }] : [];
  });
  const items = [...claim.item].sort((a, b) => a.sequence - b.sequence);
  const lines: ServiceLine[] = items.map((item) => {
    const c =
      item.productOrService.coding.find(
        (x) => x.system === SYSTEM.cpt || x.system === SYSTEM.hcpcs,
      ) ?? item.productOrService.coding[0];
    const code = c?.code ?? '';
    const system =
      c?.system === SYSTEM.hcpcs
        ? 'hcpcs'
        : c?.system === SYSTEM.cpt
          ? 'cpt'
          : serviceSystemOf(code);
    // A sequence with no diagnosis is kept as 0 so the pointer-range edit reports it.
    return {
      code,
      system,
      units: item.quantity?.value ?? 1,
      modifiers: (item.modifier ?? []).flatMap((m) => m.coding[0]?.code ?? []),
      pointers: (item.diagnosisSequence ?? []).map((s) => position.get(s) ?? 0),
    };
  });
  const dateOfService = (claim.billablePeriod?.start ?? items[0]?.servicedDate ?? '').slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dateOfService))
    problems.push(`${base}: needs billablePeriod.start or item.servicedDate (the date of service)`);
  if (problems.length > 0) refuse(problems);
  const found = resolve(claim.patient.reference, raw, all);
  const patient = found
    ? (check(patientSchema, found, `Bundle(${claim.patient.reference ?? 'Patient'})`, problems) as
        Patient | undefined)
    : undefined;
  if (problems.length > 0) refuse(problems);
  const pos = items[0]?.locationCodeableConcept?.coding[0]?.code;
  const payerId = claim.insurer?.identifier?.value ?? claim.insurer?.reference;
  const coverage = resolve(
    Array.isArray(raw.insurance) ? raw.insurance[0]?.coverage.reference : undefined,
    raw,
    all,
  ) as Coverage | undefined;
  return {
    kind: 'claim',
    coding: { diagnoses: dxs, lines },
    facts: {
      dateOfService,
      ...(pos ? { placeOfService: pos } : {}),
      ...(patient?.birthDate ? { patientBirthDate: patient.birthDate } : {}),
      ...(patient?.gender ? { patientSex: patient.gender } : {}),
    },
    ...(payerId ? { payerId } : {}),
    ...(coverage?.type?.coding ? { coverageType: coverage.type.coding } : {}),
    diagnosisPaths: diagnoses.map((_, i) => `Claim.diagnosis[${String(i)}]`),
    linePaths: items.map((_, i) => `Claim.item[${String(i)}]`),
  };
}
