import type { Claim, ClaimResponse, PaymentReconciliation, Provenance } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { claimInput } from '../../src/x12/claim-input.ts';
import { workerActor } from '../../src/audit/audit-actor.ts';
import { createAuditSink } from '../../src/audit/audit-sink.ts';
import { auditedGateway } from '../../src/audit/audited-gateway.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { claimsTo837 } from '../../src/x12/claim-to-837.ts';
import { importEra } from '../../src/x12/import-era.ts';
import { all, logger, startWorld, workerFor, type World } from '../worker/worker-kit.ts';
import { testX12Config } from './x12-fixtures.ts';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** An 835 paying `matched` (a claim number the server knows) and one it does not know. */
function eraFor(matched: string): string {
  const body = [
    'ST*835*0001~',
    'BPR*I*150*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260305~',
    'TRN*1*EFT-777*1512345678~',
    'N1*PR*SANDBOX HEALTH PLAN*XV*SBXHP~',
    'N1*PE*SANDBOX FAMILY PRACTICE*XX*1234567893~',
    'LX*1~',
    `CLP*${matched}*1*195*120*25*12*PCN-1~`,
    'SVC*HC:99213*195*120**1~',
    'CAS*CO*45*50~',
    'CAS*PR*3*25~',
    'CLP*NOT-OURS-42*1*40*30*10*12*PCN-2~',
    'CAS*PR*1*10~',
    'SE*13*0001~',
  ];
  return body.join('\n');
}

describe('X12 against the sandbox FHIR server', () => {
  it('writes the 837P of a worker-made Claim read from the server with nothing missing', async () => {
    world = await startWorld();
    await workerFor(world).tick();
    const claims = await all<Claim>(world.fhir, 'Claim');
    const claim = claims[0];
    if (!claim?.id) throw new Error('the worker made no claim');
    const input = await claimInput(world.fhir, claim.id);
    expect(input.patient.id).toBe(claim.patient.reference?.split('/')[1]);
    expect(input.coverage.resourceType).toBe('Coverage');
    expect(input.billingProvider.identifier?.some((i) => i.system === SYSTEM.npi)).toBe(true);
    // The sandbox's claims carry what X12 needs: billing ZIP+4 and taxonomy, a short control number.
    const text = claimsTo837([input], testX12Config(), 1, new Date());
    const pcn = claim.identifier?.find((i) => i.system === SYSTEM.patientControlNumber)?.value;
    expect(text).toContain(`CLM*${pcn ?? '-'}*`);
    expect(text).toContain('PRV*BI*PXC*207Q00000X~');
    expect(text).toContain('ST*837*0001*005010X222A1~');
  });

  it('imports an ERA once, audited, and lists the claim it does not know as unmatched', async () => {
    world = await startWorld();
    await workerFor(world).tick();
    const claim = (await all<Claim>(world.fhir, 'Claim'))[0];
    const number = claim?.identifier?.find((i) => i.system === SYSTEM.claimId)?.value;
    if (!claim?.id || !number) throw new Error('the worker made no claim');
    const sink = createAuditSink({ store: world.fhir, logger });
    const fhir = auditedGateway(world.fhir, {
      actor: workerActor('x12-import-test'),
      sink,
      logger,
    });
    const first = await importEra(fhir, eraFor(number), { now: new Date('2026-03-05T12:00:00Z') });
    expect(first).toMatchObject({ claimResponses: 2, created: 2 });
    expect(first.payments).toEqual([{ trace: 'EFT-777', amount: 150, created: true }]);
    expect(first.unmatched).toEqual([
      { patientControlNumber: 'NOT-OURS-42', payerClaimControlNumber: 'PCN-2', paid: 30 },
    ]);
    const again = await importEra(fhir, eraFor(number), { now: new Date('2026-03-06T12:00:00Z') });
    expect(again).toMatchObject({ claimResponses: 2, created: 0 });
    expect(again.payments[0]?.created).toBe(false);
    await sink.close();

    const responses = (await all<ClaimResponse>(world.fhir, 'ClaimResponse')).filter((r) =>
      r.identifier?.some((i) => i.system === 'https://chartbill.dev/fhir/identifier/era-claim'),
    );
    expect(responses).toHaveLength(2);
    const ours = responses.find((r) => r.request?.reference === `Claim/${claim.id ?? ''}`);
    expect(ours?.patient.reference).toBe(claim.patient.reference);
    // The ERA's payment (the FHIR payer's own payments for the seeded visits aside).
    const recon = (await all<PaymentReconciliation>(world.fhir, 'PaymentReconciliation')).filter(
      (p) => p.paymentIdentifier?.value === 'EFT-777',
    );
    expect(recon).toHaveLength(1);
    expect(recon[0]?.detail?.map((d) => d.amount?.value)).toEqual([120, 30]);
    const provenance = await all<Provenance>(world.fhir, 'Provenance');
    expect(
      provenance.some((p) =>
        p.target.some((t) => t.reference?.startsWith(`ClaimResponse/${ours?.id ?? '-'}/`)),
      ),
    ).toBe(true);
  });
});
