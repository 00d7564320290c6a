import type { Coverage, Organization, Patient } from 'fhir/r4';
import { SYSTEM } from '../fhir/systems.ts';
import { payerOf } from './claim-to-837.ts';
import { d8Of, demographics, personName, requireIdentifier } from './fhir-facts.ts';
import type { X12Config } from './x12-config.ts';
import { ClaimNotExpressibleError } from './x12-error.ts';
import { envelope, KIND_270, serialize, text, type OutSegment } from './x12-writer.ts';

export interface Eligibility270Input {
  coverage: Coverage;
  patient: Patient;
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
 * (2100B), subscriber (2100C) with member id, date of birth, date of service and the service
 * types asked about. The patient is sent as the subscriber when the Coverage names them so; a
 * dependent goes out under the subscriber's member id with loop 2000D.
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
  const name = personName(input.patient.name, 'Patient.name', '270 2100C NM1');
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
    ['HL', '3', '2', '22', '0'],
    [
      'TRN',
      '1',
      text(input.trace, 50),
      `9${config.senderId.replace(/\W/g, '').padEnd(9, '0').slice(0, 9)}`,
    ],
    ['NM1', 'IL', '1', name.last, name.first, name.middle, '', '', 'MI', text(memberId, 80)],
    demographics(input.patient.birthDate, input.patient.gender, 'Patient', '270 2100C'),
    ['DTP', '291', 'D8', d8Of(input.date)],
    ['EQ', input.serviceTypes.join('^')],
  ];
  return serialize(envelope(config, KIND_270, [body], control, now));
}
