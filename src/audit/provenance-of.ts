import type { Provenance } from 'fhir/r4';
import type { FhirGateway } from '../fhir/fhir-gateway.ts';

/** Targets per search: 40 versioned references keep the URL near 2 KB, under any server's limit. */
const TARGETS_PER_SEARCH = 40;

/**
 * The Provenance of `targets`, as written: ChartBill names the exact version it wrote
 * (`Claim/1/_history/2`, build-provenance.ts), and a strict server matches a reference search
 * exactly, so the caller passes the versions it knows (and the plain reference, for records that
 * others wrote unversioned). Searched `TARGETS_PER_SEARCH` at a time, each Provenance once.
 */
export async function provenanceOf(
  fhir: FhirGateway,
  targets: readonly string[],
  maxPerSearch = 2000,
): Promise<Provenance[]> {
  const unique = [...new Set(targets)];
  const found = new Map<string, Provenance>();
  for (let i = 0; i < unique.length; i += TARGETS_PER_SEARCH) {
    const page = await fhir.searchAll(
      'Provenance',
      { target: unique.slice(i, i + TARGETS_PER_SEARCH).join(','), _count: 200 },
      maxPerSearch,
    );
    for (const p of page)
      if (p.resourceType === 'Provenance') found.set(p.id ?? String(found.size), p);
  }
  return [...found.values()];
}
