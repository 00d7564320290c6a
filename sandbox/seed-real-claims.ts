import type {
  ClaimResponse,
  Coverage,
  Location,
  Patient,
  Practitioner,
  RelatedPerson,
  Resource,
  ServiceRequest,
} from 'fhir/r4';
import { SYSTEM } from '../src/fhir/systems.ts';
import { npiWithCheckDigit, patientId, SEED_META, seedCoverage, X12_PAYER } from './seed-people.ts';

/** One line of a seeded visit; `ndc` makes it a drug line (837P loop 2410 LIN/CTP). */
export interface SeedLine {
  code: string;
  system: 'cpt' | 'hcpcs';
  pointers: number[];
  units?: number;
  modifiers?: string[];
  /** The drug given: its NDC (5-4-2) and the amount in the NDC's unit. */
  ndc?: { code: string; quantity: number; unit: 'UN' | 'ML' };
}

/** A finished, coded visit of the seed. */
export interface CodedVisit {
  id: string;
  patient: number;
  practitioner: string;
  daysAgo: number;
  type: string;
  diagnoses: { code: string; display: string }[];
  lines: SeedLine[];
  /** HL7 v3 ActCode encounter class; `AMB` when absent. */
  encounterClass?: 'AMB' | 'VR';
  /** Encounter.location: where the visit took place. */
  location?: string;
  /** The referral the visit was based on (Encounter.basedOn) and who referred (participant REF). */
  referral?: { serviceRequest: string; practitioner: string };
}

/**
 * What real claims carry, one visit each, all Sandbox Mutual's (837P through the sandbox
 * clearinghouse), seeded after everything else:
 * - `dependent`: a child on a parent's employer plan (Coverage.subscriber = the parent, relationship
 *   child): 837P 2000B names the parent, 2000C the child with PAT01 19;
 * - `deductible`: a member of a high-deductible plan on the first visit of the plan year: the
 *   payer's 835 takes the allowed amount as deductible (PR-1);
 * - `facility`: seen at the practice's Riverside annex, not the billing address: Claim.facility, 2310C;
 * - `telehealth`: a video visit with the patient at home: place of service 10;
 * - `referral`: sent by an outside physician (ServiceRequest): Claim.referral, careTeam
 *   `referring`, 2310A NM1*DN;
 * - `drug`: a ketorolac injection (J1885 × 2 with NDC 0409-3795-01, 1 mL): item.detail with the
 *   NDC, 2410 LIN*N4 and CTP;
 * - `priorAuth`: a knee injection under the payer's prior authorization on file (a ClaimResponse,
 *   use `preauthorization`): Claim.insurance.preAuthRef, REF*G1.
 * - `relatedSubscriber`: a child on the plan of a parent who is no patient of the practice
 *   (Coverage.subscriber = a RelatedPerson): the 270 asks in 2000D under the parent's member id,
 *   the 837P names the parent in 2010BA and the child in 2000C;
 * - `priorAuthMissing`: the same knee injection with no authorization on file: Sandbox Mutual
 *   authorizes 20610 first (PRIOR_AUTH_REQUIRED), so the 835 denies it CO-197.
 */
export const REAL_CLAIM_SCENARIOS = {
  dependent: 'enc-x12-dependent',
  deductible: 'enc-x12-deductible',
  facility: 'enc-x12-facility',
  telehealth: 'enc-x12-telehealth',
  referral: 'enc-x12-referral',
  drug: 'enc-x12-drug',
  priorAuth: 'enc-x12-prior-auth',
  relatedSubscriber: 'enc-x12-related-subscriber',
  priorAuthMissing: 'enc-x12-no-prior-auth',
} as const;

/** Ids of the resources these visits reference. */
export const REAL_CLAIM_IDS = {
  /** The parent (subscriber) and the child (dependent) of the `dependent` visit. */
  parent: 23,
  child: 24,
  /** The high-deductible plan's member. */
  deductibleMember: 25,
  referringPractitioner: 'pr-ref-1',
  referral: 'sr-referral-1',
  annex: 'loc-riverside-annex',
  patientHome: 'loc-patient-home',
  priorAuthorization: 'cr-preauth-1',
  priorAuthNumber: 'SBXMUT-PA-4471',
  /** The child of the `relatedSubscriber` visit, and the parent who holds the plan. */
  ward: 26,
  guardian: 'rp-guardian-1',
  /** The parent's member id with Sandbox Mutual (no patient number: not a patient here). */
  guardianMemberId: 'SBX7100026',
} as const;

/** The high-deductible plan: no office copay, $1,500 deductible, then 20% coinsurance. */
export const HDHP_DEDUCTIBLE = 1500;

const NEW_PATIENTS = [
  { n: 23, given: 'Morgan', family: 'Abernathy', gender: 'female', age: 39, born: '06-15' },
  { n: 24, given: 'Lily', family: 'Abernathy', gender: 'female', age: 8, born: '02-09' },
  { n: 25, given: 'Dmitri', family: 'Volkov', gender: 'male', age: 46, born: '11-23' },
  { n: 26, given: 'Theo', family: 'Okafor', gender: 'male', age: 11, born: '09-30' },
] as const;

/** The visits of REAL_CLAIM_SCENARIOS; only real ICD-10-CM, CPT and HCPCS codes. */
export const REAL_CLAIM_VISITS: readonly CodedVisit[] = [
  {
    id: REAL_CLAIM_SCENARIOS.dependent,
    patient: REAL_CLAIM_IDS.child,
    practitioner: 'pr-2',
    daysAgo: 2,
    type: 'Office visit',
    diagnoses: [{ code: 'J02.9', display: 'Acute pharyngitis, unspecified' }],
    lines: [{ code: '99213', system: 'cpt', pointers: [1] }],
  },
  {
    id: REAL_CLAIM_SCENARIOS.deductible,
    patient: REAL_CLAIM_IDS.deductibleMember,
    practitioner: 'pr-1',
    daysAgo: 1,
    type: 'Office visit',
    diagnoses: [{ code: 'I10', display: 'Essential (primary) hypertension' }],
    lines: [{ code: '99214', system: 'cpt', pointers: [1] }],
  },
  {
    id: REAL_CLAIM_SCENARIOS.facility,
    patient: 15,
    practitioner: 'pr-3',
    daysAgo: 3,
    type: 'Office visit',
    diagnoses: [{ code: 'M54.50', display: 'Low back pain, unspecified' }],
    lines: [{ code: '99213', system: 'cpt', pointers: [1] }],
    location: REAL_CLAIM_IDS.annex,
  },
  {
    id: REAL_CLAIM_SCENARIOS.telehealth,
    patient: 17,
    practitioner: 'pr-1',
    daysAgo: 2,
    type: 'Telehealth visit',
    diagnoses: [{ code: 'F41.1', display: 'Generalized anxiety disorder' }],
    lines: [{ code: '99213', system: 'cpt', pointers: [1] }],
    encounterClass: 'VR',
    location: REAL_CLAIM_IDS.patientHome,
  },
  {
    id: REAL_CLAIM_SCENARIOS.referral,
    patient: 18,
    practitioner: 'pr-2',
    daysAgo: 4,
    type: 'Office visit',
    diagnoses: [{ code: 'R10.9', display: 'Unspecified abdominal pain' }],
    lines: [{ code: '99214', system: 'cpt', pointers: [1] }],
    referral: {
      serviceRequest: REAL_CLAIM_IDS.referral,
      practitioner: REAL_CLAIM_IDS.referringPractitioner,
    },
  },
  {
    id: REAL_CLAIM_SCENARIOS.drug,
    patient: REAL_CLAIM_IDS.parent,
    practitioner: 'pr-3',
    daysAgo: 1,
    type: 'Office visit',
    diagnoses: [{ code: 'M54.50', display: 'Low back pain, unspecified' }],
    lines: [
      { code: '99213', system: 'cpt', pointers: [1], modifiers: ['25'] },
      { code: '96372', system: 'cpt', pointers: [1] },
      {
        code: 'J1885',
        system: 'hcpcs',
        pointers: [1],
        units: 2,
        ndc: { code: '0409-3795-01', quantity: 1, unit: 'ML' },
      },
    ],
  },
  {
    id: REAL_CLAIM_SCENARIOS.priorAuth,
    patient: 16,
    practitioner: 'pr-1',
    daysAgo: 5,
    type: 'Procedure visit',
    diagnoses: [{ code: 'M17.11', display: 'Unilateral primary osteoarthritis, right knee' }],
    lines: [{ code: '20610', system: 'cpt', pointers: [1] }],
  },
  {
    id: REAL_CLAIM_SCENARIOS.relatedSubscriber,
    patient: REAL_CLAIM_IDS.ward,
    practitioner: 'pr-2',
    daysAgo: 3,
    type: 'Office visit',
    diagnoses: [{ code: 'J06.9', display: 'Acute upper respiratory infection, unspecified' }],
    lines: [{ code: '99213', system: 'cpt', pointers: [1] }],
  },
  {
    id: REAL_CLAIM_SCENARIOS.priorAuthMissing,
    patient: 15,
    practitioner: 'pr-1',
    daysAgo: 4,
    type: 'Procedure visit',
    diagnoses: [{ code: 'M17.12', display: 'Unilateral primary osteoarthritis, left knee' }],
    lines: [{ code: '20610', system: 'cpt', pointers: [1] }],
  },
];

const DAY_MS = 86_400_000;

/** Street addresses by patient number (the Abernathys share 412 Maple Avenue). */
const HOMES: Readonly<Record<number, string>> = { 25: '7 Cedar Court', 26: '58 Birch Lane' };

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function patient(now: Date, p: (typeof NEW_PATIENTS)[number]): Patient {
  return {
    resourceType: 'Patient',
    id: patientId(p.n),
    meta: SEED_META,
    active: true,
    identifier: [
      {
        system: 'https://chartbill.dev/fhir/identifier/sandbox-mrn',
        value: `MRN${String(1000 + p.n)}`,
      },
    ],
    name: [{ use: 'official', family: p.family, given: [p.given] }],
    gender: p.gender,
    birthDate: `${String(now.getUTCFullYear() - p.age)}-${p.born}`,
    // The parent and child share a home; the others live elsewhere.
    address: [
      {
        line: [HOMES[p.n] ?? '412 Maple Avenue'],
        city: 'Springfield',
        state: 'IL',
        postalCode: '62704',
        country: 'US',
      },
    ],
  };
}

/**
 * The parent of the `relatedSubscriber` visit's child: the plan's subscriber, known to the
 * practice only as the child's mother (RelatedPerson), never seen as a patient.
 */
function guardian(now: Date): RelatedPerson {
  return {
    resourceType: 'RelatedPerson',
    id: REAL_CLAIM_IDS.guardian,
    meta: SEED_META,
    active: true,
    patient: { reference: `Patient/${patientId(REAL_CLAIM_IDS.ward)}` },
    relationship: [{ coding: [{ system: SYSTEM.roleCode, code: 'MTH', display: 'mother' }] }],
    name: [{ use: 'official', family: 'Okafor', given: ['Adaeze'] }],
    gender: 'female',
    birthDate: `${String(now.getUTCFullYear() - 41)}-04-18`,
    address: [
      {
        line: [HOMES[REAL_CLAIM_IDS.ward] ?? ''],
        city: 'Springfield',
        state: 'IL',
        postalCode: '62704',
        country: 'US',
      },
    ],
  };
}

/** The child on the plan of a parent who is a RelatedPerson: the parent's member id. */
function relatedSubscriberCoverage(start: string): Coverage {
  const base = seedCoverage(REAL_CLAIM_IDS.ward, start, undefined, true);
  return {
    ...base,
    identifier: [{ system: SYSTEM.memberId, value: REAL_CLAIM_IDS.guardianMemberId }],
    subscriber: { reference: `RelatedPerson/${REAL_CLAIM_IDS.guardian}` },
    subscriberId: REAL_CLAIM_IDS.guardianMemberId,
    relationship: {
      coding: [{ system: SYSTEM.subscriberRelationship, code: 'child', display: 'Child' }],
    },
    dependent: '01',
  };
}

/** The child on the parent's plan: the parent's member id, Coverage.subscriber the parent. */
function dependentCoverage(start: string): Coverage {
  const parent = seedCoverage(REAL_CLAIM_IDS.parent, start, undefined, true);
  return {
    ...parent,
    id: `cov-${patientId(REAL_CLAIM_IDS.child)}`,
    beneficiary: { reference: `Patient/${patientId(REAL_CLAIM_IDS.child)}` },
    relationship: {
      coding: [{ system: SYSTEM.subscriberRelationship, code: 'child', display: 'Child' }],
    },
    dependent: '01',
  };
}

/** A high-deductible plan: no copay, the deductible first, then coinsurance. */
function deductibleCoverage(start: string): Coverage {
  const base = seedCoverage(REAL_CLAIM_IDS.deductibleMember, start, undefined, true);
  return {
    ...base,
    class: [
      ...(base.class ?? []).filter((c) => c.type.coding?.some((t) => t.code === 'group')),
      {
        type: { coding: [{ system: SYSTEM.coverageClass, code: 'plan' }] },
        value: 'SBX-HDHP-BRONZE',
        name: 'Sandbox HDHP Bronze',
      },
    ],
    costToBeneficiary: [
      {
        type: { coding: [{ system: SYSTEM.copayType, code: 'deductible', display: 'Deductible' }] },
        valueMoney: { value: HDHP_DEDUCTIBLE, currency: 'USD' },
      },
      {
        type: {
          coding: [{ system: SYSTEM.copayType, code: 'copaypct', display: 'Copay Percentage' }],
        },
        valueQuantity: { value: 20, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
      },
    ],
  };
}

function referringPractitioner(): Practitioner {
  return {
    resourceType: 'Practitioner',
    id: REAL_CLAIM_IDS.referringPractitioner,
    meta: SEED_META,
    active: true,
    identifier: [{ system: SYSTEM.npi, value: npiWithCheckDigit('100000004') }],
    name: [{ family: 'Lindgren', given: ['Paul'], prefix: ['Dr.'] }],
  };
}

function referral(now: Date): ServiceRequest {
  const visit = REAL_CLAIM_VISITS.find((v) => v.id === REAL_CLAIM_SCENARIOS.referral);
  return {
    resourceType: 'ServiceRequest',
    id: REAL_CLAIM_IDS.referral,
    meta: SEED_META,
    status: 'completed',
    intent: 'order',
    category: [
      {
        coding: [
          { system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' },
        ],
      },
    ],
    code: { text: 'Evaluation of abdominal pain' },
    subject: { reference: `Patient/${patientId(visit?.patient ?? 18)}` },
    authoredOn: isoDate(new Date(now.getTime() - 20 * DAY_MS)),
    requester: { reference: `Practitioner/${REAL_CLAIM_IDS.referringPractitioner}` },
    performer: [{ reference: 'Organization/org-billing' }],
  };
}

function locations(): Location[] {
  return [
    {
      resourceType: 'Location',
      id: REAL_CLAIM_IDS.annex,
      meta: SEED_META,
      status: 'active',
      name: 'Sandbox Family Medicine Riverside Annex',
      mode: 'instance',
      type: [
        {
          coding: [
            {
              system: SYSTEM.placeOfService,
              code: '11',
              display: 'Office',
            },
          ],
        },
      ],
      address: {
        line: ['9 River Road'],
        city: 'Springfield',
        state: 'IL',
        postalCode: '62703',
        country: 'US',
      },
      managingOrganization: { reference: 'Organization/org-billing' },
    },
    {
      resourceType: 'Location',
      id: REAL_CLAIM_IDS.patientHome,
      meta: SEED_META,
      status: 'active',
      name: "Patient's home",
      // A kind of place, not one address: where a telehealth patient joins from.
      mode: 'kind',
      type: [
        { coding: [{ system: SYSTEM.roleCode, code: 'PTRES', display: "patient's residence" }] },
      ],
    },
  ];
}

/** The payer's approval of the knee injection, on file before the visit. */
function priorAuthorization(now: Date): ClaimResponse {
  const visit = REAL_CLAIM_VISITS.find((v) => v.id === REAL_CLAIM_SCENARIOS.priorAuth);
  const patient = `Patient/${patientId(visit?.patient ?? 16)}`;
  return {
    resourceType: 'ClaimResponse',
    id: REAL_CLAIM_IDS.priorAuthorization,
    meta: SEED_META,
    status: 'active',
    type: { coding: [{ system: SYSTEM.claimType, code: 'professional' }] },
    use: 'preauthorization',
    patient: { reference: patient },
    created: new Date(now.getTime() - 15 * DAY_MS).toISOString(),
    insurer: { reference: `Organization/${X12_PAYER.id}`, display: X12_PAYER.name },
    outcome: 'complete',
    disposition: 'Approved: arthrocentesis, major joint, right knee',
    preAuthRef: REAL_CLAIM_IDS.priorAuthNumber,
    preAuthPeriod: {
      start: isoDate(new Date(now.getTime() - 15 * DAY_MS)),
      end: isoDate(new Date(now.getTime() + 75 * DAY_MS)),
    },
  };
}

/**
 * The people, plans, places and records the visits of REAL_CLAIM_VISITS reference (their
 * encounters and coding are made with the rest of the seed's visits, in seed-data.ts).
 */
export function realClaimResources(now: Date, coverageStart: string): Resource[] {
  return [
    ...NEW_PATIENTS.map((p) => patient(now, p)),
    seedCoverage(REAL_CLAIM_IDS.parent, coverageStart, undefined, true),
    dependentCoverage(coverageStart),
    deductibleCoverage(coverageStart),
    referringPractitioner(),
    referral(now),
    ...locations(),
    priorAuthorization(now),
    guardian(now),
    relatedSubscriberCoverage(coverageStart),
  ];
}

/** A prior authorization seeded where the claims live (an Epic-like EHR takes no ClaimResponse). */
export function isSeedPriorAuthorization(resource: Resource): boolean {
  return (
    resource.resourceType === 'ClaimResponse' &&
    (resource as ClaimResponse).use === 'preauthorization'
  );
}
