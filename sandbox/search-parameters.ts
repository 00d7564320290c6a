import { getSearchParameters } from '@medplum/core';
import type { CapabilityStatementRestResourceSearchParam } from 'fhir/r4';

/** The R4 base and US Core definitions; medplum's own (`_compartment`, `_source`, its extras) are not FHIR R4. */
const STANDARD_URL = /^http:\/\/hl7\.org\/fhir\/(us\/core\/)?SearchParameter\//;

/** Parameters for all resources (FHIR R4 search.html §3.1.1.3) that the memory search applies. */
const ALL_RESOURCES: readonly CapabilityStatementRestResourceSearchParam[] = [
  { name: '_id', type: 'token' },
  { name: '_lastUpdated', type: 'date' },
  { name: '_tag', type: 'token' },
  { name: '_profile', type: 'uri' },
  { name: '_security', type: 'token' },
];

/** Types the memory search matches; composite and special parameters (`near`, `_text`) it does not. */
const APPLIED_TYPES: ReadonlySet<string> = new Set([
  'number',
  'date',
  'string',
  'token',
  'reference',
  'quantity',
  'uri',
]);

/**
 * Search result parameters (FHIR R4 search.html §3.1.1.5) the sandbox applies: paging (`_offset`
 * as HAPI and medplum page), `_sort`, `_include`/`_revinclude` (dropped first by profiles without
 * them, profile-gate.ts), `_summary` (only `count` and `false`), `_total` (always accurate) and
 * `_format`. Not `_elements`, `_contained`, `_has` or chains: the memory search ignores them.
 */
const RESULT_PARAMS: ReadonlySet<string> = new Set([
  '_count',
  '_offset',
  '_sort',
  '_include',
  '_revinclude',
  '_summary',
  '_total',
  '_format',
  '_pretty',
]);

/** `_summary` values the search honours (fhir-search.ts): a count, or the whole resources. */
const SUMMARIES: ReadonlySet<string> = new Set(['count', 'false']);

/** The search parameters the server declares, and applies, for a resource type. */
export function declaredSearchParams(type: string): CapabilityStatementRestResourceSearchParam[] {
  const own = Object.entries(getSearchParameters(type) ?? {})
    .filter(([, p]) => STANDARD_URL.test(p.url) && APPLIED_TYPES.has(p.type))
    .map(([name, p]) => ({ name, type: p.type }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return [
    ...ALL_RESOURCES,
    { name: '_count', type: 'number' },
    { name: '_offset', type: 'number' },
    ...own,
  ];
}

const cache = new Map<string, ReadonlySet<string>>();

function declaredNames(type: string): ReadonlySet<string> {
  let names = cache.get(type);
  if (!names) {
    names = new Set(declaredSearchParams(type).map((p) => p.name));
    cache.set(type, names);
  }
  return names;
}

/**
 * The query's parameter names the server does not apply to a search of `type`: neither declared
 * for the type nor a result parameter; a chain (`patient.name`) or a `_summary` other than
 * `count`/`false`. A modifier (`status:not`) is judged by its parameter's name.
 */
export function unsupportedSearchParams(type: string, query: URLSearchParams): string[] {
  const declared = declaredNames(type);
  const out = new Set<string>();
  for (const [key, value] of query) {
    const name = key.split(':')[0] ?? key;
    if (key === '_summary' && !SUMMARIES.has(value)) out.add(key);
    else if (!RESULT_PARAMS.has(name) && (!declared.has(name) || key.includes('.'))) out.add(key);
  }
  return [...out];
}
