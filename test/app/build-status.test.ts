import type { Claim, ClaimResponse, CoverageEligibilityResponse } from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { buildStatus } from '../../smart-app/status/build-status.ts';
import { eraClaimToClaimResponse } from '../../src/x12/era-to-fhir.ts';
import type { EraClaim } from '../../src/x12/era-types.ts';

const claim: Claim = {
  resourceType: 'Claim',
  id: 'cl1',
  status: 'active',
  use: 'claim',
  type: { coding: [{ system: SYSTEM.claimType, code: 'professional' }] },
  patient: { reference: 'Patient/p1' },
  created: '2026-11-20T10:00:00Z',
  provider: { reference: 'Organization/o1' },
  priority: { coding: [{ code: 'normal' }] },
  insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/c1' } }],
  identifier: [{ system: SYSTEM.claimId, value: 'enc-e1' }],
  billablePeriod: { start: '2026-11-19' },
  total: { value: 185, currency: 'USD' },
};

const eligibility: CoverageEligibilityResponse = {
  resourceType: 'CoverageEligibilityResponse',
  status: 'active',
  purpose: ['validation', 'benefits'],
  patient: { reference: 'Patient/p1' },
  created: '2026-11-20T09:59:00Z',
  request: {
    reference: 'CoverageEligibilityRequest/r1',
    identifier: { system: SYSTEM.eligibilityId, value: 'enc-e1' },
  },
  outcome: 'complete',
  insurer: { reference: 'Organization/payer' },
  insurance: [
    {
      coverage: { reference: 'Coverage/c1' },
      inforce: true,
      item: [
        {
          benefit: [
            { type: { coding: [{ code: 'copay' }] }, allowedMoney: { value: 25 } },
            { type: { coding: [{ code: 'copay-percent' }] }, allowedUnsignedInt: 20 },
          ],
        },
      ],
    },
  ],
};

function response(outcome: ClaimResponse['outcome'], extra: Partial<ClaimResponse>): ClaimResponse {
  return {
    resourceType: 'ClaimResponse',
    status: 'active',
    type: { coding: [{ code: 'professional' }] },
    use: 'claim',
    patient: { reference: 'Patient/p1' },
    created: '2026-11-21T00:00:00Z',
    insurer: { reference: 'Organization/payer' },
    outcome,
    request: { reference: 'Claim/cl1' },
    ...extra,
  };
}

describe('claim status in the chart', () => {
  it('shows a paid claim with amounts, patient share, and the eligibility check with its benefits', () => {
    const money = (code: string, value: number) => ({
      category: { coding: [{ code }] },
      amount: { value, currency: 'USD' },
    });
    const paid = response('complete', {
      item: [
        {
          itemSequence: 1,
          adjudication: [
            money('submitted', 185),
            money('eligible', 92),
            money('copay', 25),
            money('benefit', 67),
          ],
        },
      ],
      payment: {
        type: { coding: [{ code: 'complete' }] },
        amount: { value: 67 },
        date: '2026-11-21',
      },
    });
    const view = buildStatus([claim], [paid], [eligibility], [], 'e1');
    expect(view.claims[0]).toMatchObject({
      stage: 'paid',
      billed: 185,
      allowed: 92,
      paid: 67,
      patientResponsibility: 25,
      encounterId: 'e1',
    });
    const labels = view.claims[0]?.steps.map((s) => s.label);
    expect(labels).toEqual([
      'Coded',
      'Eligibility: coverage in force',
      'Submitted to payer',
      'Paid',
    ]);
    expect(view.claims[0]?.steps[1]?.detail).toBe('Copay $25.00, Coinsurance 20%');
  });

  it('does not list contractual write-offs or copays as denials', () => {
    const carc = (code: string) => ({ coding: [{ system: SYSTEM.carc, code }] });
    const partly = response('partial', {
      item: [
        {
          itemSequence: 1,
          adjudication: [
            {
              category: { coding: [{ code: 'eligible' }] },
              amount: { value: 92 },
              reason: carc('45'),
            },
            { category: { coding: [{ code: 'copay' }] }, amount: { value: 25 }, reason: carc('3') },
            { category: { coding: [{ code: 'benefit' }] }, amount: { value: 67 } },
          ],
        },
        {
          itemSequence: 2,
          adjudication: [
            {
              category: { coding: [{ code: 'submitted' }] },
              amount: { value: 50 },
              reason: {
                coding: [
                  { system: SYSTEM.carc, code: '96' },
                  { system: SYSTEM.rarc, code: 'N130', display: 'Consult plan benefit documents.' },
                ],
              },
            },
          ],
        },
      ],
    });
    const view = buildStatus([claim], [partly], [], [], 'e1');
    expect(view.claims[0]?.stage).toBe('partially-paid');
    expect(view.claims[0]?.denialReasons.map((r) => `${r.system} ${r.code}`)).toEqual([
      'CARC 96',
      'RARC N130',
    ]);
  });

  it('shows a denial with its CARC code and words, and a held draft claim as held', () => {
    const denied = response('error', {
      item: [
        {
          itemSequence: 1,
          adjudication: [
            {
              category: { coding: [{ code: 'submitted' }] },
              reason: {
                coding: [
                  {
                    system: SYSTEM.carc,
                    code: '29',
                    display: 'The time limit for filing has expired.',
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const view = buildStatus(
      [
        claim,
        {
          ...claim,
          id: 'cl2',
          status: 'draft',
          identifier: [{ system: SYSTEM.claimId, value: 'enc-e2' }],
        },
      ],
      [denied],
      [],
      [],
      'e1',
    );
    expect(view.claims[0]).toMatchObject({
      stage: 'denied',
      denialReasons: [{ system: 'CARC', code: '29' }],
    });
    expect(view.claims[0]?.denialReasons[0]?.text).toMatch(/late|time limit/i);
    expect(view.claims[1]?.stage).toBe('held');
  });

  it("shows an 835 denial (outcome complete, CLP02 4) as denied with its reasons, and PR-204 as the patient's", () => {
    const remit: EraClaim = {
      patientControlNumber: 'enc-e1',
      status: '4',
      charge: 185,
      paid: 0,
      filingIndicator: 'CI',
      payerClaimControlNumber: 'P-1',
      patient: {},
      adjustments: [],
      remarks: [],
      lines: [
        {
          qualifier: 'HC',
          code: '99213',
          modifiers: [],
          charge: 185,
          paid: 0,
          lineControlNumber: '1',
          adjustments: [{ group: 'PR', reason: '204', amount: 185 }],
          remarks: ['N130'],
        },
      ],
      balanced: true,
      warnings: [],
      at: { segment: 1, offset: 0 },
    };
    const answer = eraClaimToClaimResponse(
      remit,
      {
        transactionControl: '1',
        handling: 'H',
        amount: 0,
        creditDebit: 'C',
        method: 'NON',
        trace: 'T-1',
        warnings: [],
        at: { segment: 1, offset: 0 },
      },
      {
        created: '2026-11-21T00:00:00Z',
        claim: { reference: { reference: 'Claim/cl1' }, patient: { reference: 'Patient/p1' } },
      },
    );
    expect(answer.outcome).toBe('complete');
    const view = buildStatus([claim], [answer], [], [], 'e1');
    expect(view.claims[0]).toMatchObject({
      stage: 'denied',
      paid: 0,
      patientResponsibility: 185,
      denialReasons: [
        { system: 'CARC', code: '204' },
        { system: 'RARC', code: 'N130' },
      ],
    });
  });
});
