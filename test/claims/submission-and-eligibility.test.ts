import { describe, expect, it } from 'vitest';
import {
  buildEligibilityRequest,
  eligibilityIdentifierFor,
} from '../../src/claims/build-eligibility-request.ts';
import { claimResponseSummary } from '../../src/claims/claim-response-summary.ts';
import { carcConcept } from '../../src/claims/carc-codes.ts';
import { submissionBundle } from '../../src/claims/submission-bundle.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { billingOrg, coverage, encounter, patient, payerOrg } from './fixtures.ts';
import { X12_SYSTEM } from '../../src/x12/x12-systems.ts';

describe('buildEligibilityRequest', () => {
  it("asks the coverage's payer to validate the plan and report benefits for the date of service", () => {
    const request = buildEligibilityRequest({
      encounter: encounter('e7', '2026-01-15T08:00:00Z'),
      patient: patient(),
      coverage: coverage(),
      provider: billingOrg(),
      created: '2026-01-16T00:00:00Z',
    });
    expect(request.identifier).toEqual([eligibilityIdentifierFor('e7')]);
    expect(request.identifier?.[0]?.system).toBe(SYSTEM.eligibilityId);
    expect(request.purpose).toEqual(['validation', 'benefits']);
    expect(request.servicedDate).toBe('2026-01-15');
    expect(request.insurer).toEqual({ reference: 'Organization/org-payer' });
    expect(request.insurance).toEqual([{ focal: true, coverage: { reference: 'Coverage/cov-1' } }]);
    expect(request.provider).toEqual({ reference: 'Organization/org-billing' });
    // An office visit asks about the plan (30) and the office visit (98), in X12's code system.
    expect(request.item?.map((i) => i.category?.coding?.[0])).toEqual([
      expect.objectContaining({ system: X12_SYSTEM.serviceType, code: '30' }),
      expect.objectContaining({ system: X12_SYSTEM.serviceType, code: '98' }),
    ]);
    const inpatient = buildEligibilityRequest({
      encounter: { ...encounter('e8'), class: { system: SYSTEM.actCode, code: 'IMP' } },
      patient: patient(),
      coverage: coverage(),
      provider: billingOrg(),
      created: '2026-01-16T00:00:00Z',
    });
    expect(inpatient.item?.map((i) => i.category?.coding?.[0]?.code)).toEqual(['30']);
  });
});

describe('submissionBundle', () => {
  it('puts the request first, then each supporting resource once, with absolute fullUrls', () => {
    const bundle = submissionBundle(
      patient(),
      [coverage(), billingOrg(), billingOrg(), undefined, payerOrg()],
      'http://ehr.test/fhir/',
    );
    expect(bundle.type).toBe('collection');
    expect(bundle.entry?.map((e) => e.fullUrl)).toEqual([
      'http://ehr.test/fhir/Patient/pat-1',
      'http://ehr.test/fhir/Coverage/cov-1',
      'http://ehr.test/fhir/Organization/org-billing',
      'http://ehr.test/fhir/Organization/org-payer',
    ]);
  });
});

describe('claimResponseSummary', () => {
  it('counts copay and coinsurance as patient responsibility, not as denials, and lists real denials', () => {
    const summary = claimResponseSummary({
      resourceType: 'ClaimResponse',
      status: 'active',
      type: {},
      use: 'claim',
      patient: {},
      created: '2026-01-01',
      insurer: {},
      outcome: 'partial',
      item: [
        {
          itemSequence: 1,
          adjudication: [
            { category: { coding: [{ code: 'submitted' }] }, amount: { value: 185 } },
            {
              category: { coding: [{ code: 'eligible' }] },
              amount: { value: 92 },
              reason: carcConcept('45', 'CO'),
            },
            {
              category: { coding: [{ code: 'copay' }] },
              amount: { value: 25 },
              reason: carcConcept('3', 'PR'),
            },
            { category: { coding: [{ code: 'benefit' }] }, amount: { value: 67 } },
          ],
        },
        {
          itemSequence: 2,
          adjudication: [
            { category: { coding: [{ code: 'submitted' }] }, amount: { value: 50 } },
            {
              category: { coding: [{ code: 'eligible' }] },
              amount: { value: 0 },
              reason: carcConcept('96', 'CO', 'N130'),
            },
            { category: { coding: [{ code: 'benefit' }] }, amount: { value: 0 } },
          ],
        },
      ],
    });
    expect(summary).toMatchObject({
      outcome: 'partial',
      billed: 235,
      allowed: 92,
      paid: 67,
      patientResponsibility: 25,
    });
    expect(summary.denials).toEqual([
      {
        itemSequence: 2,
        carc: '96',
        text: expect.stringContaining('CO-96') as unknown,
        // The group and remark code pick the denial's next step (denial-next-steps.ts).
        group: 'CO',
        rarc: 'N130',
      },
    ]);
  });
});
