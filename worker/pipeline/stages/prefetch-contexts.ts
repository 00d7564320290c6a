import type { Bundle, Resource } from 'fhir/r4';
import type { FhirGateway, SearchParams } from '../../../src/fhir/fhir-gateway.ts';
import type { Logger } from '../../../src/log/create-logger.ts';
import { errorMessage } from '../../../src/errors/error-message.ts';
import { idOfReference } from '../../../src/fhir/reference-id.ts';
import {
  declaresInclude,
  declaresRevInclude,
  UNKNOWN_CAPABILITIES,
  type ServerCapabilities,
} from '../../../src/fhir/server-capabilities.ts';

/** Encounters fetched per request with everything their claims are made from. */
export const PREFETCH_CHUNK = 25;

/**
 * What an Encounter search adds per match: the Patient, the billing Organization and the
 * practitioners, and the ChargeItems and Conditions that point at it (FHIR R4 search §3.1.1.5.5).
 */
export const ENCOUNTER_CONTEXT_PARAMS = {
  _include: ['Encounter:subject', 'Encounter:service-provider', 'Encounter:participant'],
  _revinclude: ['ChargeItem:context', 'Condition:encounter'],
} as const;

/**
 * The Encounter search's includes as far as the server declares them. `_revinclude` is used only
 * when both are declared: FHIR lets a server ignore one it does not support, and a page without
 * ChargeItems must never be read as "no charges". Without it the charges and diagnoses come
 * from plain searches on `context` and `encounter`.
 */
export function encounterContextParams(caps: ServerCapabilities): {
  params: SearchParams;
  revinclude: boolean;
  coveragePayor: boolean;
} {
  const include = ENCOUNTER_CONTEXT_PARAMS._include.filter((spec) =>
    declaresInclude(caps, 'Encounter', spec),
  );
  const revinclude = ENCOUNTER_CONTEXT_PARAMS._revinclude.every((spec) =>
    declaresRevInclude(caps, 'Encounter', spec),
  );
  return {
    params: {
      ...(include.length > 0 ? { _include: include } : {}),
      ...(revinclude ? { _revinclude: [...ENCOUNTER_CONTEXT_PARAMS._revinclude] } : {}),
    },
    revinclude,
    coveragePayor: declaresInclude(caps, 'Coverage', 'Coverage:payor'),
  };
}

/**
 * One encounter's resources as the server sent them, unchecked: each is checked when its
 * encounter is processed, so a broken ChargeItem quarantines its own encounter and no other.
 */
export interface PrefetchedContext {
  encounter: Resource;
  patient: Resource | undefined;
  chargeItems: Resource[];
  conditions: Resource[];
  /** Every Coverage whose beneficiary is the patient. */
  coverages: Resource[];
  /** Organizations and Practitioners by `Type/id`, shared by the chunk. */
  related: ReadonlyMap<string, Resource>;
  /**
   * The patient's prior authorizations (ClaimResponse, use preauthorization) on the billing
   * store; absent when the tick did not prefetch them (each claim then searches its own).
   */
  preauthorizations?: Resource[];
}

/**
 * The context of many encounters in two searches per chunk, where one encounter at a time takes
 * eight requests: `Encounter?_id=…` with its includes and revincludes, then
 * `Coverage?beneficiary=…&_include=Coverage:payor` for the chunk's patients, and beside it (given
 * the billing store) `ClaimResponse?patient=…&use=preauthorization`, their prior authorizations. A chunk that fails,
 * or whose server says it cut its includes short (an `outcome` entry), is left out: those
 * encounters load one by one, so nothing is billed from a partial read.
 */
export async function prefetchContexts(
  clinical: FhirGateway,
  encounterIds: readonly string[],
  log: Logger,
  caps: ServerCapabilities = UNKNOWN_CAPABILITIES,
  billing?: FhirGateway,
): Promise<Map<string, PrefetchedContext>> {
  const out = new Map<string, PrefetchedContext>();
  for (let first = 0; first < encounterIds.length; first += PREFETCH_CHUNK) {
    const chunk = encounterIds.slice(first, first + PREFETCH_CHUNK);
    try {
      for (const [id, context] of await prefetchChunk(clinical, chunk, caps, billing))
        out.set(id, context);
    } catch (err) {
      log.warn(
        { err: errorMessage(err), encounters: chunk.length },
        'prefetch failed; loading these encounters one by one',
      );
    }
  }
  return out;
}

async function prefetchChunk(
  clinical: FhirGateway,
  ids: readonly string[],
  caps: ServerCapabilities,
  billing?: FhirGateway,
): Promise<Map<string, PrefetchedContext>> {
  const plan = encounterContextParams(caps);
  const encounterRefs = ids.map((id) => `Encounter/${id}`).join(',');
  const [encounterPages, chargePages, conditionPages] = await Promise.all([
    pagesOf(clinical, 'Encounter', { _id: ids.join(','), ...plan.params, _count: ids.length }),
    plan.revinclude
      ? []
      : pagesOf(clinical, 'ChargeItem', { context: encounterRefs, _count: 1000 }),
    plan.revinclude
      ? []
      : pagesOf(clinical, 'Condition', { encounter: encounterRefs, _count: 1000 }),
  ]);
  const byRef = new Map<string, Resource>();
  const encounters: Resource[] = [];
  const chargeItems = new Map<string, Resource[]>();
  const conditions = new Map<string, Resource[]>();
  for (const resource of resourcesIn([...encounterPages, ...chargePages, ...conditionPages])) {
    const { resource: r, mode } = resource;
    if (r.resourceType === 'Encounter' && mode !== 'include') encounters.push(r);
    else if (r.resourceType === 'ChargeItem')
      push(chargeItems, idIn(field(r, 'context'), 'Encounter'), r);
    else if (r.resourceType === 'Condition')
      push(conditions, idIn(field(r, 'encounter'), 'Encounter'), r);
    else if (r.id) byRef.set(`${r.resourceType}/${r.id}`, r);
  }
  const patientIds = [
    ...new Set(
      encounters
        .map((e) => idIn(field(e, 'subject'), 'Patient'))
        .filter((id): id is string => id !== undefined),
    ),
  ];
  const coverages = new Map<string, Resource[]>();
  const patientRefs = patientIds.map((id) => `Patient/${id}`).join(',');
  // One after the other: at concurrency 1 the worker keeps one request in flight (a busy EHR's
  // per-user limit counts them), and a chunk is 25 encounters, so the wait is paid once per 25.
  const coveragePages =
    patientIds.length > 0
      ? await pagesOf(clinical, 'Coverage', {
          beneficiary: patientRefs,
          ...(plan.coveragePayor ? { _include: 'Coverage:payor' } : {}),
          _count: 1000,
        })
      : [];
  const preauthorizations =
    billing && patientIds.length > 0 ? await preauthorizationsOf(billing, patientRefs) : undefined;
  for (const { resource: r, mode } of resourcesIn(coveragePages)) {
    if (r.resourceType === 'Coverage' && mode !== 'include')
      push(coverages, idIn(field(r, 'beneficiary'), 'Patient'), r);
    else if (r.id) byRef.set(`${r.resourceType}/${r.id}`, r);
  }
  const out = new Map<string, PrefetchedContext>();
  for (const encounter of encounters) {
    const id = encounter.id;
    if (!id || !ids.includes(id)) continue;
    const patientId = idIn(field(encounter, 'subject'), 'Patient');
    out.set(id, {
      encounter,
      patient: patientId ? byRef.get(`Patient/${patientId}`) : undefined,
      chargeItems: chargeItems.get(id) ?? [],
      conditions: conditions.get(id) ?? [],
      coverages: patientId ? (coverages.get(patientId) ?? []) : [],
      related: byRef,
      ...(preauthorizations
        ? { preauthorizations: (patientId ? preauthorizations.get(patientId) : undefined) ?? [] }
        : {}),
    });
  }
  return out;
}

/**
 * The chunk's patients' prior authorizations in one search of the billing store (the claim
 * would otherwise search its patient's alone), by patient id.
 */
async function preauthorizationsOf(
  billing: FhirGateway,
  patientRefs: string,
): Promise<Map<string, Resource[]>> {
  const pages = await pagesOf(billing, 'ClaimResponse', {
    patient: patientRefs,
    use: 'preauthorization',
    _count: 1000,
  });
  const byPatient = new Map<string, Resource[]>();
  for (const { resource: r, mode } of resourcesIn(pages))
    if (r.resourceType === 'ClaimResponse' && mode !== 'include')
      push(byPatient, idIn(field(r, 'patient'), 'Patient'), r);
  return byPatient;
}

/** Every page of a search; refused when the server reports it left results out. */
async function pagesOf(
  clinical: FhirGateway,
  type: string,
  params: SearchParams,
): Promise<Bundle[]> {
  const pages: Bundle[] = [];
  for await (const page of clinical.searchPages(type, params)) {
    if ((page.entry ?? []).some((e) => e.search?.mode === 'outcome'))
      throw new Error(
        `the ${type} search reported a problem with its results (search.mode outcome)`,
      );
    pages.push(page);
  }
  return pages;
}

function* resourcesIn(
  pages: readonly Bundle[],
): Generator<{ resource: Resource; mode: string | undefined }> {
  for (const page of pages) {
    for (const entry of page.entry ?? [])
      if (entry.resource) yield { resource: entry.resource, mode: entry.search?.mode };
  }
}

function field(resource: Resource, name: string): unknown {
  return (resource as unknown as Record<string, unknown>)[name];
}

/** `idOfReference` of a Reference-shaped value read from an unchecked resource. */
function idIn(reference: unknown, type: string): string | undefined {
  const value = (reference as { reference?: unknown } | undefined)?.reference;
  return typeof value === 'string' ? idOfReference(value, type) : undefined;
}

function push(map: Map<string, Resource[]>, key: string | undefined, resource: Resource): void {
  if (!key) return;
  const list = map.get(key);
  if (list) list.push(resource);
  else map.set(key, [resource]);
}
