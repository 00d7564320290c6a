import type { ClaimItem } from 'fhir/r4';
import { SYSTEM } from '../fhir/systems.ts';
import {
  frequencyOf,
  referringOf,
  renderingOf,
  taxonomyOf,
  type Claim837Input,
} from './claim-837-input.ts';
import {
  addressSegments,
  d8Of,
  identifierValue,
  personName,
  requireIdentifier,
} from './fhir-facts.ts';
import type { X12Config } from './x12-config.ts';
import { ClaimNotExpressibleError } from './x12-error.ts';
import { ICD9_SYSTEM, UNIT_SYSTEM } from './x12-systems.ts';
import { amount } from './x12-values.ts';
import { composite, text, type OutSegment } from './x12-writer.ts';

/** 837P: at most 12 diagnoses in HI, 4 pointers and 4 modifiers per SV1, 50 lines per claim. */
const MAX_DIAGNOSES = 12;
const MAX_LINES = 50;
const ICD10_START = '2015-10-01';

/** Loop 2300 (claim), 2310A (referring), 2310B (rendering), 2310C (facility), 2400 (lines). */
export function claimLoop2300(
  input: Claim837Input,
  clm01: string,
  config: X12Config,
): OutSegment[] {
  const { claim } = input;
  const items = claim.item ?? [];
  if (items.length === 0)
    throw new ClaimNotExpressibleError('Claim.item', '2400', 'the claim has no service lines');
  if (items.length > MAX_LINES)
    throw new ClaimNotExpressibleError(
      'Claim.item',
      '2400',
      `${items.length} lines; an 837P claim holds at most ${MAX_LINES}`,
    );
  const pos = placeOfServiceOf(items[0]);
  const frequency = frequencyOf(claim);
  const total = claim.total?.value ?? items.reduce((s, i) => s + (i.net?.value ?? 0), 0);
  const out: OutSegment[] = [
    [
      'CLM',
      clm01,
      amount(total),
      '',
      '',
      composite(pos, 'B', frequency),
      config.providerSignature,
      config.assignment,
      config.benefitsAssignment,
      config.releaseOfInformation,
    ],
  ];
  if (frequency === '7' || frequency === '8') {
    const payerNumber = claim.related?.find((r) => r.reference?.value)?.reference?.value;
    if (!payerNumber)
      throw new ClaimNotExpressibleError(
        'Claim.related.reference',
        '2300 REF*F8',
        `frequency ${frequency} needs the payer claim number of the claim it ${frequency === '7' ? 'replaces' : 'voids'}`,
      );
    out.push(['REF', 'F8', text(payerNumber, 50)]);
  }
  const preAuth =
    claim.insurance.find((i) => i.focal)?.preAuthRef?.[0] ?? claim.insurance[0]?.preAuthRef?.[0];
  if (preAuth) out.push(['REF', 'G1', text(preAuth, 50)]);
  out.push(healthCareDiagnoses(input));
  out.push(...referringLoop(input));
  out.push(...renderingLoop(input));
  out.push(...facilityLoop(input, pos));
  items.forEach((item, i) => out.push(...serviceLine(item, i + 1, pos, input)));
  return out;
}

function placeOfServiceOf(item: ClaimItem | undefined): string {
  const code = item?.locationCodeableConcept?.coding?.find(
    (c) => c.system === SYSTEM.placeOfService,
  )?.code;
  if (!code || !/^\d{2}$/.test(code))
    throw new ClaimNotExpressibleError(
      'Claim.item.locationCodeableConcept (place of service)',
      '2300 CLM05-1',
      'no 2-digit CMS place of service code',
    );
  return code;
}

/** HI: ABK principal, ABF others; ICD-10-CM without the dot (837P 2300 HI); BK/BF for ICD-9-CM. */
function healthCareDiagnoses(input: Claim837Input): OutSegment {
  const diagnoses = [...(input.claim.diagnosis ?? [])].sort((a, b) => a.sequence - b.sequence);
  if (diagnoses.length === 0)
    throw new ClaimNotExpressibleError(
      'Claim.diagnosis',
      '2300 HI',
      'at least one diagnosis is required',
    );
  if (diagnoses.length > MAX_DIAGNOSES)
    throw new ClaimNotExpressibleError(
      'Claim.diagnosis',
      '2300 HI',
      `${diagnoses.length} diagnoses; the 837P holds 12`,
    );
  // ICD-9-CM (BK/BF) only for services before the ICD-10 compliance date (45 CFR 162.1002).
  const first = input.claim.item?.[0];
  const start =
    input.claim.billablePeriod?.start ?? first?.servicedDate ?? first?.servicedPeriod?.start ?? '';
  const icd9Allowed = start !== '' && start < ICD10_START;
  return [
    'HI',
    ...diagnoses.map((d, i) => {
      const codings = d.diagnosisCodeableConcept?.coding ?? [];
      const icd10 = codings.find((c) => c.system === SYSTEM.icd10cm)?.code;
      const icd9 = icd9Allowed ? codings.find((c) => c.system === ICD9_SYSTEM)?.code : undefined;
      const code = icd10 ?? icd9;
      if (!code)
        throw new ClaimNotExpressibleError(
          `Claim.diagnosis[${i}] ICD-10-CM code`,
          '2300 HI',
          'no ICD-10-CM coding',
        );
      const qualifier = icd10 ? (i === 0 ? 'ABK' : 'ABF') : i === 0 ? 'BK' : 'BF';
      return composite(qualifier, code.replace('.', '').toUpperCase());
    }),
  ];
}

/**
 * Loop 2310A: the referring provider (NM1*DN), when the care team names one; NM108/NM109 (NPI)
 * are situational in the TR3: sent when the Practitioner has an NPI.
 */
function referringLoop(input: Claim837Input): OutSegment[] {
  const practitioner = referringOf(input);
  if (!practitioner) return [];
  const npi = identifierValue(practitioner.identifier, SYSTEM.npi);
  const name = personName(practitioner.name, 'Practitioner.name (referring)', '2310A NM1');
  const nm1 = ['NM1', 'DN', '1', name.last, name.first, name.middle];
  return [npi ? [...nm1, '', '', 'XX', npi] : nm1];
}

/** Loop 2310B: the rendering provider (NM1*82 with NPI, PRV*PE with the taxonomy when known). */
function renderingLoop(input: Claim837Input): OutSegment[] {
  const practitioner = renderingOf(input);
  if (!practitioner) return [];
  const npi = requireIdentifier(
    practitioner.identifier,
    SYSTEM.npi,
    'Practitioner.identifier NPI',
    '2310B NM109',
  );
  const name = personName(practitioner.name, 'Practitioner.name', '2310B NM1');
  const taxonomy = taxonomyOf(practitioner);
  return [
    ['NM1', '82', '1', name.last, name.first, name.middle, '', '', 'XX', npi],
    ...(taxonomy ? [['PRV', 'PE', 'PXC', taxonomy]] : []),
  ];
}

/** Loop 2310C: the service facility, only when its address is not the billing provider's. */
function facilityLoop(input: Claim837Input, pos: string): OutSegment[] {
  const location = input.location;
  if (!location?.address) return [];
  const billing = input.billingProvider.address?.[0];
  if (
    text(billing?.line?.[0]) === text(location.address.line?.[0]) &&
    billing?.postalCode?.slice(0, 5) === location.address.postalCode?.slice(0, 5)
  )
    return [];
  const npi = identifierValue(location.identifier, SYSTEM.npi);
  const name = text(location.name) || `PLACE OF SERVICE ${pos}`;
  return [
    npi ? ['NM1', '77', '2', name, '', '', '', '', 'XX', npi] : ['NM1', '77', '2', name],
    ...addressSegments(location.address, 'Location.address', '2310C'),
  ];
}

/** Loop 2400: LX, SV1 (HC:code:modifiers, charge, UN units, POS when it differs, pointers), DTP*472, REF*6R. */
function serviceLine(
  item: ClaimItem,
  n: number,
  claimPos: string,
  input: Claim837Input,
): OutSegment[] {
  const coding = item.productOrService.coding?.find(
    (c) => c.system === SYSTEM.cpt || c.system === SYSTEM.hcpcs,
  );
  if (!coding?.code)
    throw new ClaimNotExpressibleError(
      `Claim.item[${n - 1}].productOrService (CPT or HCPCS)`,
      '2400 SV101',
      'no procedure code',
    );
  const modifiers = (item.modifier ?? []).slice(0, 4).map((m) => m.coding?.[0]?.code ?? '');
  const pointers = (item.diagnosisSequence ?? []).slice(0, 4).map(String);
  if (pointers.length === 0)
    throw new ClaimNotExpressibleError(
      `Claim.item[${n - 1}].diagnosisSequence`,
      '2400 SV107',
      'each line points to at least one diagnosis',
    );
  const charge = item.net?.value ?? (item.unitPrice?.value ?? 0) * (item.quantity?.value ?? 1);
  const pos = placeOfServiceOf(item);
  const date = item.servicedDate ?? item.servicedPeriod?.start ?? input.claim.billablePeriod?.start;
  if (!date)
    throw new ClaimNotExpressibleError(
      `Claim.item[${n - 1}].servicedDate`,
      '2400 DTP*472',
      'no date of service',
    );
  const end = item.servicedPeriod?.end;
  return [
    ['LX', String(n)],
    [
      'SV1',
      composite('HC', coding.code, ...modifiers),
      amount(charge),
      // SV103: UN units, MJ minutes (anesthesia).
      item.quantity?.system === UNIT_SYSTEM && item.quantity.code === 'MJ' ? 'MJ' : 'UN',
      String(item.quantity?.value ?? 1),
      pos === claimPos ? '' : pos,
      '',
      pointers.join(':'),
    ],
    end && end.slice(0, 10) !== date.slice(0, 10)
      ? ['DTP', '472', 'RD8', `${d8Of(date)}-${d8Of(end)}`]
      : ['DTP', '472', 'D8', d8Of(date)],
    // REF*6R: line item control number, echoed in the 835's REF*6R to match payment to line.
    ['REF', '6R', String(item.sequence)],
    ...drugIdentification(item, n),
  ];
}

/** Loop 2410: LIN (N4 = 11-digit NDC) and CTP (quantity, unit) from the line's NDC detail. */
function drugIdentification(item: ClaimItem, n: number): OutSegment[] {
  const detail = item.detail?.find((d) =>
    d.productOrService.coding?.some((c) => c.system === SYSTEM.ndc),
  );
  if (!detail) return [];
  const ndc = detail.productOrService.coding?.find((c) => c.system === SYSTEM.ndc)?.code ?? '';
  const quantity = detail.quantity?.value;
  const unit = detail.quantity?.code ?? '';
  if (!/^\d{11}$/.test(ndc))
    throw new ClaimNotExpressibleError(
      `Claim.item[${n - 1}].detail.productOrService (NDC)`,
      '2410 LIN03',
      'an NDC has 11 digits (5-4-2)',
    );
  if (quantity === undefined || !['UN', 'ML', 'GR', 'F2', 'ME'].includes(unit))
    throw new ClaimNotExpressibleError(
      `Claim.item[${n - 1}].detail.quantity`,
      '2410 CTP04/CTP05',
      'the drug amount needs a value and a unit (UN, ML, GR, F2, ME)',
    );
  return [
    ['LIN', '', 'N4', ndc],
    ['CTP', '', '', '', String(quantity), unit],
  ];
}
