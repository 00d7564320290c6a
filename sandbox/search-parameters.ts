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
 * `count`/`false`; a modifier the search does not apply to the parameter's type (`status:not`
 * is applied, `type:in` is not).
 */
export function unsupportedSearchParams(type: string, query: URLSearchParams): string[] {
  const declared = declaredNames(type);
  const out = new Set<string>();
  for (const [key, value] of query) {
    const name = key.split(':')[0] ?? key;
    if (key === '_summary' && !SUMMARIES.has(value)) out.add(key);
    else if (!RESULT_PARAMS.has(name) && (!declared.has(name) || key.includes('.'))) out.add(key);
    else if (unsupportedModifier(type, key)) out.add(key);
  }
  return [...out];
}

/**
 * Modifiers (FHIR R4 search.html §3.1.1.4) the memory search applies, by parameter type; every
 * type takes `:missing`. A reference's `:[type]` is rewritten first (`fitReferenceSearch`). Others
 * (`:in`, `:below`, `:of-type`, `:identifier`, a typo) match nothing there: they are unsupported.
 */
const MODIFIERS: Readonly<Record<string, ReadonlySet<string>>> = {
  string: new Set(['exact', 'contains']),
  token: new Set(['not', 'text']),
};

/** The declared parameter `name` of `type` with its R4 definition's type and targets. */
function definitionOf(type: string, name: string): { type: string; target: string[] } | undefined {
  if (!declaredNames(type).has(name)) return undefined;
  const def = getSearchParameters(type)?.[name];
  return def ? { type: def.type, target: def.target ?? [] } : undefined;
}

/** Whether `key` (`name:modifier`) carries a modifier the search does not apply. */
function unsupportedModifier(type: string, key: string): boolean {
  const [name = key, modifier] = key.split(':');
  if (modifier === undefined || modifier === 'missing' || RESULT_PARAMS.has(name)) return false;
  const def = definitionOf(type, name);
  if (!def) return false; // judged as an undeclared parameter instead
  return !(MODIFIERS[def.type]?.has(modifier) ?? false);
}

/**
 * Rewrites reference searches to the form the memory search matches, with the meaning FHIR R4
 * search.html §3.1.1.4.9 gives them (as HAPI and other servers answer): `subject:Patient=123` is
 * `subject=Patient/123`, and a bare id (`patient=123`) is the reference to that id of any of the
 * parameter's target types. A type modifier the parameter does not target is left, to be refused.
 */
export function fitReferenceSearch(type: string, query: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const [key, value] of query) {
    const [name = key, modifier] = key.split(':');
    const def = definitionOf(type, name);
    if (def?.type !== 'reference' || (modifier !== undefined && !def.target.includes(modifier))) {
      out.append(key, value);
      continue;
    }
    const targets = modifier !== undefined ? [modifier] : def.target;
    const values = value
      .split(',')
      .flatMap((v) => (v.includes('/') || v === '' ? [v] : targets.map((t) => `${t}/${v}`)));
    out.append(name, values.join(','));
  }
  return out;
}
