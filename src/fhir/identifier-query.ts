import type { Identifier } from 'fhir/r4';

/**
 * The search for a resource by its identifier, as a search parameter value and as the query an
 * `If-None-Exist` header carries (FHIR R4 search.html#token: `system|value`). One spelling, so a
 * conditional create and the search that finds the same resource again cannot drift apart.
 */

/** The `identifier` token `system|value` (an absent part left empty, as FHIR token search reads it). */
export function identifierToken(identifier: Identifier): string {
  return `${identifier.system ?? ''}|${identifier.value ?? ''}`;
}

/** A conditional-create / search query for one identifier (no leading `?`), e.g. `identifier=https%3A…%7Cenc-1`. */
export function identifierQuery(identifier: Identifier): string {
  return `identifier=${encodeURIComponent(identifierToken(identifier))}`;
}
