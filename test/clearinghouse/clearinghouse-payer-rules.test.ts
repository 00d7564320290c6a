import type { ClaimResponse, Coverage } from 'fhir/r4';
import { afterEach, describe, expect, test } from 'vitest';
import { SANDBOX_PAYER_FEE_SCHEDULE } from '../../src/claims/fee-schedule.ts';
import { collect835 } from '../../src/x12/collect-835.ts';
import type { EraClaim } from '../../src/x12/era-types.ts';
import { read837 } from '../../src/x12/read-837.ts';
import { adjudicateClaim } from '../../sandbox/payer-server-adjudicate.ts';
import {
  claimFile,
  enrolledCoverage,
  RECEIVED,
  sftpTransport,
  startTestClearinghouse,
  type TestClearinghouse,
} from './clearinghouse-fixture.ts';

/** The fixture member with a $5 plan-year deductible (less than two claims' lab lines) besides the copay and coinsurance. */
function coverageWithDeductible(): Coverage {
  const coverage = enrolledCoverage();
  return {
    ...coverage,
    costToBeneficiary: [
      ...(coverage.costToBeneficiary ?? []),
      { type: { coding: [{ code: 'deductible' }] }, valueMoney: { value: 5, currency: 'USD' } },
    ],
  };
}

/** Each line's CAS reasons as `group-carc amount`, from an 835 claim. */
const casOf = (claim: EraClaim | undefined) =>
  claim?.lines.map((l) =>
    l.adjustments.map((a) => `${a.group}-${a.reason} ${a.amount.toFixed(2)}`),
  );

/** The same, from the FHIR payer's ClaimResponse (one adjudication per CAS reason, issue 15). */
const casOfResponse = (response: ClaimResponse) =>
  (response.item ?? []).map((item) =>
    item.adjudication
      .filter((a) => /^(CO|PR|OA|PI)-/.test(a.reason?.text ?? ''))
      .map(
        (a) =>
          `${a.reason?.text?.slice(0, a.reason.text.indexOf(':'))} ${(a.amount?.value ?? 0).toFixed(2)}`,
      ),
  );

const deductibleOf = (claim: EraClaim | undefined) =>
  (claim?.lines ?? [])
    .flatMap((l) => l.adjustments)
    .filter((a) => a.group === 'PR' && a.reason === '1')
    .reduce((s, a) => s + a.amount, 0);

describe('the sandbox clearinghouse adjudicates with the sandbox payer rules', () => {
  let ch: TestClearinghouse | undefined;
  afterEach(async () => {
    await ch?.close();
  });

  test('its 835 says what the FHIR payer answers, the deductible taken once per plan year', async () => {
    const coverage = coverageWithDeductible();
    ch = await startTestClearinghouse(undefined, coverage);
    const transport = sftpTransport(ch.settings);
    const paidFor: EraClaim[] = [];
    let met = 0;
    try {
      for (const [control, claimNumber] of [
        [401, 'enc-deductible-1'],
        [402, 'enc-deductible-2'],
      ] as const) {
        const file = claimFile(control, (input) => {
          input.claim.identifier = [{ ...input.claim.identifier?.[0], value: claimNumber }];
        });
        const name = `claim-0${control}.837`;
        await transport.upload(name, file);
        const answers = await ch.clearinghouse.answered(name, 1);
        const eraName = answers.find((a) => a.includes('-835-'));
        const [era] = await collect835(await transport.download(eraName ?? ''));
        const claim = era?.claims[0];
        const [read] = await read837(file);
        const fhir = adjudicateClaim({
          claim: read?.input.claim ?? ({ resourceType: 'Claim' } as never),
          coverage,
          feeSchedule: SANDBOX_PAYER_FEE_SCHEDULE,
          received: RECEIVED,
          responseId: 'compare',
          controlNumber: claim?.payerClaimControlNumber ?? '',
          deductibleMet: met,
        });
        expect(claim?.balanced).toBe(true);
        expect(casOf(claim)).toEqual(casOfResponse(fhir));
        expect(claim?.paid).toBeCloseTo(fhir.payment?.amount.value ?? 0, 2);
        met += deductibleOf(claim);
        paidFor.push(claim as EraClaim);
      }
    } finally {
      await transport.close();
    }
    // The first claim meets part of the deductible; the second takes only what is left of it,
    // as the FHIR payer's accumulator does (PR-1 per plan year, issue 15).
    const [first, second] = paidFor.map(deductibleOf);
    expect(first).toBeGreaterThan(0);
    expect((first ?? 0) + (second ?? 0)).toBeCloseTo(5, 2);
    expect(second).toBeLessThan(first ?? 0);
  });
});
