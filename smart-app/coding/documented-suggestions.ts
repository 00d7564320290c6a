import type { Condition, FhirResource, Procedure } from 'fhir/r4';
import type { EncounterCoding } from '../../src/coding/coding-model.ts';
import type { CodeEntry, CodeSet } from '../../src/codes/code-set.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';

/** Codes the chart already documents that the coding does not have yet, to add with one click. */
export interface Suggestions {
  diagnoses: (CodeEntry & { source: string })[];
  services: (CodeEntry & { source: string })[];
}

/** True for a Condition ChartBill codes on the claim: an encounter diagnosis with an ICD-10-CM code. */
export function isCodedDiagnosis(condition: Condition): boolean {
  const category =
    condition.category?.some((c) => c.coding?.some((x) => x.code === 'encounter-diagnosis')) ??
    false;
  return category && (condition.code?.coding?.some((c) => c.system === SYSTEM.icd10cm) ?? false);
}

/**
 * Reads the patient's active problem list and the encounter's documented procedures (best
 * effort: a server that refuses either search just yields no suggestions).
 */
export async function loadDocumented(
  fhir: FhirGateway,
  patientId: string,
  encounterId: string,
): Promise<{ problems: Condition[]; procedures: Procedure[] }> {
  const quietly = (p: Promise<FhirResource[]>) => p.catch(() => [] as FhirResource[]);
  const [conditions, procedures] = await Promise.all([
    quietly(
      fhir.searchAll(
        'Condition',
        { patient: `Patient/${patientId}`, category: 'problem-list-item', _count: 100 },
        200,
      ),
    ),
    quietly(
      fhir.searchAll('Procedure', { encounter: `Encounter/${encounterId}`, _count: 100 }, 200),
    ),
  ]);
  return {
    problems: conditions.filter((r): r is Condition => r.resourceType === 'Condition'),
    procedures: procedures.filter((r): r is Procedure => r.resourceType === 'Procedure'),
  };
}

/** Pure: the documented codes that are real in the code set and not yet in the coding. */
export function suggestionsFrom(
  problems: Condition[],
  procedures: Procedure[],
  coding: EncounterCoding,
  codes: CodeSet,
): Suggestions {
  const haveDx = new Set(coding.diagnoses.map((d) => d.code));
  const haveSvc = new Set(coding.lines.map((l) => l.code));
  const diagnoses = new Map<string, CodeEntry & { source: string }>();
  for (const c of problems) {
    const active = c.clinicalStatus?.coding?.some((x) => x.code === 'active') ?? true;
    const icd = c.code?.coding?.find((x) => x.system === SYSTEM.icd10cm)?.code;
    const entry = icd && active ? codes.lookup('icd10cm', icd) : undefined;
    if (entry && !haveDx.has(entry.code))
      diagnoses.set(entry.code, { ...entry, source: 'Problem list' });
  }
  const services = new Map<string, CodeEntry & { source: string }>();
  for (const p of procedures) {
    if (p.status !== 'completed') continue;
    for (const coding of p.code?.coding ?? []) {
      const system =
        coding.system === SYSTEM.cpt ? 'cpt' : coding.system === SYSTEM.hcpcs ? 'hcpcs' : undefined;
      const entry = system && coding.code ? codes.lookup(system, coding.code) : undefined;
      if (entry && !haveSvc.has(entry.code))
        services.set(entry.code, { ...entry, source: 'Documented procedure' });
    }
  }
  return { diagnoses: [...diagnoses.values()], services: [...services.values()] };
}
