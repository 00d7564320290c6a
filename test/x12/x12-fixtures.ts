import type { Organization, Patient, Practitioner } from 'fhir/r4';
import { buildClaim } from '../../src/claims/build-claim.ts';
import { PRACTICE_CHARGE_MASTER } from '../../src/claims/fee-schedule.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import type { Claim837Input } from '../../src/x12/claim-837-input.ts';
import { NUCC_SYSTEM } from '../../src/x12/fhir-facts.ts';
import {
  billingOrg,
  coverage,
  encounter,
  officeVisitCoding,
  patient,
  payerOrg,
  practitioner,
} from '../claims/fixtures.ts';
import { loadX12Config, type X12Config } from '../../src/x12/x12-config.ts';

/** The settings a practice configures once for its clearinghouse (test values). */
export function testX12Config(extra: Record<string, string> = {}): X12Config {
  return loadX12Config({
    CHARTBILL_X12_SENDER_ID: 'CHARTBILL01',
    CHARTBILL_X12_RECEIVER_ID: 'CLEARHOUSE',
    CHARTBILL_X12_RECEIVER_NAME: 'Sandbox Clearinghouse',
    CHARTBILL_X12_SUBMITTER_NAME: 'Riverside Family Practice',
    CHARTBILL_X12_SUBMITTER_CONTACT: 'Billing Office',
    CHARTBILL_X12_SUBMITTER_PHONE: '5555550100',
    CHARTBILL_X12_BILLING_EIN: '123456789',
    CHARTBILL_X12_BILLING_TAXONOMY: '207Q00000X',
    ...extra,
  });
}

/** A claim as ChartBill's worker builds it, with every resource the 837P reads. */
export function chartbillClaimInput(): Claim837Input {
  const pat: Patient = {
    ...patient(),
    name: [{ family: 'Rivera', given: ['Ana', 'Maria'] }],
    address: [{ line: ['12 Elm St'], city: 'Springfield', state: 'IL', postalCode: '62701' }],
  };
  const org: Organization = {
    ...billingOrg(),
    address: [
      { line: ['400 Main St'], city: 'Springfield', state: 'IL', postalCode: '62704-1234' },
    ],
  };
  const payer: Organization = {
    ...payerOrg(),
    identifier: [{ system: SYSTEM.payerId, value: 'SBXHP' }],
  };
  const doc: Practitioner = {
    ...practitioner(),
    name: [{ family: 'Okafor', given: ['Chidi'] }],
    qualification: [{ code: { coding: [{ system: NUCC_SYSTEM, code: '207Q00000X' }] } }],
  };
  const cov = coverage({ subscriberId: 'W123456789' });
  const claim = buildClaim({
    encounter: encounter(),
    patient: pat,
    coverage: cov,
    coding: officeVisitCoding(),
    billingProvider: org,
    practitioner: doc,
    feeSchedule: PRACTICE_CHARGE_MASTER,
    status: 'active',
    created: '2026-03-03T10:00:00Z',
  });
  claim.insurance[0] = {
    ...claim.insurance[0],
    sequence: 1,
    focal: true,
    coverage: { reference: 'Coverage/cov-1' },
    preAuthRef: ['PA-778899'],
  };
  return { claim, patient: pat, coverage: cov, billingProvider: org, payer, practitioners: [doc] };
}
