import type {
  Address,
  Claim,
  ClaimItem,
  Coverage,
  Organization,
  Patient,
  Practitioner,
} from 'fhir/r4';
import { EXT, SYSTEM, SYSTEM_CLAIM_FREQUENCY } from '../fhir/systems.ts';
import type { Claim837Input } from './claim-837-input.ts';
import { openX12, type X12Source } from './envelope-check.ts';
import { EIN_SYSTEM, NUCC_SYSTEM } from './fhir-facts.ts';
import { ICD9_SYSTEM, UNIT_SYSTEM, X12_SYSTEM } from './x12-systems.ts';
import { components, el, positionOf, type Delimiters, type Segment } from './segment-reader.ts';
import type { ReadSegmentsOptions } from './segment-reader.ts';
import { X12InputError } from './x12-error.ts';

/** What a read 837P claim carries beyond FHIR: the segments ChartBill does not map. */
export interface Read837 {
  version: string;
  input: Claim837Input;
  /** Tags of segments read but not carried into FHIR (COB loops, ambulance, NDC, …). */
  notCarried: string[];
}

const REVERSE_RELATIONSHIP: Readonly<Record<string, string>> = {
  '01': 'spouse',
  '19': 'child',
  '53': 'common',
};

/**
 * Reads an 837P (005010X222A1 or A2) into the FHIR resources ChartBill builds claims from, one
 * per CLM: billing Organization, Patient, Coverage (and subscriber), payer, rendering Practitioner
 * and the Claim. Used to cross-check ChartBill's writer and to import claims made elsewhere.
 */
export async function read837(
  source: X12Source,
  options: ReadSegmentsOptions = {},
): Promise<Read837[]> {
  const stream = openX12(source, options);
  const out: Read837[] = [];
  let state: State | undefined;
  for await (const s of stream.segments) {
    if (s.tag === 'ST') {
      if (el(s, 1) !== '837')
        throw new X12InputError(`ST01 is '${el(s, 1)}', not 837`, positionOf(s));
      state = newState(el(s, 3));
    } else if (state) onSegment(state, s, stream.delimiters(), out);
  }
  return out;
}

interface State {
  version: string;
  billing: Organization;
  subscriber?: Patient;
  coverage?: Coverage;
  payer?: Organization;
  patient?: Patient;
  relationship?: string;
  current?: Read837;
  entity?: { resource: Patient | Organization; addressTo: Address[] };
  cob: boolean;
  /** CLM05-1: the place of service of lines without SV105. */
  claimPos?: string;
}

function newState(version: string): State {
  return { version, billing: { resourceType: 'Organization', id: 'billing' }, cob: false };
}

function onSegment(st: State, s: Segment, d: Delimiters, out: Read837[]): void {
  const claim = st.current?.input.claim;
  switch (s.tag) {
    case 'HL':
      if (el(s, 3) === '22')
        Object.assign(st, { patient: undefined, relationship: undefined, cob: false });
      return;
    case 'SBR':
      if (claim) st.cob = true;
      else onSubscriber(st, s);
      return;
    case 'PAT':
      if (el(s, 1)) st.relationship = REVERSE_RELATIONSHIP[el(s, 1)] ?? 'other';
      return;
    case 'NM1':
      if (!st.cob) onName(st, s, claim);
      else notCarried(st, s);
      return;
    case 'N3':
    case 'N4':
      onAddress(st, s);
      return;
    case 'DMG':
      if (st.entity?.resource.resourceType === 'Patient') {
        const p = st.entity.resource;
        p.birthDate = `${el(s, 2).slice(0, 4)}-${el(s, 2).slice(4, 6)}-${el(s, 2).slice(6, 8)}`;
        p.gender = el(s, 3) === 'M' ? 'male' : el(s, 3) === 'F' ? 'female' : 'unknown';
      }
      return;
    case 'REF':
      onReference(st, s, claim);
      return;
    case 'CLM':
      out.push(startClaim(st, s, d));
      st.current = out[out.length - 1];
      st.entity = undefined;
      return;
    case 'HI':
      if (claim) claim.diagnosis = diagnoses(s, d);
      return;
    case 'SV1':
      if (claim) (claim.item ??= []).push(serviceLine(s, d, claim, st.claimPos ?? ''));
      return;
    case 'DTP':
      onDate(s, claim);
      return;
    case 'PRV':
      onTaxonomy(st, s);
      return;
    case 'LIN':
    case 'CTP':
      if (!st.cob && claim) onDrug(s, claim);
      else notCarried(st, s);
      return;
    default:
      notCarried(st, s);
  }
}

function notCarried(st: State, s: Segment): void {
  const read = st.current;
  const tag = s.tag === 'NM1' ? `NM1*${el(s, 1)}` : s.tag;
  if (
    read &&
    !['LX', 'SE', 'GE', 'IEA', 'PER', 'BHT'].includes(s.tag) &&
    !read.notCarried.includes(tag)
  )
    read.notCarried.push(tag);
}

function onSubscriber(st: State, s: Segment): void {
  st.coverage = {
    resourceType: 'Coverage',
    id: 'coverage',
    status: 'active',
    beneficiary: { reference: 'Patient/patient' },
    payor: [],
    ...(el(s, 3) ? { class: [{ type: { coding: [{ code: 'group' }] }, value: el(s, 3) }] } : {}),
    ...(el(s, 9)
      ? { type: { coding: [{ system: X12_SYSTEM.claimFilingIndicator, code: el(s, 9) }] } }
      : {}),
  };
}

/** PRV*BI (2000A): the billing Organization's taxonomy; PRV*PE (2310B): the rendering one's. */
function onTaxonomy(st: State, s: Segment): void {
  const coding = [{ system: NUCC_SYSTEM, code: el(s, 3) }];
  if (el(s, 1) === 'BI' && !st.current) st.billing.type = [{ coding }];
  const rendering = st.current?.input.practitioners?.find((p) => p.id === 'rendering');
  if (el(s, 1) === 'PE' && rendering) rendering.qualification = [{ code: { coding } }];
}

/** 2410 LIN (N4 NDC) and CTP (quantity, unit): the last line's drug, as Claim.item.detail. */
function onDrug(s: Segment, claim: Claim): void {
  const item = claim.item?.[claim.item.length - 1];
  if (!item) return;
  if (s.tag === 'LIN' && el(s, 2) === 'N4')
    item.detail = [
      { sequence: 1, productOrService: { coding: [{ system: SYSTEM.ndc, code: el(s, 3) }] } },
    ];
  const detail = item.detail?.[0];
  if (s.tag === 'CTP' && detail)
    detail.quantity = {
      value: Number(el(s, 4)),
      system: UNIT_SYSTEM,
      code: el(s, 5).split(/[:>^]/)[0] ?? '',
    };
}

function onName(st: State, s: Segment, claim: Claim | undefined): void {
  const entity = el(s, 1);
  const person: Patient = {
    resourceType: 'Patient',
    name: [{ family: el(s, 3), given: [el(s, 4), el(s, 5)].filter(Boolean) }],
  };
  if (entity === '85') {
    st.billing.name = el(s, 3);
    st.billing.identifier = [{ system: SYSTEM.npi, value: el(s, 9) }];
    st.entity = { resource: st.billing, addressTo: (st.billing.address = []) };
  } else if (entity === 'IL' && st.coverage) {
    st.subscriber = { ...person, id: 'subscriber' };
    st.coverage.subscriberId = el(s, 9);
    st.entity = { resource: st.subscriber, addressTo: (st.subscriber.address = []) };
  } else if (entity === 'PR') {
    st.payer = {
      resourceType: 'Organization',
      id: 'payer',
      name: el(s, 3),
      identifier: [{ system: SYSTEM.payerId, value: el(s, 9) }],
    };
    st.entity = undefined;
  } else if (entity === 'QC') {
    st.patient = { ...person, id: 'patient' };
    st.entity = { resource: st.patient, addressTo: (st.patient.address = []) };
  } else if (entity === 'DN' && claim && st.current) {
    onReferring(st.current, claim, person, el(s, 9));
    st.entity = undefined;
  } else if (entity === '82' && claim && st.current) {
    const rendering: Practitioner = {
      resourceType: 'Practitioner',
      id: 'rendering',
      name: person.name ?? [],
      identifier: [{ system: SYSTEM.npi, value: el(s, 9) }],
    };
    st.current.input.practitioners = [rendering, ...(st.current.input.practitioners ?? [])];
    claim.careTeam = [
      ...(claim.careTeam ?? []),
      {
        sequence: (claim.careTeam?.length ?? 0) + 1,
        provider: { reference: 'Practitioner/rendering' },
        responsible: true,
        role: { coding: [{ system: SYSTEM.careTeamRole, code: 'primary' }] },
      },
    ];
    st.entity = undefined;
  } else {
    st.entity = undefined;
    notCarried(st, s);
  }
}

/** 2310A NM1*DN: the referring provider, a care team member with CARIN's `referring` role. */
function onReferring(read: Read837, claim: Claim, person: Patient, npi: string): void {
  const referring: Practitioner = {
    resourceType: 'Practitioner',
    id: 'referring',
    name: person.name ?? [],
    ...(npi ? { identifier: [{ system: SYSTEM.npi, value: npi }] } : {}),
  };
  read.input.practitioners = [...(read.input.practitioners ?? []), referring];
  claim.careTeam = [
    ...(claim.careTeam ?? []),
    {
      sequence: (claim.careTeam?.length ?? 0) + 1,
      provider: { reference: 'Practitioner/referring' },
      role: { coding: [{ system: SYSTEM.careTeamRoleCarin, code: 'referring' }] },
    },
  ];
}

function onAddress(st: State, s: Segment): void {
  const target = st.entity?.addressTo;
  if (!target) return notCarried(st, s);
  if (s.tag === 'N3') target.push({ line: [el(s, 1), el(s, 2)].filter(Boolean) });
  else
    Object.assign(target[target.length - 1] ?? (target[0] = {}), {
      city: el(s, 1),
      state: el(s, 2),
      postalCode: el(s, 3),
    });
}

function onReference(st: State, s: Segment, claim: Claim | undefined): void {
  if (el(s, 1) === 'EI' && !claim)
    st.billing.identifier?.push({ system: EIN_SYSTEM, value: el(s, 2) });
  else if (el(s, 1) === 'F8' && claim) claim.related = [{ reference: { value: el(s, 2) } }];
  else if (el(s, 1) === 'G1' && claim && claim.insurance[0])
    claim.insurance[0].preAuthRef = [el(s, 2)];
  else if (el(s, 1) !== '6R') notCarried(st, s);
}

function startClaim(st: State, s: Segment, d: Delimiters): Read837 {
  const [pos = '', , frequency = '1'] = components(el(s, 5), d);
  const coverage: Coverage = {
    ...(st.coverage ?? { resourceType: 'Coverage', status: 'active', beneficiary: {}, payor: [] }),
  };
  coverage.payor = [{ reference: 'Organization/payer' }];
  const dependent = st.patient !== undefined;
  coverage.relationship = {
    coding: [
      {
        system: SYSTEM.subscriberRelationship,
        code: dependent ? (st.relationship ?? 'other') : 'self',
      },
    ],
  };
  const patient = st.patient ?? {
    ...(st.subscriber ?? { resourceType: 'Patient' }),
    id: 'patient',
  };
  const claim: Claim = {
    resourceType: 'Claim',
    identifier: [
      { system: SYSTEM.claimId, value: el(s, 1) },
      { system: SYSTEM.patientControlNumber, value: el(s, 1) },
    ],
    status: 'active',
    type: { coding: [{ system: SYSTEM.claimType, code: 'professional' }] },
    use: 'claim',
    patient: { reference: 'Patient/patient' },
    created: '2026-01-01',
    provider: { reference: 'Organization/billing' },
    priority: { coding: [{ code: 'normal' }] },
    insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/coverage' } }],
    total: { value: Number(el(s, 2)), currency: 'USD' },
    extension: [
      { url: EXT.claimFrequency, valueCoding: { system: SYSTEM_CLAIM_FREQUENCY, code: frequency } },
    ],
    item: [],
  };
  st.claimPos = pos;
  const input: Claim837Input = {
    claim,
    patient,
    coverage,
    billingProvider: st.billing,
    ...(st.payer ? { payer: st.payer } : {}),
    ...(dependent && st.subscriber ? { subscriber: st.subscriber } : {}),
  };
  return { version: st.version, input, notCarried: [] };
}

function diagnoses(s: Segment, d: Delimiters): Claim['diagnosis'] {
  return s.elements.filter(Boolean).map((value, i) => {
    const [qualifier = '', raw = ''] = components(value, d);
    const icd10 = qualifier.startsWith('AB');
    const code = icd10 && raw.length > 3 ? `${raw.slice(0, 3)}.${raw.slice(3)}` : raw;
    return {
      sequence: i + 1,
      diagnosisCodeableConcept: {
        coding: [{ system: icd10 ? SYSTEM.icd10cm : ICD9_SYSTEM, code }],
      },
    };
  });
}

function serviceLine(s: Segment, d: Delimiters, claim: Claim, claimPos: string): ClaimItem {
  const [, code = '', ...modifiers] = components(el(s, 1), d);
  const pos = el(s, 5) || claimPos;
  const unit = el(s, 3);
  const item: ClaimItem = {
    sequence: (claim.item?.length ?? 0) + 1,
    productOrService: { coding: [{ system: /^\d/.test(code) ? SYSTEM.cpt : SYSTEM.hcpcs, code }] },
    quantity: {
      value: Number(el(s, 4) || '1'),
      ...(unit && unit !== 'UN' ? { system: UNIT_SYSTEM, code: unit } : {}),
    },
    net: { value: Number(el(s, 2)), currency: 'USD' },
    diagnosisSequence: components(el(s, 7), d).map(Number),
    locationCodeableConcept: { coding: [{ system: SYSTEM.placeOfService, code: pos }] },
  };
  const mods = modifiers.slice(0, 4).filter(Boolean);
  if (mods.length > 0) item.modifier = mods.map((m) => ({ coding: [{ code: m }] }));
  return item;
}

function onDate(s: Segment, claim: Claim | undefined): void {
  const item = claim?.item?.[claim.item.length - 1];
  if (!item || el(s, 1) !== '472') return;
  const [from = '', to] = el(s, 3).split('-');
  const iso = (v: string) => `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`;
  if (to && to !== from) item.servicedPeriod = { start: iso(from), end: iso(to) };
  else item.servicedDate = iso(from);
}
