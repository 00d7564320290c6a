import type { Bundle, BundleEntry, ChargeItem, Condition, Encounter, Resource } from 'fhir/r4';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { EXT, SYSTEM } from '../../src/fhir/systems.ts';

/** Seeded patients with active coverage (1-18; 19-20 lapsed, 21-22 uninsured). */
const COVERED_PATIENTS = 18;
const VISITS = [
  { dx: 'I10', cpt: '99213' },
  { dx: 'J06.9', cpt: '99213' },
  { dx: 'E11.9', cpt: '99214' },
  { dx: 'M54.50', cpt: '99212' },
] as const;

/** The ids of the resources of extra encounter `n` of a batch named `prefix`. */
export function extraEncounterId(prefix: string, n: number): string {
  return `${prefix}-${String(n)}`;
}

/**
 * Writes `count` finished, coded, clean encounters (one diagnosis, one office visit line) for
 * covered patients through the FHIR API, as PUTs with our own ids in batches of 100 (a batch
 * cannot resolve references between its own new entries; fixed ids make them resolvable).
 * Returns the Encounter ids.
 */
export async function seedCodedEncounters(
  fhir: FhirGateway,
  count: number,
  prefix = 'extra',
  now = new Date(),
  spread: Spread = {},
): Promise<string[]> {
  const ids: string[] = [];
  for (let first = 0; first < count; first += 100) {
    const entries: BundleEntry[] = [];
    for (let n = first; n < Math.min(count, first + 100); n++) {
      const id = extraEncounterId(prefix, n);
      ids.push(id);
      for (const resource of codedEncounter(id, n, now, spread))
        entries.push({
          resource,
          request: { method: 'PUT', url: `${resource.resourceType}/${resource.id ?? ''}` },
        });
    }
    const answer = await fhir.batch({
      resourceType: 'Bundle',
      type: 'batch',
      entry: entries,
    } satisfies Bundle);
    const failed = (answer.entry ?? []).filter((e) => !/^20[01]/.test(e.response?.status ?? ''));
    if (failed.length > 0)
      throw new Error(`seeding failed: ${JSON.stringify(failed[0]?.response)}`);
  }
  return ids;
}

/**
 * `seedCodedEncounters` for an EHR that cannot hold the coding or take batches (the epic-like and
 * oracle-like sandbox): the same encounters, their Conditions and ChargeItems on `coding` (the
 * billing store) when given, each server written with batches where `batch` says it takes them
 * and one PUT at a time (8 in flight) otherwise. Returns the Encounter ids.
 */
export async function seedCodedEncountersIn(
  servers: { ehr: FhirGateway; coding?: FhirGateway; ehrBatch: boolean },
  count: number,
  prefix: string,
  now = new Date(),
): Promise<string[]> {
  const ids: string[] = [];
  for (let first = 0; first < count; first += 100) {
    const forEhr: Resource[] = [];
    const forCoding: Resource[] = [];
    for (let n = first; n < Math.min(count, first + 100); n++) {
      const id = extraEncounterId(prefix, n);
      ids.push(id);
      for (const r of codedEncounter(id, n, now, {}))
        (servers.coding && r.resourceType !== 'Encounter' ? forCoding : forEhr).push(r);
    }
    await putAll(servers.ehr, forEhr, servers.ehrBatch);
    if (servers.coding) await putAll(servers.coding, forCoding, true);
  }
  return ids;
}

async function putAll(fhir: FhirGateway, resources: Resource[], batch: boolean): Promise<void> {
  if (resources.length === 0) return;
  if (!batch) {
    const queue = [...resources];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let r = queue.shift(); r; r = queue.shift())
          await fhir.update(r as Encounter | Condition | ChargeItem);
      }),
    );
    return;
  }
  const answer = await fhir.batch({
    resourceType: 'Bundle',
    type: 'batch',
    entry: resources.map((resource) => ({
      resource,
      request: { method: 'PUT', url: `${resource.resourceType}/${resource.id ?? ''}` },
    })),
  } satisfies Bundle);
  const failed = (answer.entry ?? []).filter((e) => !/^20[01]/.test(e.response?.status ?? ''));
  if (failed.length > 0) throw new Error(`seeding failed: ${JSON.stringify(failed[0]?.response)}`);
}

/** Over how many patients and days the encounters are spread (default 18 covered patients, 20 days). */
export interface Spread {
  patients?: number;
  days?: number;
}

function codedEncounter(id: string, n: number, now: Date, spread: Spread): Resource[] {
  const patient = `Patient/pat-${String((n % (spread.patients ?? COVERED_PATIENTS)) + 1).padStart(2, '0')}`;
  const visit = VISITS[n % VISITS.length] ?? VISITS[0];
  const start = new Date(
    now.getTime() - (2 + (n % (spread.days ?? 20))) * 86_400_000,
  ).toISOString();
  const encounter: Encounter = {
    resourceType: 'Encounter',
    id,
    status: 'finished',
    class: { system: SYSTEM.actCode, code: 'AMB' },
    subject: { reference: patient },
    period: { start, end: start },
    participant: [{ individual: { reference: `Practitioner/pr-${String((n % 3) + 1)}` } }],
    serviceProvider: { reference: 'Organization/org-billing' },
  };
  const condition: Condition = {
    resourceType: 'Condition',
    id: `${id}-dx`,
    subject: { reference: patient },
    encounter: { reference: `Encounter/${id}` },
    category: [{ coding: [{ system: SYSTEM.conditionCategory, code: 'encounter-diagnosis' }] }],
    extension: [{ url: EXT.diagnosisRank, valuePositiveInt: 1 }],
    code: { coding: [{ system: SYSTEM.icd10cm, code: visit.dx }] },
  };
  const charge: ChargeItem = {
    resourceType: 'ChargeItem',
    id: `${id}-line`,
    status: 'billable',
    subject: { reference: patient },
    context: { reference: `Encounter/${id}` },
    code: { coding: [{ system: SYSTEM.cpt, code: visit.cpt }] },
    quantity: { value: 1 },
    occurrenceDateTime: start,
    extension: [{ url: EXT.diagnosisPointer, valueReference: { reference: `Condition/${id}-dx` } }],
  };
  return [encounter, condition, charge];
}
