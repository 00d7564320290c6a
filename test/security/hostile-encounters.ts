import type {
  Bundle,
  BundleEntry,
  ChargeItem,
  Condition,
  Coverage,
  Encounter,
  Organization,
  Patient,
  Resource,
} from 'fhir/r4';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { EXT, SYSTEM } from '../../src/fhir/systems.ts';

/**
 * Builds encounters, patients, coverages and organizations the way a careless EHR or a hostile
 * writer could leave them, for the worker's trust-boundary tests and the fuzz bench. Each piece
 * says only what differs from a clean visit; the rest is a clean, covered office visit.
 */

/** A code as the EHR wrote it; `subject` (a patient id) when it names someone else. */
export interface CodeSpec {
  system?: string;
  code?: string;
  text?: string;
  subject?: string;
  /** Extra codings besides the first (e.g. an ICD-10-CM one next to a SNOMED one). */
  also?: { system?: string; code: string }[];
}

export interface LineSpec extends CodeSpec {
  units?: number;
  modifiers?: string[];
}

export interface VisitSpec {
  /** The Encounter's id; its Conditions are `<id>-dx<n>`, its ChargeItems `<id>-line<n>`. */
  id: string;
  /** The patient's id. */
  patient: string;
  start: string;
  end?: string;
  /** The billing Organization's id; `org-billing` by default. */
  serviceProvider?: string;
  practitioner?: string;
  diagnoses: CodeSpec[];
  lines: LineSpec[];
}

export const icd = (code: string, extra: Partial<CodeSpec> = {}): CodeSpec => ({
  system: SYSTEM.icd10cm,
  code,
  ...extra,
});
export const cpt = (code: string, extra: Partial<LineSpec> = {}): LineSpec => ({
  system: SYSTEM.cpt,
  code,
  ...extra,
});

/** `days` days before `now`, as an instant. */
export function daysAgo(days: number, now = new Date()): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString();
}

function concept(spec: CodeSpec): { coding?: { system?: string; code?: string }[]; text?: string } {
  const first =
    spec.system === undefined && spec.code === undefined
      ? []
      : [
          {
            ...(spec.system ? { system: spec.system } : {}),
            ...(spec.code ? { code: spec.code } : {}),
          },
        ];
  const coding = [
    ...first,
    ...(spec.also ?? []).map((c) => ({ ...(c.system ? { system: c.system } : {}), code: c.code })),
  ];
  return { ...(coding.length ? { coding } : {}), ...(spec.text ? { text: spec.text } : {}) };
}

/** The visit's Encounter, Conditions and ChargeItems (each line points at the first diagnosis). */
export function visitResources(visit: VisitSpec): Resource[] {
  const patientRef = (id?: string) => ({ reference: `Patient/${id ?? visit.patient}` });
  const encounter: Encounter = {
    resourceType: 'Encounter',
    id: visit.id,
    status: 'finished',
    class: { system: SYSTEM.actCode, code: 'AMB' },
    subject: patientRef(),
    period: { start: visit.start, end: visit.end ?? visit.start },
    participant: [{ individual: { reference: `Practitioner/${visit.practitioner ?? 'pr-1'}` } }],
    serviceProvider: { reference: `Organization/${visit.serviceProvider ?? 'org-billing'}` },
  };
  const conditions = visit.diagnoses.map((dx, i): Condition => ({
    resourceType: 'Condition',
    id: `${visit.id}-dx${String(i + 1)}`,
    subject: patientRef(dx.subject),
    encounter: { reference: `Encounter/${visit.id}` },
    category: [{ coding: [{ system: SYSTEM.conditionCategory, code: 'encounter-diagnosis' }] }],
    extension: [{ url: EXT.diagnosisRank, valuePositiveInt: i + 1 }],
    code: concept(dx),
  }));
  const lines = visit.lines.map((line, i): ChargeItem => ({
    resourceType: 'ChargeItem',
    id: `${visit.id}-line${String(i + 1)}`,
    status: 'billable',
    subject: patientRef(line.subject),
    context: { reference: `Encounter/${visit.id}` },
    code: concept(line),
    quantity: { value: line.units ?? 1 },
    occurrenceDateTime: visit.start,
    extension: [
      { url: EXT.lineSequence, valuePositiveInt: i + 1 },
      ...(line.modifiers ?? []).map((m) => ({
        url: EXT.modifier,
        valueCoding: { system: /^\d\d$/.test(m) ? SYSTEM.cpt : SYSTEM.hcpcs, code: m },
      })),
      ...(conditions[0]
        ? [
            {
              url: EXT.diagnosisPointer,
              valueReference: { reference: `Condition/${conditions[0].id ?? ''}` },
            },
          ]
        : []),
    ],
  }));
  return [encounter, ...conditions, ...lines];
}

/** A patient of the tests' own (not one of the seeded ones), born on `birthDate`. */
export function patient(id: string, birthDate = '1980-04-12'): Patient {
  return {
    resourceType: 'Patient',
    id,
    active: true,
    name: [{ family: 'Fuzz', given: [id] }],
    gender: 'female',
    birthDate,
  };
}

/** What a Coverage's `payor` is. */
export type PayorSpec = { reference?: string; display?: string };

/** An active coverage of `patientId`, in force from 2020, paid by the sandbox payer unless `payor` says otherwise. */
export function coverage(
  patientId: string,
  payor: PayorSpec = { reference: 'Organization/org-payer' },
  beneficiary = patientId,
): Coverage {
  return {
    resourceType: 'Coverage',
    id: `cov-${patientId}`,
    status: 'active',
    identifier: [{ system: SYSTEM.memberId, value: `M-${patientId}` }],
    subscriber: { reference: `Patient/${beneficiary}` },
    subscriberId: `M-${patientId}`,
    beneficiary: { reference: `Patient/${beneficiary}` },
    relationship: { coding: [{ system: SYSTEM.subscriberRelationship, code: 'self' }] },
    period: { start: '2020-01-01' },
    payor: [payor],
  };
}

/** An organization with the given identifiers (an insurer nobody registered, a provider with a bad NPI). */
export function organization(
  id: string,
  identifier: { system: string; value: string }[],
  name = id,
): Organization {
  return { resourceType: 'Organization', id, active: true, name, identifier };
}

/** Writes resources with their own ids, as PUTs in batches of 100; throws when the EHR refuses any. */
export async function putAll(fhir: FhirGateway, resources: readonly Resource[]): Promise<void> {
  for (let first = 0; first < resources.length; first += 100) {
    const entry: BundleEntry[] = resources.slice(first, first + 100).map((resource) => ({
      resource,
      request: { method: 'PUT', url: `${resource.resourceType}/${resource.id ?? ''}` },
    }));
    const answer = await fhir.batch({
      resourceType: 'Bundle',
      type: 'batch',
      entry,
    } satisfies Bundle);
    const failed = (answer.entry ?? []).findIndex((e) => !/^20[01]/.test(e.response?.status ?? ''));
    if (failed >= 0)
      throw new Error(
        `the EHR refused ${entry[failed]?.request?.url ?? '?'}: ${JSON.stringify(answer.entry?.[failed]?.response)}`,
      );
  }
}
