import type { Coverage, Organization, Patient, RelatedPerson } from 'fhir/r4';
import { SYSTEM } from '../fhir/systems.ts';
import { isDependent, payerOf } from './claim-to-837.ts';
import { d8Of, demographics, personName, requireIdentifier } from './fhir-facts.ts';
import type { X12Config } from './x12-config.ts';
import { ClaimNotExpressibleError } from './x12-error.ts';
import { envelope, KIND_270, serialize, text, type OutSegment } from './x12-writer.ts';

export interface Eligibility270Input {
  coverage: Coverage;
  patient: Patient;
  /**
   * Coverage.subscriber when the patient is a dependent on it (a parent's Patient or a
   * RelatedPerson): loop 2100C names them, the patient goes in 2000D/2100D.
   */
  subscriber?: Patient | RelatedPerson;
  /** The payer's Organization (name and payer id). */
  payer?: Organization;
  /** The provider asking (loop 2100B): the billing Organization with its NPI. */
  provider: Organization;
  /** EQ01 service type codes, e.g. ['30'] plan coverage, ['98'] office visit. */
  serviceTypes: readonly string[];
  /** The date of service asked about, YYYY-MM-DD. */
  date: string;
  /** TRN02: ChartBill's trace for this inquiry (echoed in the 271). At most 50 characters. */
  trace: string;
}

/**
 * A 270 eligibility inquiry (005010X279A1) for the patient's Coverage: payer (2100A), provider
 * (2100B), subscriber (2000C/2100C) with the member id, and the patient's trace, date of birth,
 * date of service (DTP*291) and service types (EQ). When the patient is the subscriber all of it
 * is in 2000C/2100C/2110C. A dependent (Coverage.relationship other than self) has no member id of
 * their own on the seeded plans, so, as X279A1 says for that case, 2100C names the subscriber
 * under the member id and the dependent gets the last level: HL*23 (2000D) with its TRN, NM1*03
 * with no id, DMG, DTP*291 (2100D) and EQ (2110D). No INS: the 270 asks, the 271 tells.
 */
export function build270(
  input: Eligibility270Input,
  config: X12Config,
  control: number,
  now: Date,
): string {
  const payer = payerOf(input);
  const npi = requireIdentifier(
    input.provider.identifier,
    SYSTEM.npi,
    'Organization.identifier NPI',
    '270 2100B NM109',
  );
  const memberId = input.coverage.subscriberId;
  if (!memberId)
    throw new ClaimNotExpressibleError('Coverage.subscriberId', '270 2100C NM109', 'no member id');
  if (input.serviceTypes.length === 0)
    throw new ClaimNotExpressibleError('the service type', '270 EQ01', 'none asked');
  const dependent = isDependent(input.coverage);
  const body: OutSegment[] = [
    [
      'BHT',
      '0022',
      '13',
      text(input.trace, 50),
      d8Of(now.toISOString()),
      now.toISOString().slice(11, 16).replace(':', ''),
    ],
    ['HL', '1', '', '20', '1'],
    ['NM1', 'PR', '2', payer.name, '', '', '', '', 'PI', payer.id],
    ['HL', '2', '1', '21', '1'],
    ['NM1', '1P', '2', text(input.provider.name), '', '', '', '', 'XX', npi],
    ...(dependent
      ? dependentLevels(input, text(memberId, 80), config)
      : subscriberIsPatient(input, text(memberId, 80), config)),
  ];
  return serialize(envelope(config, KIND_270, [body], control, now));
}

/** TRN01 1 (current transaction), TRN02 ChartBill's trace, TRN03 '9' + the sender's id. */
function trace(input: Eligibility270Input, config: X12Config): OutSegment {
  return [
    'TRN',
    '1',
    text(input.trace, 50),
    `9${config.senderId.replace(/\W/g, '').padEnd(9, '0').slice(0, 9)}`,
  ];
}

/** What the inquiry asks about the patient: the date of service and the service types. */
function question(input: Eligibility270Input): OutSegment[] {
  return [
    ['DTP', '291', 'D8', d8Of(input.date)],
    ['EQ', input.serviceTypes.join('^')],
  ];
}

/** 2000C/2100C/2110C: the patient is the subscriber. */
function subscriberIsPatient(
  input: Eligibility270Input,
  memberId: string,
  config: X12Config,
): OutSegment[] {
  const name = personName(input.patient.name, 'Patient.name', '270 2100C NM1');
  return [
    ['HL', '3', '2', '22', '0'],
    trace(input, config),
    ['NM1', 'IL', '1', name.last, name.first, name.middle, '', '', 'MI', memberId],
    demographics(input.patient.birthDate, input.patient.gender, 'Patient', '270 2100C'),
    ...question(input),
  ];
}

/** 2000C/2100C the subscriber (HL child code 1), then 2000D/2100D/2110D the dependent patient. */
function dependentLevels(
  input: Eligibility270Input,
  memberId: string,
  config: X12Config,
): OutSegment[] {
  const { subscriber, patient } = input;
  if (!subscriber)
    throw new ClaimNotExpressibleError(
      'Coverage.subscriber',
      '270 2100C NM1',
      'the patient is a dependent, so the subscriber is needed',
    );
  const holder = personName(subscriber.name, 'Coverage.subscriber.name', '270 2100C NM1');
  const name = personName(patient.name, 'Patient.name', '270 2100D NM1');
  return [
    ['HL', '3', '2', '22', '1'],
    ['NM1', 'IL', '1', holder.last, holder.first, holder.middle, '', '', 'MI', memberId],
    // 2100C DMG is situational for a subscriber who is not the patient: sent when known.
    ...(subscriber.birthDate
      ? [demographics(subscriber.birthDate, subscriber.gender, 'Coverage.subscriber', '270 2100C')]
      : []),
    ['HL', '4', '3', '23', '0'],
    trace(input, config),
    ['NM1', '03', '1', name.last, name.first, name.middle],
    demographics(patient.birthDate, patient.gender, 'Patient', '270 2100D'),
    ...question(input),
  ];
}
