import type { ClaimResponse } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { sandboxEhrProfile, type SandboxEhrProfileName } from '../../sandbox/ehr-profiles.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { REAL_CLAIM_IDS } from '../../sandbox/seed-real-claims.ts';
import { segmentsOf, startRealClaimsStack, type RealClaimsStack } from './real-claims-kit.ts';
import { all } from './worker-kit.ts';

let run: RealClaimsStack | undefined;
afterEach(async () => {
  await run?.close();
  run = undefined;
});

const PROFILES: SandboxEhrProfileName[] = ['strict', 'epic-like', 'oracle-like', 'medplum-like'];

/**
 * The worker finds the payer's prior authorization for a visit whatever kind of EHR it runs
 * against: where the EHR takes no financial writes (Epic, Oracle Health), the authorization is
 * kept in the billing store beside the claims, and that is where the worker looks.
 */
describe('the prior authorization on file reaches the claim in every sandbox EHR profile', () => {
  it.each(PROFILES)(
    '%s: Claim.insurance.preAuthRef and REF*G1 carry the authorization number',
    async (name) => {
      run = await startRealClaimsStack(sandboxEhrProfile(name));
      const claim = await run.claimOf(SEED_SCENARIOS.realClaims.priorAuth);
      expect(claim.insurance[0]?.preAuthRef).toEqual([REAL_CLAIM_IDS.priorAuthNumber]);
      expect(segmentsOf(await run.sent837(claim))).toContain(
        `REF*G1*${REAL_CLAIM_IDS.priorAuthNumber}`,
      );
      // Kept where the claims are: an EHR with a billing store beside it holds none itself.
      if (run.stack.billing) {
        const token = await run.stack.ehr.issueSystemToken('system/*.rs');
        const ehr = createFhirGateway({
          baseUrl: run.stack.ehr.fhirBase,
          getToken: () => Promise.resolve(token),
        });
        expect(await all<ClaimResponse>(ehr, 'ClaimResponse', { use: 'preauthorization' })).toEqual(
          [],
        );
      }
    },
    240_000,
  );
});
