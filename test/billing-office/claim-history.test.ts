import { randomUUID } from 'node:crypto';
import type { Claim } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxStack } from '../../cli/sandbox-stack.ts';
import type { ClaimDetail } from '../../src/billing-office/claim-detail-types.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { sandboxNcciTables } from '../../src/ncci/sandbox-ncci.ts';
import { sandboxEhrProfile } from '../../sandbox/ehr-profiles.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import { loadClaimDetail } from '../../smart-app/billing/load-claim-detail.ts';
import { startTestStack } from '../browser/sandbox-stack-fixture.ts';
import { billingApi, billingSignIn } from './billing-sign-in.ts';

/**
 * The claim page's history is whole wherever the claims are kept: in an Epic- or Oracle-like
 * EHR the claims, answers, Tasks and the Provenance of each write live in the billing store, and
 * the page reads every one of them there (issue 17 item 3, issue 13 item 4).
 */
describe.each(['strict', 'epic-like', 'oracle-like'] as const)(
  'the claim history against a %s EHR',
  { timeout: 90_000 },
  (name) => {
    let stack: SandboxStack;
    let biller: string;
    /** The store that holds the claims, as an admin reads it (system token, outside the app). */
    let claims: FhirGateway;

    beforeAll(async () => {
      stack = await startTestStack(false, sandboxEhrProfile(name));
      const store = stack.billing ?? stack.ehr;
      const token = await store.issueSystemToken('system/*.rs');
      claims = createFhirGateway({
        baseUrl: store.fhirBase,
        getToken: () => Promise.resolve(token),
      });
      await stack.worker.tick();
      biller = await billingSignIn(stack, 'pr-biller');
    }, 180_000);
    afterAll(async () => {
      await stack.close();
    });

    async function claimIdOf(encounterId: string): Promise<string> {
      const found = await claims.searchAll('Claim', {
        identifier: `${SYSTEM.claimId}|enc-${encounterId}`,
      });
      const id = found.find((r): r is Claim => r.resourceType === 'Claim')?.id;
      if (!id) throw new Error(`no claim for ${encounterId}`);
      return id;
    }

    it('shows who submitted the claim, who acted on it, and every other event in one timeline', async () => {
      const claimId = await claimIdOf(SEED_SCENARIOS.notCovered);
      const off = await fetch(`${stack.appUrl}/api/billing/claims/${claimId}/write-off`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${biller}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify({ amount: 1, reason: 'small-balance' }),
      });
      expect(off.status, await off.text()).toBe(200);

      const res = await billingApi(stack, biller, `/api/billing/claims/${claimId}`);
      expect(res.status, res.text).toBe(200);
      const detail = res.json as unknown as ClaimDetail;
      expect(detail.historyGaps).toEqual([]);
      const kinds = new Set(detail.timeline.map((e) => e.kind));
      for (const kind of [
        'claim-version',
        'eligibility',
        'submission',
        'acknowledgment',
        'claim-response',
        'task',
        'provenance',
      ])
        expect(kinds, `${kind} in ${[...kinds].join(', ')}`).toContain(kind);
      const written = detail.timeline.filter((e) => e.kind === 'provenance');
      // The worker assembled and submitted the claim: the Provenance of its version says so.
      expect(
        written.some(
          (e) =>
            e.title === 'Claim created by ChartBill worker' &&
            e.detail?.startsWith(`Claim/${claimId}/_history/`),
        ),
        JSON.stringify(written),
      ).toBe(true);
      // The biller wrote the claim off: the write-off Task's Provenance names them.
      const writeOff = detail.actions.find((a) => a.kind === 'write-off');
      expect(writeOff).toBeDefined();
      expect(
        written.some(
          (e) =>
            e.title === 'Task created by Practitioner/pr-biller' &&
            e.detail?.startsWith(`Task/${writeOff?.taskId ?? ''}/_history/`),
        ),
        JSON.stringify(written),
      ).toBe(true);
    });

    // One store is enough to show it: where the search goes is the test above's business.
    it.skipIf(name !== 'strict')(
      'names a part of the history it could not read instead of leaving it out',
      async () => {
        const claimId = await claimIdOf(SEED_SCENARIOS.clean[0]);
        const refusing: FhirGateway = {
          ...claims,
          searchAll: (type, params, max) =>
            type === 'Provenance'
              ? Promise.reject(new Error('FHIR search Provenance failed with HTTP 403'))
              : claims.searchAll(type, params, max),
        };
        const { detail } = await loadClaimDetail(refusing, claimId, starterCodeSet(), {
          ncci: sandboxNcciTables(),
        });
        expect(detail.historyGaps).toEqual([
          {
            part: 'who wrote what (Provenance)',
            message: 'FHIR search Provenance failed with HTTP 403',
          },
        ]);
        expect(detail.timeline.some((e) => e.kind === 'claim-response')).toBe(true);
      },
    );
  },
);
