import type { Coverage, Organization, Patient, Practitioner } from 'fhir/r4';
import { npiCheckDigit } from '../src/edits/npi-check.ts';
import { SYSTEM, writerTag } from '../src/fhir/systems.ts';
import { NUCC_SYSTEM } from '../src/x12/fhir-facts.ts';

/** The payer's identifier system in the sandbox (a payer ID as a clearinghouse would list it). */
export const PAYER_ID_SYSTEM = SYSTEM.payerId;
/** US Employer Identification Number (the billing provider's tax id on an 837P, loop 2010AA REF*EI). */
export const EIN_SYSTEM = 'urn:oid:2.16.840.1.113883.4.4';

export const SEED_META = { tag: [writerTag('sandbox-seed')] };

const GIVEN = [
  'Avery',
  'Jordan',
  'Riley',
  'Morgan',
  'Casey',
  'Taylor',
  'Quinn',
  'Rowan',
  'Emerson',
  'Harper',
  'Sawyer',
  'Parker',
  'Reese',
  'Hayden',
  'Finley',
  'Dakota',
  'Skyler',
  'Elliot',
  'Marlow',
  'Sage',
  'Tatum',
  'Blair',
];
const FAMILY = [
  'Okafor',
  'Lindqvist',
  'Marchetti',
  'Nakamura',
  'Delacroix',
  'Haddad',
  'Kowalski',
  'Brennan',
  'Oyelaran',
  'Castellano',
  'Whitfield',
  'Achterberg',
  'Moreau',
  'Szabo',
  'Ferreira',
  'Iwasaki',
  'Galloway',
  'Pemberton',
  'Quintero',
  'Radcliffe',
  'Vasquez',
  'Thorsen',
];
/** Ages at seeding; patient 3 is a child and patient 10 an older adult (Medicare age). */
const AGES = [
  34, 52, 8, 45, 29, 61, 57, 38, 44, 78, 50, 33, 27, 66, 41, 19, 72, 36, 48, 55, 63, 31,
];

export const PATIENT_COUNT = GIVEN.length;

/** `pat-01` … `pat-22`. */
export function patientId(n: number): string {
  return `pat-${String(n).padStart(2, '0')}`;
}

/** An NPI from nine digits and their check digit (see `npiCheckDigit`). */
export function npiWithCheckDigit(first9: string): string {
  return `${first9}${String(npiCheckDigit(first9))}`;
}

export function seedOrganizations(): Organization[] {
  const billing: Organization = {
    resourceType: 'Organization',
    id: 'org-billing',
    meta: SEED_META,
    active: true,
    identifier: [
      { system: SYSTEM.npi, value: '1234567893' },
      { system: EIN_SYSTEM, value: '990000001' },
    ],
    type: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/organization-type',
            code: 'prov',
            display: 'Healthcare Provider',
          },
        ],
      },
      // The practice's NUCC taxonomy: 837P PRV*BI (2000A) is read from here.
      {
        coding: [{ system: NUCC_SYSTEM, code: '207Q00000X', display: 'Family Medicine Physician' }],
      },
    ],
    name: 'Sandbox Family Medicine',
    telecom: [{ system: 'phone', value: '555-0100' }],
    address: [
      {
        line: ['100 Sandbox Way'],
        city: 'Springfield',
        state: 'IL',
        // ZIP+4: 5010 wants nine digits for the billing provider (837P 2010AA N403).
        postalCode: '62701-4512',
        country: 'US',
      },
    ],
  };
  const payer: Organization = {
    resourceType: 'Organization',
    id: 'org-payer',
    meta: SEED_META,
    active: true,
    identifier: [{ system: PAYER_ID_SYSTEM, value: 'SBXHP' }],
    type: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/organization-type',
            code: 'pay',
            display: 'Payer',
          },
        ],
      },
    ],
    name: 'Sandbox Health Plan',
    address: [
      {
        line: ['PO Box 4420'],
        city: 'Springfield',
        state: 'IL',
        postalCode: '62702',
        country: 'US',
      },
    ],
  };
  return [billing, payer];
}

export const PRACTITIONERS = [
  { id: 'pr-1', given: 'Nadia', family: 'Ferrante', npiBase: '100000001' },
  { id: 'pr-2', given: 'Tomas', family: 'Albrecht', npiBase: '100000002' },
  { id: 'pr-3', given: 'Imani', family: 'Osei', npiBase: '100000003' },
] as const;

export function seedPractitioners(): Practitioner[] {
  return PRACTITIONERS.map((p) => ({
    resourceType: 'Practitioner',
    id: p.id,
    meta: SEED_META,
    active: true,
    identifier: [{ system: SYSTEM.npi, value: npiWithCheckDigit(p.npiBase) }],
    name: [{ family: p.family, given: [p.given], prefix: ['Dr.'] }],
  }));
}

function birthDate(now: Date, n: number): string {
  const age = AGES[n - 1] ?? 40;
  const month = String(((n * 5) % 12) + 1).padStart(2, '0');
  const day = String(((n * 7) % 28) + 1).padStart(2, '0');
  return `${now.getUTCFullYear() - age}-${month}-${day}`;
}

export function seedPatients(now: Date): Patient[] {
  return GIVEN.map((given, i) => {
    const n = i + 1;
    return {
      resourceType: 'Patient',
      id: patientId(n),
      meta: SEED_META,
      active: true,
      identifier: [
        {
          system: 'https://chartbill.dev/fhir/identifier/sandbox-mrn',
          value: `MRN${String(1000 + n)}`,
        },
      ],
      name: [{ use: 'official', family: FAMILY[i] ?? 'Doe', given: [given] }],
      gender: n % 2 === 0 ? 'male' : 'female',
      birthDate: birthDate(now, n),
      address: [
        {
          line: [`${n * 10} Elm Street`],
          city: 'Springfield',
          state: 'IL',
          postalCode: '62704',
          country: 'US',
        },
      ],
    };
  });
}

/** Coverage of one patient with the sandbox payer; `end` makes it a lapsed coverage. */
export function seedCoverage(n: number, start: string, end?: string): Coverage {
  const member = `SBX${String(7000000 + n)}`;
  return {
    resourceType: 'Coverage',
    id: `cov-${patientId(n)}`,
    meta: SEED_META,
    identifier: [{ system: SYSTEM.memberId, value: member }],
    status: 'active',
    type: { coding: [{ system: SYSTEM.actCode, code: 'EHCPOL', display: 'extended healthcare' }] },
    subscriber: { reference: `Patient/${patientId(n)}` },
    subscriberId: member,
    beneficiary: { reference: `Patient/${patientId(n)}` },
    relationship: { coding: [{ system: SYSTEM.subscriberRelationship, code: 'self' }] },
    period: end ? { start, end } : { start },
    payor: [
      {
        reference: 'Organization/org-payer',
        identifier: { system: PAYER_ID_SYSTEM, value: 'SBXHP' },
        display: 'Sandbox Health Plan',
      },
    ],
    class: [
      {
        type: { coding: [{ system: SYSTEM.coverageClass, code: 'group' }] },
        value: 'GRP-1001',
        name: 'Sandbox Employers Group',
      },
      {
        type: { coding: [{ system: SYSTEM.coverageClass, code: 'plan' }] },
        value: 'SBX-PPO-GOLD',
        name: 'Sandbox PPO Gold',
      },
    ],
    costToBeneficiary: [
      {
        type: {
          coding: [{ system: SYSTEM.copayType, code: 'gpvisit', display: 'GP Office Visit' }],
        },
        valueMoney: { value: 25, currency: 'USD' },
      },
    ],
  };
}
