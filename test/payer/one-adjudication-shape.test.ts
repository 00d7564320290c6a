import type { ClaimResponse, ClaimResponseItem } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { claimResponseSummary } from '../../src/claims/claim-response-summary.ts';
import { PRACTICE_CHARGE_MASTER } from '../../src/claims/fee-schedule.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { collect835 } from '../../src/x12/collect-835.ts';
import { eraClaimToClaimResponse } from '../../src/x12/era-to-fhir.ts';
import type { EraClaim } from '../../src/x12/era-types.ts';
import { adjudicateClaim } from '../../sandbox/payer-server-adjudicate.ts';
import { remitOf } from '../../sandbox/payer-server-remit.ts';
import { costSharingOf } from '../../sandbox/payer-server-rules.ts';
import { coverage } from '../claims/fixtures.ts';
import { claimFor } from './payer-test-kit.ts';

const RECEIVED = new Date('2026-03-10T12:00:00Z');
const AT: EraClaim['at'] = { segment: 1, offset: 0 };

/** A plan with a $50 deductible, a $25 office copay and 20% coinsurance. */
function deductiblePlan() {
  const plan = coverage();
  plan.costToBeneficiary = [
    ...(plan.costToBeneficiary ?? []),
    {
      type: { coding: [{ system: SYSTEM.copayType, code: 'deductible' }] },
      valueMoney: { value: 50, currency: 'USD' },
    },
  ];
  return plan;
}

/** An 835 (test-side, by hand) saying exactly what a remittance says, to read it back. */
function as835(remit: EraClaim): string {
  const cas = (adjustments: EraClaim['adjustments']) =>
    adjustments.map((a) => `CAS*${a.group}*${a.reason}*${String(a.amount)}~`);
  const lines = remit.lines.flatMap((l) => [
    `SVC*HC:${l.code}*${String(l.charge)}*${String(l.paid)}**${String(l.units ?? 1)}~`,
    ...cas(l.adjustments),
    `REF*6R*${l.lineControlNumber ?? ''}~`,
    ...(l.allowed !== undefined ? [`AMT*B6*${String(l.allowed)}~`] : []),
    ...(l.remarks.length ? [`LQ*HE*${l.remarks[0] ?? ''}~`] : []),
  ]);
  const body = [
    'ST*835*0001~',
    `BPR*I*${String(remit.paid)}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260310~`,
    `TRN*1*EFT${remit.payerClaimControlNumber}*1512345678~`,
    'N1*PR*SANDBOX HEALTH PLAN*XV*SBXHP~',
    'N1*PE*SANDBOX FAMILY PRACTICE*XX*1234567893~',
    'LX*1~',
    `CLP*${remit.patientControlNumber}*${remit.status}*${String(remit.charge)}*${String(remit.paid)}*${String(remit.patientResponsibility ?? 0)}*12*${remit.payerClaimControlNumber}~`,
    ...lines,
  ];
  return [...body, `SE*${String(body.length + 1)}*0001~`].join('\n');
}

/** What billing staff read in an answer, without ids and text that differ by path. */
function shape(response: ClaimResponse) {
  const entry = (items: ClaimResponseItem[]) =>
    items.map((i) => ({
      itemSequence: i.itemSequence,
      adjudication: i.adjudication.map((a) => ({
        category: a.category.coding?.[0],
        reason: a.reason?.coding?.map((c) => [c.system, c.code]),
        amount: a.amount?.value,
      })),
    }));
  return { outcome: response.outcome, items: entry(response.item ?? []), total: response.total };
}

describe('one adjudication, one shape: the sandbox payer and the 835 path', () => {
  it('gives the same ClaimResponse lines for the same adjudication, with PR-1 deductible taken from the plan', async () => {
    const claim = claimFor();
    const plan = deductiblePlan();
    const response = adjudicateClaim({
      claim,
      coverage: plan,
      feeSchedule: PRACTICE_CHARGE_MASTER,
      received: RECEIVED,
      responseId: 'cr-1',
      controlNumber: 'PCN0001',
    });
    const remit = remitOf({
      claim,
      claimDenial: undefined,
      feeSchedule: PRACTICE_CHARGE_MASTER,
      sharing: costSharingOf(plan),
      deductibleMet: 0,
      patientControlNumber: 'enc-enc-1',
      payerClaimNumber: 'PCN0001',
    });
    const [era] = await collect835(as835(remit));
    const [read] = era?.claims ?? [];
    if (!era || !read) throw new Error('the 835 read nothing');
    const fromEra = eraClaimToClaimResponse(read, era.payment, { created: RECEIVED.toISOString() });
    expect(shape(fromEra)).toEqual(shape(response));
    // 99213: copay 25 (no deductible on the copay line); 36415 allowed 10, all of it to the deductible.
    const summary = claimResponseSummary(response);
    expect(summary).toMatchObject({ allowed: 195, paid: 160, patientResponsibility: 35 });
    expect(
      response.item?.[1]?.adjudication.find((a) => a.category.coding?.[0]?.code === 'PR')?.reason
        ?.coding?.[0]?.code,
    ).toBe('1');
    // The next claim of the plan year finds the deductible partly met.
    const next = adjudicateClaim({
      claim: claimFor({ encounterId: 'enc-2' }),
      coverage: plan,
      feeSchedule: PRACTICE_CHARGE_MASTER,
      received: RECEIVED,
      responseId: 'cr-2',
      controlNumber: 'PCN0002',
      deductibleMet: 50,
    });
    // Met: 20% coinsurance on the lab instead (2.00).
    expect(claimResponseSummary(next)).toMatchObject({ paid: 168, patientResponsibility: 27 });
  });

  it('rejects a claim with no diagnosis at the front door (error) but answers a denial as complete', () => {
    const claim = { ...claimFor(), diagnosis: [] };
    const rejected = adjudicateClaim({
      claim,
      coverage: coverage(),
      feeSchedule: PRACTICE_CHARGE_MASTER,
      received: RECEIVED,
      responseId: 'cr-1',
      controlNumber: 'PCN0001',
    });
    expect(rejected.outcome).toBe('error');
    expect(rejected.item).toBeUndefined();
    expect(claimResponseSummary(rejected).denials[0]).toMatchObject({ carc: '16', rarc: 'M76' });
  });

  it("counts every PR adjustment as the patient's (PR-96, PR-204 too) and keeps claim-level ones", () => {
    const remit: EraClaim = {
      patientControlNumber: 'enc-enc-1',
      status: '1',
      charge: 300,
      paid: 80,
      filingIndicator: '12',
      payerClaimControlNumber: 'P-9',
      patient: {},
      adjustments: [{ group: 'OA', reason: '23', amount: 10 }],
      remarks: [],
      lines: [
        {
          qualifier: 'HC',
          code: '99213',
          modifiers: [],
          charge: 200,
          paid: 80,
          lineControlNumber: '1',
          adjustments: [
            { group: 'CO', reason: '45', amount: 90 },
            { group: 'PR', reason: '1', amount: 30 },
          ],
          remarks: [],
        },
        {
          qualifier: 'HC',
          code: '97124',
          modifiers: [],
          charge: 100,
          paid: 0,
          lineControlNumber: '2',
          adjustments: [
            { group: 'PR', reason: '96', amount: 60 },
            { group: 'PR', reason: '204', amount: 40 },
          ],
          remarks: ['N130'],
        },
      ],
      balanced: false,
      warnings: [],
      at: AT,
    };
    const response = eraClaimToClaimResponse(
      remit,
      {
        transactionControl: '0001',
        handling: 'I',
        amount: 80,
        creditDebit: 'C',
        method: 'ACH',
        trace: 'T1',
        warnings: [],
        at: AT,
      },
      { created: RECEIVED.toISOString() },
    );
    const summary = claimResponseSummary(response);
    expect(summary.patientResponsibility).toBe(130);
    expect(summary.denials.map((d) => [d.itemSequence, d.group, d.carc, d.rarc])).toEqual([
      [undefined, 'OA', '23', undefined],
      [2, 'PR', '96', 'N130'],
      [2, 'PR', '204', 'N130'],
    ]);
    expect(response.payment?.identifier?.value).toBe('T1');
  });
});
