import {
  convertToSearchableReferences,
  convertToSearchableTokens,
  deepClone,
  evalFhirPath,
  evalFhirPathTyped,
  globalSchema,
  matchesSearchRequest,
  Operator,
  parseFhirPath,
  splitSearchOnComma,
  toTypedValue,
  type Filter,
  type FhirPathAtom,
  type SearchRequest,
  type SortRule,
  type WithId,
} from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Resource } from '@medplum/fhirtypes';

/** Sort rules answered here; any other rule goes to medplum's own search. */
const OWN_SORTS = new Set(['_lastUpdated', '_id']);
const QUERY_TTL_MS = 30_000;
const MAX_QUERIES_PER_TYPE = 50;

/** The current version of a resource; `seq` reproduces the insertion order medplum's store iterates in. */
interface Stored {
  readonly resource: Resource;
  readonly seq: number;
  readonly sortKeys: Map<string, string>;
}

/** Keys of one token or reference search parameter, computed the way medplum's matcher reads them. */
interface ParamIndex {
  readonly kind: 'token' | 'reference';
  readonly atom: FhirPathAtom;
  readonly ids: Map<string, Set<string>>;
  readonly keysOf: Map<string, string[]>;
  /** Resources whose keys could not be computed: always candidates, so the matcher decides. */
  readonly unkeyed: Set<string>;
}

interface CachedMatches {
  readonly matches: Stored[];
  readonly expiresAtMs: number;
}

interface TypeState {
  readonly resources: Map<string, Stored>;
  readonly indexes: Map<string, ParamIndex>;
  readonly queries: Map<string, CachedMatches>;
}

/**
 * medplum's `MemoryRepository` answers every search by running the FHIRPath matcher (re-parsing
 * the expression) over every resource of the type and cloning each match, so conditional creates,
 * `_id`/reference lists and paging cost O(n) per request. This subclass answers the same searches
 * from a mirror of the current versions: token and reference indexes (built per search parameter
 * on first use, kept current on every write) only narrow the candidates, medplum's
 * `matchesSearchRequest` still decides each one, the sorted matches of a query are cached until
 * the next write to the type, and only the returned page is cloned. Answers are identical to the
 * base class, including order, `total` and the insertion order of unsorted results.
 */
export class IndexedMemoryRepository extends MemoryRepository {
  private readonly types = new Map<string, TypeState>();
  private readonly now: () => number;
  private nextSeq = 0;

  constructor(options: { now?: () => number } = {}) {
    super();
    this.now = options.now ?? Date.now;
  }

  override clear(): void {
    super.clear();
    this.types.clear();
  }

  override async createResource<T extends Resource>(resource: T): Promise<WithId<T>> {
    const created = await super.createResource(resource);
    this.remember(deepClone(created));
    return created;
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    await super.deleteResource(resourceType, id);
    this.forget(resourceType, id);
  }

  override async search<T extends Resource>(
    searchRequest: SearchRequest<T>,
  ): Promise<Bundle<WithId<T>>> {
    if (searchRequest.sortRules?.some((rule) => !OWN_SORTS.has(rule.code)))
      return super.search(searchRequest);
    const matches = this.matches(searchRequest);
    let page = matches;
    if (searchRequest.offset !== undefined) page = page.slice(searchRequest.offset);
    if (searchRequest.count !== undefined) page = page.slice(0, searchRequest.count);
    const entry = page.map((stored) => ({ resource: deepClone(stored.resource) as WithId<T> }));
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: entry.length ? entry : undefined,
      total: matches.length,
    };
  }

  private state(resourceType: string): TypeState {
    let state = this.types.get(resourceType);
    if (!state) {
      state = { resources: new Map(), indexes: new Map(), queries: new Map() };
      this.types.set(resourceType, state);
    }
    return state;
  }

  private remember<T extends Resource>(resource: WithId<T>): void {
    const state = this.state(resource.resourceType);
    const previous = state.resources.get(resource.id);
    for (const index of state.indexes.values()) {
      if (previous) unindex(index, resource.id);
      addToIndex(index, resource.id, resource);
    }
    state.resources.set(resource.id, {
      resource,
      seq: previous?.seq ?? this.nextSeq++,
      sortKeys: new Map(),
    });
    state.queries.clear();
  }

  private forget(resourceType: string, id: string): void {
    const state = this.types.get(resourceType);
    if (!state) return;
    for (const index of state.indexes.values()) unindex(index, id);
    state.resources.delete(id);
    state.queries.clear();
  }

  /** All matches of the request's filters, sorted by its rules; shared between pages of one query. */
  private matches(searchRequest: SearchRequest): Stored[] {
    const state = this.state(searchRequest.resourceType);
    const key = JSON.stringify([searchRequest.filters ?? [], searchRequest.sortRules ?? []]);
    const nowMs = this.now();
    const cached = state.queries.get(key);
    if (cached && cached.expiresAtMs > nowMs) return cached.matches;
    state.queries.delete(key);

    const matches = this.candidates(state, searchRequest).filter((stored) =>
      matchesSearchRequest(stored.resource, searchRequest),
    );
    for (const rule of searchRequest.sortRules ?? []) {
      const sign = rule.descending ? -1 : 1;
      matches.sort((a, b) => sortKey(a, rule).localeCompare(sortKey(b, rule)) * sign);
    }

    for (const [k, entry] of state.queries) if (entry.expiresAtMs <= nowMs) state.queries.delete(k);
    const oldest = state.queries.keys().next();
    if (state.queries.size >= MAX_QUERIES_PER_TYPE && !oldest.done)
      state.queries.delete(oldest.value);
    state.queries.set(key, { matches, expiresAtMs: nowMs + QUERY_TTL_MS });
    return matches;
  }

  /** The smallest candidate set any indexable filter gives, in store order; every resource otherwise. */
  private candidates(state: TypeState, searchRequest: SearchRequest): Stored[] {
    let best: Set<string> | undefined;
    for (const filter of searchRequest.filters ?? []) {
      const ids = this.narrow(state, searchRequest.resourceType, filter);
      if (ids && (!best || ids.size < best.size)) best = ids;
    }
    if (!best) return [...state.resources.values()];
    const out: Stored[] = [];
    for (const id of best) {
      const stored = state.resources.get(id);
      if (stored) out.push(stored);
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** Ids that may match an `eq` token or reference filter; undefined when the index cannot tell. */
  private narrow(state: TypeState, resourceType: string, filter: Filter): Set<string> | undefined {
    if (filter.operator !== Operator.EQUALS) return undefined;
    const param = globalSchema.types[resourceType]?.searchParams?.[filter.code];
    if (!param?.expression) return undefined;
    let kind: ParamIndex['kind'];
    let keys: string[] | undefined;
    if (param.type === 'token') {
      kind = 'token';
      keys = tokenKeys(filter.value);
    } else if (
      param.type === 'reference' &&
      filter.code !== '_compartment' &&
      filter.value !== ''
    ) {
      kind = 'reference';
      keys = splitSearchOnComma(filter.value);
    } else {
      return undefined;
    }
    if (!keys) return undefined;

    let index = state.indexes.get(filter.code);
    if (!index) {
      index = {
        kind,
        atom: atomFor(param.expression),
        ids: new Map(),
        keysOf: new Map(),
        unkeyed: new Set(),
      };
      for (const [id, stored] of state.resources) addToIndex(index, id, stored.resource);
      state.indexes.set(filter.code, index);
    }
    const ids = new Set(index.unkeyed);
    for (const key of keys) for (const id of index.ids.get(key) ?? []) ids.add(id);
    return ids;
  }
}

/**
 * The lower-cased codes an `eq` token filter compares (medplum's `matchesTokenValue`: the part
 * after the first `|` when there is one); undefined for `system|`, which any code matches.
 */
function tokenKeys(value: string): string[] | undefined {
  const keys: string[] = [];
  for (const filterValue of splitSearchOnComma(value)) {
    if (!filterValue.includes('|')) {
      keys.push(filterValue.toLowerCase());
      continue;
    }
    const [system = '', code = ''] = filterValue.split('|').map((s) => s.toLowerCase());
    if (!code && system) return undefined;
    if (code) keys.push(code);
  }
  return keys;
}

function indexKeys(index: ParamIndex, resource: Resource): string[] {
  const values = evalFhirPathTyped(index.atom, [toTypedValue(resource)]);
  if (index.kind === 'reference') return convertToSearchableReferences(values);
  const keys = new Set<string>();
  for (const token of convertToSearchableTokens(values))
    if (token.value !== undefined) keys.add(token.value.toLowerCase());
  return [...keys];
}

function addToIndex(index: ParamIndex, id: string, resource: Resource): void {
  let keys: string[];
  try {
    keys = indexKeys(index, resource);
  } catch {
    index.unkeyed.add(id);
    return;
  }
  index.keysOf.set(id, keys);
  for (const key of keys) {
    let ids = index.ids.get(key);
    if (!ids) {
      ids = new Set();
      index.ids.set(key, ids);
    }
    ids.add(id);
  }
}

function unindex(index: ParamIndex, id: string): void {
  index.unkeyed.delete(id);
  for (const key of index.keysOf.get(id) ?? []) {
    const ids = index.ids.get(key);
    ids?.delete(id);
    if (ids?.size === 0) index.ids.delete(key);
  }
  index.keysOf.delete(id);
}

const atoms = new Map<string, FhirPathAtom>();

/** Parsed search parameter expressions; the set is bounded by the loaded definitions. */
function atomFor(expression: string): FhirPathAtom {
  let atom = atoms.get(expression);
  if (!atom) {
    atom = parseFhirPath(expression);
    atoms.set(expression, atom);
  }
  return atom;
}

/** The string medplum's memory sort compares for this rule (JSON of the parameter's values). */
function sortKey(stored: Stored, rule: SortRule): string {
  let key = stored.sortKeys.get(rule.code);
  if (key === undefined) {
    const expression =
      globalSchema.types[stored.resource.resourceType]?.searchParams?.[rule.code]?.expression;
    key = expression ? JSON.stringify(evalFhirPath(atomFor(expression), stored.resource)) : '';
    stored.sortKeys.set(rule.code, key);
  }
  return key;
}
