import type { Coverage, Organization, Patient } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { claimsTo837 } from '../../src/x12/claim-to-837.ts';
import { collect835 } from '../../src/x12/collect-835.ts';
import { startSandboxStack, type SandboxStack } from '../../cli/sandbox-stack.ts';
import { buildSeedResources } from '../../sandbox/seed-data.ts';
import { X12_PAYER } from '../../sandbox/seed-people.ts';
import { chartbillClaimInput, testX12Config } from '../x12/x12-fixtures.ts';
import { sftpTransport } from './clearinghouse-fixture.ts';

describe('the sandbox stack runs the clearinghouse beside the payer', { timeout: 120_000 }, () => {
  let stack: SandboxStack;
  beforeAll(async () => {
    stack = await startSandboxStack({
      host: '127.0.0.1',
      ports: { app: 0, ehr: 0, payer: 0, worker: 0 },
      logger: createLogger('silent', 'stack-clearinghouse-test'),
      codes: starterCodeSet(),
      workerSchedule: '*/5 * * * * *',
      startWorker: false,
      history: false,
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('seeds Sandbox Mutual as a payer with a payer id, covering patients the clearinghouse knows', async () => {
    const seed = buildSeedResources(new Date(), { x12: true });
    const payer = seed.find((r): r is Organization => r.id === X12_PAYER.id);
    expect(payer?.identifier).toEqual([{ system: SYSTEM.payerId, value: 'SBXMUT' }]);
    const covered = seed
      .filter((r): r is Coverage => r.resourceType === 'Coverage')
      .filter((c) => c.payor[0]?.identifier?.value === X12_PAYER.payerId);
    expect(covered.length).toBeGreaterThan(0);
    // A claim for one of them, sent over the stack's SFTP, is paid by Sandbox Mutual.
    const member = covered[0];
    const patient = seed.find(
      (r): r is Patient => `Patient/${r.id ?? ''}` === member?.beneficiary.reference,
    );
    const input = chartbillClaimInput();
    input.patient = { ...input.patient, name: patient?.name ?? [] };
    input.coverage = { ...input.coverage, subscriberId: member?.subscriberId ?? '' };
    input.payer = { ...(input.payer ?? { resourceType: 'Organization' }), ...payer };
    const today = new Date().toISOString().slice(0, 10);
    for (const item of input.claim.item ?? []) item.servicedDate = today;
    const transport = sftpTransport({
      ...stack.clearinghouse.settings,
      CHARTBILL_X12_SENDER_ID: 'SBXFAMILYMED',
    });
    try {
      await transport.upload(
        'sandbox-0001.837',
        claimsTo837([input], testX12Config(), 1, new Date()),
      );
      const names = await stack.clearinghouse.answered('sandbox-0001.837');
      const era = names.find((n) => n.includes('-835-'));
      const [remit] = await collect835(await transport.download(era ?? ''));
      expect(remit?.payment.payerName).toBe('Sandbox Mutual');
      expect(remit?.claims[0]?.paid).toBeGreaterThan(0);
    } finally {
      await transport.close();
    }
  });
});
