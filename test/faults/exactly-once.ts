import type { Claim, ClaimResponse } from 'fhir/r4';
import { expect } from 'vitest';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import type { PayerAudit } from '../../sandbox/payer-server.ts';
import { all } from '../worker/worker-kit.ts';

/** The seed's own finished encounters that reach the payer. */
export const SEEDED_SUBMITTED: readonly string[] = [
  ...SEED_SCENARIOS.clean,
  SEED_SCENARIOS.timelyFiling,
  SEED_SCENARIOS.notCovered,
];

/**
 * What billing staff and the payer see for each encounter: one Claim, one `$submit` received by
 * the payer and one final (not `queued`) answer. Returns the store's claims and answers for
 * further checks.
 */
export async function expectOnceEach(
  fhir: FhirGateway,
  audit: PayerAudit,
  encounterIds: readonly string[],
): Promise<{ claims: Claim[]; answers: ClaimResponse[] }> {
  const claims = await all<Claim>(fhir, 'Claim');
  const answers = await all<ClaimResponse>(fhir, 'ClaimResponse');
  for (const id of encounterIds) {
    const mine = claims.filter((c) => c.identifier?.[0]?.value === `enc-${id}`);
    expect(mine, id).toHaveLength(1);
    expect(audit.submits[`${SYSTEM.claimId}|enc-${id}`], `submissions received for ${id}`).toBe(1);
    expect(
      answers
        .filter((r) => r.request?.reference === `Claim/${mine[0]?.id ?? ''}`)
        .map((r) => r.outcome === 'queued'),
      id,
    ).toEqual([false]);
  }
  return { claims, answers };
}
