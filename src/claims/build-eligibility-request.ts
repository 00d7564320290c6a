import type {
  Coverage,
  CoverageEligibilityRequest,
  Encounter,
  Identifier,
  Organization,
  Patient,
} from 'fhir/r4';
import { AppError } from '../errors/app-error.ts';
import { SYSTEM } from '../fhir/systems.ts';
import { dateOfServiceOf } from './build-claim.ts';

/** What an eligibility check is made from. */
export interface BuildEligibilityRequestInput {
  encounter: Encounter;
  patient: Patient;
  coverage: Coverage;
  /** The provider asking (the billing Organization). */
  provider: Organization;
  /** ISO date-time; passed in so the function stays pure. */
  created: string;
}

/** The identifier of the eligibility check ChartBill makes for an encounter. */
export function eligibilityIdentifierFor(encounterId: string): Identifier {
  return { system: SYSTEM.eligibilityId, value: `enc-${encounterId}` };
}

/**
 * The `CoverageEligibilityRequest` for an encounter's date of service (the FHIR form of an
 * X12 270): validation (is the plan in force?) and benefits (copay, coinsurance, deductible).
 */
export function buildEligibilityRequest(
  input: BuildEligibilityRequestInput,
): CoverageEligibilityRequest {
  const { encounter, patient, coverage, provider } = input;
  const insurer = coverage.payor[0];
  if (!encounter.id || !patient.id || !coverage.id || !provider.id || !insurer) {
    throw new AppError(
      'CLAIM_INVALID',
      'The eligibility request needs the encounter, patient, coverage, provider and payer, each with an id',
    );
  }
  return {
    resourceType: 'CoverageEligibilityRequest',
    identifier: [eligibilityIdentifierFor(encounter.id)],
    status: 'active',
    purpose: ['validation', 'benefits'],
    patient: { reference: `Patient/${patient.id}` },
    servicedDate: dateOfServiceOf(encounter),
    created: input.created,
    provider: { reference: `Organization/${provider.id}` },
    insurer,
    insurance: [{ focal: true, coverage: { reference: `Coverage/${coverage.id}` } }],
  };
}
