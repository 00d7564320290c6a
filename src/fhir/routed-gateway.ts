import type { FhirResource, Resource } from 'fhir/r4';
import { AppError } from '../errors/app-error.ts';
import type { FhirGateway, SearchParams } from './fhir-gateway.ts';
import type { CapabilitiesSource, ServerCapabilities, TypeSupport } from './server-capabilities.ts';

/** The clinician's coding: what an EHR such as Epic or Oracle Health may not store for apps. */
export const CODING_TYPES = ['Condition', 'ChargeItem'] as const;

/** What the worker writes to the billing store, and the app's status view reads back. */
export const BILLING_TYPES = [
  'Claim',
  'ClaimResponse',
  'CoverageEligibilityRequest',
  'CoverageEligibilityResponse',
  'Task',
] as const;

/**
 * Everything kept where the claims are: BILLING_TYPES and the payments an 835 ERA reports
 * (PaymentReconciliation), which the worker writes beside the claims and the billing office reads.
 */
export const BILLING_STORE_TYPES = [...BILLING_TYPES, 'PaymentReconciliation'] as const;

/**
 * One gateway over two FHIR servers: requests about `types` go to `other`, everything else to
 * `main` (`CHARTBILL_CODING_STORE=billing`: the coding lives on the billing FHIR server while
 * encounters, patients and coverage stay in the EHR); a Condition search for problem-list or
 * health-concern categories stays on `main`. A batch goes to `main` whole; an
 * operation path naming one of `types` goes to `other`.
 *
 * A Provenance lives beside what it describes (audited-gateway.ts writes it on the target's
 * server), so it is routed by its `target`, not by its own type: a create goes where its targets
 * are, and a search by `target` (or `target:Type`) goes where the targets are, split in two when
 * an OR list names both homes. A search with no target (and a read by id) stays on `main`.
 */
export function routedGateway(
  main: FhirGateway,
  other: FhirGateway,
  types: readonly string[] = CODING_TYPES,
): FhirGateway {
  const routed = new Set(types);
  // A path such as `Claim/1/_history` goes where its type goes.
  const to = (type: string) => (routed.has(type.split('/')[0] ?? '') ? other : main);
  const homes: Homes = { main, other, isOther: (type) => routed.has(type) };
  const searches = (type: string, params: SearchParams): Search[] =>
    type === 'Provenance'
      ? byTarget(homes, params)
      : [
          {
            gateway: type === 'Condition' && isChartCategory(params.category) ? main : to(type),
            params,
          },
        ];
  const writeTo = (resource: Resource) =>
    resource.resourceType === 'Provenance'
      ? provenanceHome(homes, resource as Resource & { target?: { reference?: string }[] })
      : to(resource.resourceType);
  return {
    baseUrl: main.baseUrl,
    read: (type, id) => to(type).read(type, id),
    async *searchPages(type, params) {
      for (const s of searches(type, params)) yield* s.gateway.searchPages(type, s.params);
    },
    async searchAll(type, params, max) {
      const found: FhirResource[] = [];
      for (const s of searches(type, params)) {
        const left: number | undefined = max === undefined ? undefined : max - found.length;
        if (left !== undefined && left <= 0) break;
        found.push(...(await s.gateway.searchAll(type, s.params, left)));
      }
      return found;
    },
    create: (resource, options) => writeTo(resource).create(resource, options),
    update: (resource, options) => writeTo(resource).update(resource, options),
    batch: (bundle) => main.batch(bundle),
    operation: (path, body) =>
      to(path.replace(/^\//, '').split(/[/?$]/)[0] ?? '').operation(path, body),
  };
}

interface Homes {
  main: FhirGateway;
  other: FhirGateway;
  isOther(type: string): boolean;
}

interface Search {
  gateway: FhirGateway;
  params: SearchParams;
}

/** The type a reference names: `Claim/1`, `Claim/1/_history/2` or an absolute URL ending so. */
function typeOfReference(reference: string): string | undefined {
  return /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^/]+)?$/.exec(
    reference,
  )?.[1];
}

/**
 * The searches a Provenance search becomes, by where its `target` references live. One OR list
 * (`target=Claim/1,Encounter/2`) naming both homes becomes one search on each; targets that must
 * all match (a repeated `target`) but live in two homes would match nothing anywhere, and are
 * refused in words rather than answered empty.
 */
function byTarget(homes: Homes, params: SearchParams): Search[] {
  const keys = Object.keys(params).filter((k) => k === 'target' || k.startsWith('target:'));
  if (keys.length === 0) return [{ gateway: homes.main, params }];
  const isOther = (key: string, ref: string) =>
    homes.isOther(key.split(':')[1] ?? typeOfReference(ref) ?? '');
  const single = keys.length === 1 && !Array.isArray(params[keys[0] ?? '']);
  if (single) {
    const key = keys[0] ?? 'target';
    const refs = String(params[key]).split(',');
    const there = refs.filter((r) => isOther(key, r));
    const here = refs.filter((r) => !isOther(key, r));
    return [
      ...(here.length > 0
        ? [{ gateway: homes.main, params: { ...params, [key]: here.join(',') } }]
        : []),
      ...(there.length > 0
        ? [{ gateway: homes.other, params: { ...params, [key]: there.join(',') } }]
        : []),
    ];
  }
  const placed = keys.flatMap((key) => {
    const value = params[key] ?? '';
    const refs = (Array.isArray(value) ? value : [String(value)]).flatMap((v) => v.split(','));
    return refs.map((r) => isOther(key, r));
  });
  if (placed.every(Boolean)) return [{ gateway: homes.other, params }];
  if (!placed.some(Boolean)) return [{ gateway: homes.main, params }];
  throw new AppError(
    'INPUT_INVALID',
    'A Provenance search cannot require targets kept on two different FHIR servers.',
  );
}

/** Where a Provenance is written: where its targets are (all of them in one store). */
function provenanceHome(
  homes: Homes,
  provenance: { target?: { reference?: string }[] },
): FhirGateway {
  const types = (provenance.target ?? []).map((t) => typeOfReference(t.reference ?? '') ?? '');
  return types.length > 0 && types.every((t) => homes.isOther(t)) ? homes.other : homes.main;
}

/**
 * A Condition search for the chart's own categories (problem list, health concerns: what the
 * app offers as suggestions) stays on the EHR; only encounter diagnoses are coding.
 */
function isChartCategory(category: SearchParams[string] | undefined): boolean {
  if (category === undefined) return false;
  const values = (Array.isArray(category) ? category : [String(category)]).flatMap((c) =>
    c.split(','),
  );
  return values.every((c) => !c.endsWith('encounter-diagnosis'));
}

/**
 * The capabilities of a `routedGateway`: `types` as `other` declares them, the rest as `main`
 * does, without any `_include`/`_revinclude` of `main` that names one of `types` (those records
 * are not on `main`, so an empty answer there would wrongly mean "none").
 */
export function routedCapabilities(
  main: CapabilitiesSource,
  other: CapabilitiesSource,
  types: readonly string[] = CODING_TYPES,
): CapabilitiesSource {
  const routed = new Set(types);
  const mentionsRouted = (spec: string) =>
    spec === '*' || spec.split(':').some((part) => routed.has(part));
  return {
    async get(): Promise<ServerCapabilities> {
      const [m, o] = await Promise.all([main.get(), other.get()]);
      const merged = new Map<string, TypeSupport>();
      for (const [type, support] of m.types) {
        if (routed.has(type)) continue;
        merged.set(type, {
          ...support,
          searchInclude: support.searchInclude.filter((s) => !mentionsRouted(s)),
          searchRevInclude: support.searchRevInclude.filter((s) => !mentionsRouted(s)),
        });
      }
      for (const type of types) {
        const support = o.types.get(type);
        if (support) merged.set(type, support);
      }
      return { ...m, types: merged };
    },
  };
}
