import type { Claim, Coverage } from 'fhir/r4';
import { SYSTEM } from '../fhir/systems.ts';
import { patientControlNumberOfIdentifier } from '../claims/patient-control-number.ts';
import type { ControlNumberStore } from './control-numbers.ts';
import {
  coverageFilingIndicatorOf,
  organizationTaxonomyOf,
  type Claim837Input,
} from './claim-837-input.ts';

export type { Claim837Input } from './claim-837-input.ts';
import { claimLoop2300 } from './claim-loop-2300.ts';
import {
  addressSegments,
  demographics,
  EIN_SYSTEM,
  identifierValue,
  personName,
  requireIdentifier,
} from './fhir-facts.ts';
import type { X12Config } from './x12-config.ts';
import { ClaimNotExpressibleError } from './x12-error.ts';
import { envelope, KIND_837P, serialize, text, type OutSegment } from './x12-writer.ts';

/**
 * Writes one 837P (005010X222A1) interchange for the claims: ISA/GS, one ST/SE transaction per
 * claim (so a 999 accepts or rejects each claim on its own), GE/IEA. `control` comes from a
 * ControlNumberStore. Throws `ClaimNotExpressibleError` naming the first element a claim lacks.
 */
export function claimsTo837(
  inputs: readonly Claim837Input[],
  config: X12Config,
  control: number,
  now: Date,
): string {
  const bodies = inputs.map((input) => claim837Body(input, config, now));
  return serialize(envelope(config, KIND_837P, bodies, control, now));
}

/** One claim's 837P with the next control number from `store`. */
export async function claimTo837(
  input: Claim837Input,
  config: X12Config,
  store: ControlNumberStore,
  now: Date,
): Promise<{ text: string; control: number }> {
  const body = claim837Body(input, config, now);
  const control = await store.next();
  return { text: serialize(envelope(config, KIND_837P, [body], control, now)), control };
}

/** The segments between ST and SE of one claim's 837P. */
export function claim837Body(input: Claim837Input, config: X12Config, now: Date): OutSegment[] {
  const clm01 = claimNumberOf(input.claim);
  const dependent = isDependent(input.coverage);
  return [
    // BHT: 0019 structure, 00 original, reference = CLM01, creation date/time, CH chargeable.
    [
      'BHT',
      '0019',
      '00',
      clm01,
      now.toISOString().slice(0, 10).replace(/-/g, ''),
      now.toISOString().slice(11, 16).replace(':', ''),
      'CH',
    ],
    ['NM1', '41', '2', text(config.submitterName), '', '', '', '', '46', config.senderId],
    ['PER', 'IC', text(config.submitterContact), 'TE', config.submitterPhone],
    ['NM1', '40', '2', text(config.receiverName), '', '', '', '', '46', config.receiverId],
    ...billingProviderLoop(input, config),
    ...subscriberLoop(input, config, dependent),
    ...(dependent ? patientLoop(input) : []),
    ...claimLoop2300(input, clm01, config),
  ];
}

/**
 * CLM01: the claim's patient control number (SYSTEM.patientControlNumber, at most 20 characters,
 * 837P CLM01 AN 1/20), else ChartBill's claim identifier when that one is short enough.
 */
export function claimNumberOf(claim: Claim): string {
  // One key rule (patientControlNumberOfIdentifier): the number the Claim keeps, else its claim
  // identifier when that is already a patient control number, as the status look-up derives it.
  const own = identifierValue(claim.identifier, SYSTEM.patientControlNumber);
  const ours = identifierValue(claim.identifier, SYSTEM.claimId);
  const value = own ?? ours;
  if (!value)
    throw new ClaimNotExpressibleError(
      `Claim.identifier (system ${SYSTEM.patientControlNumber} or ${SYSTEM.claimId})`,
      '2300 CLM01',
      'none found',
    );
  if (value.length > 20 || /[*:^~]/.test(value))
    throw new ClaimNotExpressibleError(
      'Claim.identifier',
      '2300 CLM01',
      `'${value.slice(0, 24)}…' is ${value.length} characters; the patient control number holds at most 20`,
    );
  if (!own && patientControlNumberOfIdentifier({ system: SYSTEM.claimId, value }) !== value)
    throw new ClaimNotExpressibleError(
      'Claim.identifier',
      '2300 CLM01',
      `'${value}' holds characters other than letters, digits and '-'; give the Claim a patient control number (system ${SYSTEM.patientControlNumber})`,
    );
  return value;
}

/** Loop 2000A/2010AA (and 2010AB pay-to when it differs). */
function billingProviderLoop(input: Claim837Input, config: X12Config): OutSegment[] {
  const org = input.billingProvider;
  const npi = requireIdentifier(
    org.identifier,
    SYSTEM.npi,
    'Organization.identifier NPI',
    '2010AA NM109',
  );
  const ein = identifierValue(org.identifier, EIN_SYSTEM)?.replace(/\D/g, '') ?? config.billingEin;
  if (!ein)
    throw new ClaimNotExpressibleError(
      'CHARTBILL_X12_BILLING_EIN (or an EIN on the Organization)',
      '2010AA REF*EI',
      'the billing provider tax id is required',
    );
  // PRV*BI: the Organization's own NUCC taxonomy, else the one configured for the practice.
  const taxonomy = organizationTaxonomyOf(org) ?? config.billingTaxonomy;
  const name = text(org.name);
  if (!name) throw new ClaimNotExpressibleError('Organization.name', '2010AA NM103', 'no name');
  const out: OutSegment[] = [
    ['HL', '1', '', '20', '1'],
    ...(taxonomy ? [['PRV', 'BI', 'PXC', taxonomy]] : []),
    ['NM1', '85', '2', name, '', '', '', '', 'XX', npi],
    ...addressSegments(org.address?.[0], 'Organization.address', '2010AA', true),
    ['REF', 'EI', ein],
  ];
  if (config.payTo)
    out.push(
      ['NM1', '87', '2'],
      ['N3', text(config.payTo.line, 55)],
      ['N4', text(config.payTo.city, 30), config.payTo.state, config.payTo.postalCode],
    );
  return out;
}

const RELATIONSHIP: Readonly<Record<string, string>> = {
  spouse: '01',
  child: '19',
  parent: 'G8',
  common: '53',
  other: 'G8',
  injured: 'G8',
};

function relationshipOf(coverage: Coverage): string {
  return (
    coverage.relationship?.coding?.find((c) => c.system === SYSTEM.subscriberRelationship)?.code ??
    'self'
  );
}

/** A Coverage whose beneficiary is not its subscriber (Coverage.relationship other than self). */
export function isDependent(coverage: Coverage): boolean {
  return relationshipOf(coverage) !== 'self';
}

function memberIdOf(coverage: Coverage): string {
  const id = coverage.subscriberId ?? identifierValue(coverage.identifier, SYSTEM.memberId);
  if (!id)
    throw new ClaimNotExpressibleError('Coverage.subscriberId', '2010BA NM109', 'no member id');
  return text(id, 80);
}

/** The payer id (2010BB NM109) and name: the payer Organization, or Coverage.payor's identifier. */
export function payerOf(input: Pick<Claim837Input, 'coverage' | 'payer'>): {
  id: string;
  name: string;
} {
  const payor = input.coverage.payor[0];
  const id =
    identifierValue(input.payer?.identifier, SYSTEM.payerId) ??
    (payor?.identifier?.system === SYSTEM.payerId ? payor.identifier.value : undefined);
  if (!id)
    throw new ClaimNotExpressibleError(
      `the payer Organization's identifier (system ${SYSTEM.payerId})`,
      '2010BB NM109',
      'no payer id',
    );
  return { id, name: text(input.payer?.name ?? payor?.display) || id };
}

/** Loop 2000B/2010BA/2010BB: SBR with SBR09 from the payer's setting or the default. */
function subscriberLoop(input: Claim837Input, config: X12Config, dependent: boolean): OutSegment[] {
  const { coverage } = input;
  const payer = payerOf(input);
  const group = coverage.class?.find((c) => c.type.coding?.some((t) => t.code === 'group'));
  const person = dependent ? input.subscriber : input.patient;
  if (!person)
    throw new ClaimNotExpressibleError(
      'Coverage.subscriber',
      '2010BA',
      'the patient is a dependent, so the subscriber is needed',
    );
  const name = personName(
    person.name,
    dependent ? 'Coverage.subscriber.name' : 'Patient.name',
    '2010BA NM1',
  );
  const out: OutSegment[] = [
    ['HL', '2', '1', '22', dependent ? '1' : '0'],
    [
      'SBR',
      'P',
      dependent ? '' : '18',
      text(group?.value, 50),
      text(group?.value ? '' : group?.name, 60),
      '',
      '',
      '',
      '',
      filingIndicatorOf(coverage, payer.id, config),
    ],
    ['NM1', 'IL', '1', name.last, name.first, name.middle, '', '', 'MI', memberIdOf(coverage)],
  ];
  // 2010BA N3/N4 and DMG are required when the subscriber is the patient.
  if (!dependent) {
    out.push(...addressSegments(person.address?.[0], 'Patient.address', '2010BA'));
    out.push(demographics(person.birthDate, person.gender, 'Patient', '2010BA'));
  }
  out.push(['NM1', 'PR', '2', payer.name, '', '', '', '', 'PI', payer.id]);
  return out;
}

/**
 * SBR09, most specific first: the payer's own setting (CHARTBILL_X12_FILING_INDICATORS, as the
 * clearinghouse's payer list says), else what the Coverage's type says, else the practice default.
 */
export function filingIndicatorOf(coverage: Coverage, payerId: string, config: X12Config): string {
  return (
    config.filingIndicators[payerId] ??
    coverageFilingIndicatorOf(coverage) ??
    config.filingIndicator
  );
}

/** Loop 2000C/2010CA: the patient when not the subscriber. */
function patientLoop(input: Claim837Input): OutSegment[] {
  const { patient } = input;
  const name = personName(patient.name, 'Patient.name', '2010CA NM1');
  return [
    ['HL', '3', '2', '23', '0'],
    ['PAT', RELATIONSHIP[relationshipOf(input.coverage)] ?? 'G8'],
    ['NM1', 'QC', '1', name.last, name.first, name.middle],
    ...addressSegments(patient.address?.[0], 'Patient.address', '2010CA'),
    demographics(patient.birthDate, patient.gender, 'Patient', '2010CA'),
  ];
}
