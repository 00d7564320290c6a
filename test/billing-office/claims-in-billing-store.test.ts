import type { Claim } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxStack, type SandboxStack } from '../../cli/sandbox-stack.ts';
import type { ClaimDetail } from '../../src/billing-office/claim-detail-types.ts';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { createFhirGateway } from '../../src/fhir/http-fhir-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { sandboxEhrProfile } from '../../sandbox/ehr-profiles.ts';
import { SEED_SCENARIOS } from '../../sandbox/seed-data.ts';
import type { SandboxEhr } from '../../sandbox/start-sandbox-ehr.ts';
import { billingApi, billingSignIn } from './billing-sign-in.ts';

/**
 * Issue 13, item 4: the billing workspace reads the claims where the worker writes them, the
 * billing FHIR server whenever one is set, even when the app keeps the coding in the EHR
 * (CHARTBILL_CODING_STORE=ehr): an EHR that takes no Claim writes (Oracle Health) holds none to read.
 */
describe('the billing workspace with a billing FHIR server and CHARTBILL_CODING_STORE=ehr', () => {
  let stack: SandboxStack;
  beforeAll(async () => {
    stack = await startSandboxStack({
      host: '127.0.0.1',
      ports: { app: 0, ehr: 0, payer: 0, worker: 0 },
      logger: createLogger('silent', 'claims-in-billing-store-test'),
      codes: starterCodeSet(),
      workerSchedule: '0 0 0 1 1 *',
      startWorker: false,
      history: false,
      profile: sandboxEhrProfile('oracle-like'),
      appSettings: { CHARTBILL_CODING_STORE: 'ehr' },
    });
    await stack.worker.tick();
  }, 180_000);
  afterAll(async () => {
    await stack.close();
  });

  it('opens a claim the worker submitted, from the billing store', async () => {
    const billing = stack.billing as SandboxEhr;
    const token = await billing.issueSystemToken('system/Claim.rs');
    const store = createFhirGateway({
      baseUrl: billing.fhirBase,
      getToken: () => Promise.resolve(token),
    });
    const [claim] = (
      await store.searchAll('Claim', {
        identifier: `${SYSTEM.claimId}|enc-${SEED_SCENARIOS.notCovered}`,
      })
    ).filter((r): r is Claim => r.resourceType === 'Claim');
    expect(claim?.id).toBeDefined();

    const biller = await billingSignIn(stack, 'pr-biller');
    const res = await billingApi(stack, biller, `/api/billing/claims/${claim?.id ?? ''}`);
    expect(res.status, res.text).toBe(200);
    const detail = res.json as unknown as ClaimDetail;
    expect(detail.timeline.some((e) => e.kind === 'claim-version')).toBe(true);
  }, 120_000);
});
