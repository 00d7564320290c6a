import { getStatus } from '@medplum/core';
import type { MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, BundleEntry, BundleLink, OperationOutcome, Resource } from 'fhir/r4';
import {
  distinctIncludes,
  parseIncludeSpec,
  resolveIncludes,
  resolveRevIncludes,
  type IncludeSpec,
} from './fhir-includes.ts';
import { errorAnswer, type FhirAnswer, type FhirCall } from './fhir-response.ts';

/** Page size when the client gives no `_count` (medplum's default too), and the most we serve. */
export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;

export interface SearchContext {
  repo: MemoryRepository;
  route: (call: FhirCall) => Promise<[OperationOutcome, Resource?]>;
  fhirBase: string;
  canSeeIncluded: ((resource: Resource) => boolean) | undefined;
}

interface Paging {
  count: number;
  offset: number;
}

function parsePaging(query: URLSearchParams): Paging | string {
  const count = query.has('_count') ? Number(query.get('_count')) : DEFAULT_COUNT;
  const offset = query.has('_offset') ? Number(query.get('_offset')) : 0;
  if (!Number.isInteger(count) || count < 0) return '_count must be a non-negative integer';
  if (!Number.isInteger(offset) || offset < 0) return '_offset must be a non-negative integer';
  return { count: Math.min(count, MAX_COUNT), offset };
}

function parseSpecs(values: string[]): IncludeSpec[] | string {
  const specs: IncludeSpec[] = [];
  for (const value of values) {
    const spec = parseIncludeSpec(value);
    if (!spec) return `Unsupported include: ${value} (use Type:searchParam[:TargetType])`;
    specs.push(spec);
  }
  return specs;
}

/**
 * A type-level search with what FHIR R4 search.html §3.1.1.5 promises on top of medplum's memory
 * search: `self`/`next`/`previous` links as absolute URLs (clients follow them verbatim),
 * `fullUrl` and `search.mode` on each entry, and `_include`/`_revinclude` entries with
 * `search.mode = include`. Paging uses `_count`/`_offset`.
 */
export async function searchWithPaging(call: FhirCall, ctx: SearchContext): Promise<FhirAnswer> {
  const paging = parsePaging(call.query);
  if (typeof paging === 'string') return errorAnswer(400, 'invalid', paging);
  const includes = parseSpecs(call.query.getAll('_include'));
  const revIncludes = parseSpecs(call.query.getAll('_revinclude'));
  if (typeof includes === 'string') return errorAnswer(400, 'not-supported', includes);
  if (typeof revIncludes === 'string') return errorAnswer(400, 'not-supported', revIncludes);

  // `_summary=count`: the total and no resources (FHIR R4 search §3.1.1.5.8).
  const countOnly = call.query.get('_summary') === 'count';
  const query = new URLSearchParams(call.query);
  query.delete('_include');
  query.delete('_revinclude');
  query.delete('_summary');
  query.set('_count', String(countOnly ? 0 : paging.count));
  query.set('_offset', String(paging.offset));
  const [result, resource] = await ctx.route({ ...call, query });
  const status = getStatus(result as never);
  if (status >= 300 || resource?.resourceType !== 'Bundle')
    return { status: status >= 300 ? status : 500, body: result, headers: {} };
  const found = resource as Bundle;

  if (countOnly) {
    const counted: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: found.total ?? 0,
      link: [selfLink(call, ctx.fhirBase)],
    };
    return { status: 200, body: counted, headers: {} };
  }

  const matches = (found.entry ?? [])
    .map((e) => e.resource)
    .filter((r): r is Resource => r !== undefined);
  const included = distinctIncludes(matches, [
    ...(await resolveIncludes(ctx.repo, matches, includes)),
    ...(await resolveRevIncludes(ctx.repo, matches, revIncludes)),
  ]).filter((r) => ctx.canSeeIncluded?.(r) ?? true);

  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(found.total !== undefined ? { total: found.total } : {}),
    link: links(call, paging, matches.length, found.total, ctx.fhirBase),
    entry: [
      ...matches.map((r) => entry(r, 'match', ctx.fhirBase)),
      ...included.map((r) => entry(r, 'include', ctx.fhirBase)),
    ],
  };
  return { status: 200, body: bundle, headers: {} };
}

function entry(resource: Resource, mode: 'match' | 'include', fhirBase: string): BundleEntry {
  return {
    fullUrl: `${fhirBase}/${resource.resourceType}/${resource.id ?? ''}`,
    resource,
    search: { mode },
  };
}

function selfLink(call: FhirCall, fhirBase: string): BundleLink {
  const path = call.path.map(encodeURIComponent).join('/');
  return { relation: 'self', url: `${fhirBase}/${path}?${call.query.toString()}` };
}

function links(
  call: FhirCall,
  paging: Paging,
  returned: number,
  total: number | undefined,
  fhirBase: string,
): BundleLink[] {
  const url = (offset: number): string => {
    const query = new URLSearchParams(call.query);
    query.set('_count', String(paging.count));
    query.set('_offset', String(offset));
    return `${fhirBase}/${call.path.map(encodeURIComponent).join('/')}?${query.toString()}`;
  };
  const out: BundleLink[] = [{ relation: 'self', url: url(paging.offset) }];
  const more = total !== undefined ? paging.offset + returned < total : returned === paging.count;
  if (paging.count > 0 && returned > 0 && more)
    out.push({ relation: 'next', url: url(paging.offset + paging.count) });
  if (paging.offset > 0)
    out.push({ relation: 'previous', url: url(Math.max(0, paging.offset - paging.count)) });
  return out;
}
