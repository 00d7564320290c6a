import type { Coverage, Patient } from 'fhir/r4';
import { buildSeedResources } from '../seed-data.ts';
import { membersFromCoverages, type MemberLookup } from './members.ts';

/**
 * The clearinghouse's payers' enrollment in the sandbox: the seeded Coverages (Sandbox Health
 * Plan's and Sandbox Mutual's members) and the Patients they cover (a dependent is found by name
 * and date of birth), as of `now`, the same seed the sandbox EHR holds.
 */
export function sandboxMembers(now: Date): MemberLookup {
  const seed = buildSeedResources(now, { x12: true });
  return membersFromCoverages(
    seed.filter((r): r is Coverage => r.resourceType === 'Coverage'),
    seed.filter((r): r is Patient => r.resourceType === 'Patient'),
  );
}
