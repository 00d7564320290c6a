import type { ClaimResponse, Coverage, Encounter } from 'fhir/r4';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStatus } from '../../smart-app/status/build-status.ts';
import { all, claimsOf, tasksOf } from '../worker/worker-kit.ts';
import { startX12World, type X12World } from './x12-worker-kit.ts';

let x: X12World | undefined;
afterEach(async () => {
  await x?.close();
  x = undefined;
});

const patientOf = async (w: X12World, encounterId: string) =>
  (await w.world.fhir.read<Encounter>('Encounter', encounterId)).subject?.reference?.split(
    '/',
  )[1] ?? '';

async function timeline(w: X12World, encounterId: string) {
  const view = await loadStatus(w.world.fhir, await patientOf(w, encounterId), encounterId);
  return view.claims.find((c) => c.encounterId === encounterId);
}

describe('claims to payers reached through an X12 clearinghouse', () => {
  it('routes by payer id: the X12 payer gets an 837P file named from CLM01 and ISA13, the FHIR payer its $submit, self-pay nothing', async () => {
    x = await startX12World(['enc-clean-1']);
    // enc-clean-2's patient pays for themselves: the Coverage's payor is the patient.
    const selfPay = await patientOf(x, 'enc-clean-2');
    const coverage = await x.world.fhir.read<Coverage>('Coverage', `cov-${selfPay}`);
    coverage.payor = [{ reference: `Patient/${selfPay}` }];
    await x.world.fhir.update(coverage);

    await x.worker().tick();

    const sent = await x.folder.sent();
    expect(sent).toHaveLength(1);
    const [file] = sent;
    expect(file?.claimNumber).toBe('enc-enc-clean-1');
    expect(file?.file).toBe(`enc-enc-clean-1.${String(file?.control).padStart(9, '0')}.837`);
    const [claim] = await claimsOf(x.world.fhir, 'enc-clean-1');
    const x12Answer = (await all<ClaimResponse>(x.world.fhir, 'ClaimResponse')).filter(
      (r) => r.request?.reference === `Claim/${claim?.id ?? '-'}`,
    );
    expect(x12Answer.map((r) => r.outcome)).toEqual(['queued']);
    expect(x12Answer[0]?.disposition).toContain(`837P file ${file?.file ?? '-'}`);
    // The eligibility question went to the clearinghouse in real time (270 → 271).
    expect(x.realTime.requests.map((r) => r.type)).toEqual(['X12_270_Request_005010X279A1']);

    // The FHIR payer answered the others ($submit), as before.
    const [other] = await claimsOf(x.world.fhir, 'enc-clean-3');
    const otherAnswer = (await all<ClaimResponse>(x.world.fhir, 'ClaimResponse')).find(
      (r) => r.request?.reference === `Claim/${other?.id ?? '-'}`,
    );
    expect(otherAnswer?.outcome).toBe('complete');
    expect((await timeline(x, 'enc-clean-1'))?.steps.at(-1)?.label).toBe('Waiting for the payer');

    // Self-pay: no claim to any payer, and a work item that says why.
    expect(await claimsOf(x.world.fhir, 'enc-clean-2')).toEqual([]);
    const tasks = await tasksOf(x.world.fhir, 'enc-clean-2');
    expect(tasks.map((t) => t.description).join('\n')).toMatch(
      /a person pays through patient billing/,
    );
  });
});
