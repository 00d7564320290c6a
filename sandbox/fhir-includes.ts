import { evalFhirPath, getSearchParameter, parseSearchRequest } from '@medplum/core';
import type { MemoryRepository } from '@medplum/fhir-router';
import type { Reference, Resource } from 'fhir/r4';

/** The most resources one `_revinclude` may add to a page. */
const MAX_REVINCLUDE = 1000;

export interface IncludeSpec {
  /** `Encounter` in `Encounter:subject[:Patient]`. */
  sourceType: string;
  /** `subject`. */
  param: string;
  /** `Patient`, when the spec narrows the target type. */
  targetType: string | undefined;
}

/** Parses `_include` / `_revinclude` values (`Type:param[:TargetType]`); `*` and `:iterate` are not supported. */
export function parseIncludeSpec(value: string): IncludeSpec | undefined {
  const match = /^([A-Z][A-Za-z]+):([a-z][A-Za-z0-9_-]*)(?::([A-Z][A-Za-z]+))?$/.exec(value);
  if (!match?.[1] || !match[2]) return undefined;
  if (!getSearchParameter(match[1], match[2])) return undefined;
  return { sourceType: match[1], param: match[2], targetType: match[3] };
}

function key(resource: Resource): string {
  return `${resource.resourceType}/${resource.id ?? ''}`;
}

function referencesOf(resource: Resource, spec: IncludeSpec): string[] {
  const expression = getSearchParameter(spec.sourceType, spec.param)?.expression;
  if (!expression) return [];
  const values = evalFhirPath(expression, resource) as Reference[];
  return values
    .map((v) => v.reference)
    .filter((ref): ref is string => typeof ref === 'string' && /^[A-Z][A-Za-z]+\/[^/]+$/.test(ref))
    .filter((ref) => !spec.targetType || ref.startsWith(`${spec.targetType}/`));
}

/**
 * Resolves `_include` (FHIR R4 search §3.1.1.5.5): for each match of the spec's source type, the
 * resources its search parameter references. Missing targets are skipped, as a server may.
 */
export async function resolveIncludes(
  repo: MemoryRepository,
  matches: Resource[],
  specs: IncludeSpec[],
): Promise<Resource[]> {
  const refs = new Set<string>();
  for (const spec of specs) {
    for (const match of matches) {
      if (match.resourceType === spec.sourceType)
        for (const ref of referencesOf(match, spec)) refs.add(ref);
    }
  }
  // A reference to nothing (deleted, never there) is skipped: one read each, so that one missing
  // target does not fail the whole page (MemoryRepository.readReferences rejects on the first).
  const found = await Promise.all(
    [...refs].map((reference) =>
      repo.readReference({ reference }).then(
        (r) => r as unknown as Resource,
        () => undefined,
      ),
    ),
  );
  return found.filter((r): r is Resource => r !== undefined);
}

/**
 * Resolves `_revinclude`: resources of the spec's source type whose search parameter references
 * one of the matches (e.g. `Condition:encounter` adds the Conditions of the matched Encounters).
 */
export async function resolveRevIncludes(
  repo: MemoryRepository,
  matches: Resource[],
  specs: IncludeSpec[],
): Promise<Resource[]> {
  const out: Resource[] = [];
  for (const spec of specs) {
    const targets = matches
      .filter((m) => !spec.targetType || m.resourceType === spec.targetType)
      .map(key);
    if (targets.length === 0) continue;
    const request = parseSearchRequest(spec.sourceType, {
      [spec.param]: targets.join(','),
      _count: String(MAX_REVINCLUDE),
    });
    const bundle = await repo.search(request);
    for (const entry of bundle.entry ?? [])
      if (entry.resource) out.push(entry.resource as Resource);
  }
  return out;
}

/** Drops duplicates and resources that are already matches, keeping first occurrence order. */
export function distinctIncludes(matches: Resource[], included: Resource[]): Resource[] {
  const seen = new Set(matches.map(key));
  return included.filter((r) => {
    const k = key(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
