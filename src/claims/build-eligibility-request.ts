import type {
  Appointment,
  Coverage,
  CoverageEligibilityRequest,
  Encounter,
  Identifier,
  Organization,
  Patient,
} from 'fhir/r4';
import { AppError } from '../errors/app-error.ts';
import { SYSTEM } from '../fhir/systems.ts';
import { SERVICE_TYPE } from '../x12/eligibility-codes.ts';
import { X12_SYSTEM } from '../x12/x12-systems.ts';
import { dateOfServiceOf } from './build-claim.ts';
import { DEFAULT_PRACTICE_TIME_ZONE, practiceDateOf } from './practice-date.ts';

/** What an eligibility check is made from. */
export interface BuildEligibilityRequestInput {
  /**
   * The visit: its Encounter, or (checked ahead of it, issue 15) the Appointment booked for it,
   * written as `{ booked: appointment }`.
   */
  encounter: Encounter | { booked: Appointment };
  patient: Patient;
  coverage: Coverage;
  /** The provider asking (the billing Organization). */
  provider: Organization;
  /** ISO date-time; passed in so the function stays pure. */
  created: string;
  /** The practice's IANA time zone: the date of service is the visit's local date. */
  timeZone?: string;
}

/**
 * The X12 service types (EQ01) asked about: 30, health benefit plan coverage (deductible and
 * out-of-pocket), and for a visit in the office or by telehealth 98, professional (physician)
 * visit - office (its copay and coinsurance).
 */
export function serviceTypesOf(encounter: Encounter): string[] {
  const klass = encounter.class.code;
  return klass === 'AMB' || klass === 'VR' ? ['30', '98'] : ['30'];
}

/** The identifier of the eligibility check ChartBill makes for an encounter. */
export function eligibilityIdentifierFor(encounterId: string): Identifier {
  return { system: SYSTEM.eligibilityId, value: `enc-${encounterId}` };
}

/** The identifier of the eligibility check ChartBill makes ahead of a booked appointment. */
export function appointmentEligibilityIdentifierFor(appointmentId: string): Identifier {
  return { system: SYSTEM.eligibilityId, value: `appt-${appointmentId}` };
}

/**
 * The visit's identifier, date of service and service types: from the Encounter, or from the
 * Appointment (its start; an appointment says no encounter class, so an office visit is asked
 * about, 30 and 98, which is what a booked appointment at a practice is).
 */
function visitOf(
  visit: BuildEligibilityRequestInput['encounter'],
  timeZone: string | undefined,
): { identifier: Identifier; servicedDate: string; serviceTypes: string[] } | undefined {
  if ('booked' in visit) {
    const { id, start } = visit.booked;
    if (!id || !start) return undefined;
    return {
      identifier: appointmentEligibilityIdentifierFor(id),
      servicedDate: practiceDateOf(start, timeZone ?? DEFAULT_PRACTICE_TIME_ZONE),
      serviceTypes: ['30', '98'],
    };
  }
  if (!visit.id) return undefined;
  return {
    identifier: eligibilityIdentifierFor(visit.id),
    servicedDate: dateOfServiceOf(visit, timeZone),
    serviceTypes: serviceTypesOf(visit),
  };
}

/**
 * The `CoverageEligibilityRequest` for an encounter's date of service (the FHIR form of an
 * X12 270): validation (is the plan in force?) and benefits (copay, coinsurance, deductible).
 */
export function buildEligibilityRequest(
  input: BuildEligibilityRequestInput,
): CoverageEligibilityRequest {
  const { patient, coverage, provider } = input;
  const insurer = coverage.payor[0];
  const visit = visitOf(input.encounter, input.timeZone);
  if (!visit || !patient.id || !coverage.id || !provider.id || !insurer) {
    throw new AppError(
      'CLAIM_INVALID',
      'The eligibility request needs the encounter (or appointment and its start), patient, coverage, provider and payer, each with an id',
    );
  }
  return {
    resourceType: 'CoverageEligibilityRequest',
    identifier: [visit.identifier],
    status: 'active',
    purpose: ['validation', 'benefits'],
    patient: { reference: `Patient/${patient.id}` },
    servicedDate: visit.servicedDate,
    // The service types in X12's own code system (a 270's EQ01), not ex-benefitcategory.
    item: visit.serviceTypes.map((code) => ({
      category: {
        coding: [{ system: X12_SYSTEM.serviceType, code, display: SERVICE_TYPE[code] ?? code }],
      },
    })),
    created: input.created,
    provider: { reference: `Organization/${provider.id}` },
    insurer,
    insurance: [{ focal: true, coverage: { reference: `Coverage/${coverage.id}` } }],
  };
}
