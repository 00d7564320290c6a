import type { Coverage } from 'fhir/r4';
import { buildSeedResources } from '../seed-data.ts';
import { membersFromCoverages, type MemberLookup } from './members.ts';

/**
 * The clearinghouse's payers' enrollment in the sandbox: the seeded Coverages (Sandbox Health
 * Plan's and Sandbox Mutual's members), as of `now`, the same seed the sandbox EHR holds.
 */
export function sandboxMembers(now: Date): MemberLookup {
  return membersFromCoverages(
    buildSeedResources(now, { x12: true }).filter(
      (r): r is Coverage => r.resourceType === 'Coverage',
    ),
  );
}
