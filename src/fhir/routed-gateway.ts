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
 */
export function routedGateway(
  main: FhirGateway,
  other: FhirGateway,
  types: readonly string[] = CODING_TYPES,
): FhirGateway {
  const routed = new Set(types);
  // A path such as `Claim/1/_history` goes where its type goes.
  const to = (type: string) => (routed.has(type.split('/')[0] ?? '') ? other : main);
  const searchTo = (type: string, params: SearchParams) =>
    type === 'Condition' && isChartCategory(params.category) ? main : to(type);
  return {
    baseUrl: main.baseUrl,
    read: (type, id) => to(type).read(type, id),
    searchPages: (type, params) => searchTo(type, params).searchPages(type, params),
    searchAll: (type, params, max) => searchTo(type, params).searchAll(type, params, max),
    create: (resource, options) => to(resource.resourceType).create(resource, options),
    update: (resource, options) => to(resource.resourceType).update(resource, options),
    batch: (bundle) => main.batch(bundle),
    operation: (path, body) =>
      to(path.replace(/^\//, '').split(/[/?$]/)[0] ?? '').operation(path, body),
  };
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
