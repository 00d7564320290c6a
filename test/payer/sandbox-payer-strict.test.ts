import type { ClaimResponse, OperationOutcome } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { startSandboxPayer, type SandboxPayer } from '../../sandbox/payer-server.ts';
import { claimBundle, post } from './payer-test-kit.ts';

let payer: SandboxPayer | undefined;
afterEach(async () => {
  await payer?.close();
  payer = undefined;
});

describe('sandbox payer in strict mode (as a clearinghouse)', () => {
  it('rejects a second Claim/$submit of the same claim as a duplicate, counts it, and still answers the inquiry', async () => {
    payer = await startSandboxPayer({
      port: 0,
      logger: createLogger('silent', 'payer-test'),
      strict: true,
    });
    const first = await post(`${payer.fhirBase}/Claim/$submit`, claimBundle());
    expect(first.status).toBe(200);
    const again = await post(`${payer.fhirBase}/Claim/$submit`, claimBundle());
    expect(again.status).toBe(409);
    expect((again.body as unknown as OperationOutcome).issue[0]).toMatchObject({
      severity: 'error',
      code: 'duplicate',
    });
    const key = `${SYSTEM.claimId}|enc-enc-1`;
    expect(payer.audit()).toMatchObject({
      submits: { [key]: 2 },
      adjudicated: { [key]: 1 },
      duplicates: { [key]: 1 },
    });
    const inquiry = await post(`${payer.fhirBase}/Claim/$inquire`, {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          resource: {
            resourceType: 'Claim',
            identifier: [{ system: SYSTEM.claimId, value: 'enc-enc-1' }],
          },
        },
      ],
    });
    expect((inquiry.body as unknown as ClaimResponse).id).toBe(
      (first.body as unknown as ClaimResponse).id,
    );
  });
});
