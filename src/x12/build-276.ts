import { SYSTEM } from '../fhir/systems.ts';
import { claimNumberOf, payerOf } from './claim-to-837.ts';
import type { Claim837Input } from './claim-837-input.ts';
import { d8Of, personName, requireIdentifier } from './fhir-facts.ts';
import type { X12Config } from './x12-config.ts';
import { envelope, KIND_276, serialize, text, type OutSegment } from './x12-writer.ts';
import { amount } from './x12-values.ts';

/**
 * A 276 claim status inquiry (005010X212) for a claim sent earlier: payer, provider (NPI),
 * subscriber with member id, and the claim by its patient control number (REF*EJ = CLM01),
 * charge and dates of service; `trace` (TRN02) comes back in the 277.
 */
export function build276(
  input: Claim837Input,
  trace: string,
  config: X12Config,
  control: number,
  now: Date,
): string {
  const payer = payerOf(input);
  const npi = requireIdentifier(
    input.billingProvider.identifier,
    SYSTEM.npi,
    'Organization.identifier NPI',
    '276 2100C NM109',
  );
  const name = personName(input.patient.name, 'Patient.name', '276 2100D NM1');
  const claim = input.claim;
  const from = claim.billablePeriod?.start ?? claim.item?.[0]?.servicedDate ?? '';
  const to = claim.billablePeriod?.end ?? from;
  const body: OutSegment[] = [
    [
      'BHT',
      '0010',
      '13',
      text(trace, 50),
      d8Of(now.toISOString()),
      now.toISOString().slice(11, 16).replace(':', ''),
    ],
    ['HL', '1', '', '20', '1'],
    ['NM1', 'PR', '2', payer.name, '', '', '', '', 'PI', payer.id],
    ['HL', '2', '1', '21', '1'],
    ['NM1', '41', '2', text(config.submitterName), '', '', '', '', '46', config.senderId],
    ['HL', '3', '2', '19', '1'],
    ['NM1', '1P', '2', text(input.billingProvider.name), '', '', '', '', 'XX', npi],
    ['HL', '4', '3', '22', '0'],
    ['DMG', 'D8', d8Of(input.patient.birthDate ?? '')],
    [
      'NM1',
      'IL',
      '1',
      name.last,
      name.first,
      name.middle,
      '',
      '',
      'MI',
      text(input.coverage.subscriberId, 80),
    ],
    ['TRN', '1', text(trace, 50)],
    ['REF', 'EJ', claimNumberOf(claim)],
    ['AMT', 'T3', amount(claim.total?.value ?? 0)],
    from && to && from !== to
      ? ['DTP', '472', 'RD8', `${d8Of(from)}-${d8Of(to)}`]
      : ['DTP', '472', 'D8', d8Of(from)],
  ];
  return serialize(envelope(config, KIND_276, [body], control, now));
}
