import type { Bundle, Resource } from 'fhir/r4';

/**
 * The Bundle a payer's `$submit` takes: type `collection`, the request (Claim or
 * CoverageEligibilityRequest) first, then the resources it references (Patient, Coverage,
 * Organizations, Practitioner), as in Da Vinci PAS and the FHIR `Claim/$submit` operation.
 * With `fhirBase`, each entry gets the absolute `fullUrl` its relative references resolve to.
 */
export function submissionBundle(
  request: Resource,
  supporting: readonly (Resource | undefined)[],
  fhirBase?: string,
): Bundle {
  const seen = new Set<string>();
  const resources = [request, ...supporting].filter((r): r is Resource => {
    if (!r) return false;
    const key = `${r.resourceType}/${r.id ?? String(seen.size)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: resources.map((resource) => ({
      ...(fhirBase && resource.id
        ? { fullUrl: `${fhirBase.replace(/\/+$/, '')}/${resource.resourceType}/${resource.id}` }
        : {}),
      resource,
    })),
  };
}
