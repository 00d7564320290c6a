import type { ChargeItem, Condition, Encounter, Procedure, Resource } from 'fhir/r4';
import { seedBillingStaff } from './seed-billing-staff.ts';
import { seedHistory } from './seed-history.ts';
import { BILLING_STORE_TYPES } from '../src/fhir/routed-gateway.ts';
import { EXT, SYSTEM } from '../src/fhir/systems.ts';
import type { FhirAdapter } from './fhir-adapter.ts';
import {
  REAL_CLAIM_SCENARIOS,
  REAL_CLAIM_VISITS,
  realClaimResources,
  type CodedVisit,
} from './seed-real-claims.ts';
import { UNIT_SYSTEM } from '../src/x12/x12-systems.ts';
import {
  PATIENT_COUNT,
  patientId,
  SEED_META,
  seedCoverage,
  seedOrganizations,
  seedPatients,
  seedPractitioners,
} from './seed-people.ts';

/**
 * Encounter ids per demo scenario, so tests and the demo script can find them:
 * - `inProgress`: today's open visits, uncoded (the clinician codes them in ChartBill);
 *   `enc-today-07` belongs to a patient whose coverage lapsed and `enc-today-08` to one without coverage;
 * - `clean`: finished and coded, covered; the payer pays them;
 * - `timelyFiling`: finished 120 days ago, past the plan's 90 days but inside ChartBill's default
 *   365-day window (the plan's window is not configured), so it is sent and denied with CARC 29;
 * - `noCoverage`: the patient has no Coverage; the worker raises a Task;
 * - `lapsedCoverage`: the Coverage ended before the visit; eligibility comes back inactive;
 * - `notCovered`: includes HCPCS S9986 (not medically necessary service); the payer denies with CARC 96;
 * - `x12`: finished and coded, covered by Sandbox Mutual (patients 14-18), whose claims go out as
 *   837P through the sandbox clearinghouse: one paid in full less copay, one with S9986 denied;
 * - `realClaims`: Sandbox Mutual's visits that carry what real claims carry (seed-real-claims.ts):
 *   a dependent, a deductible, a service facility, telehealth, a referral, a drug line, a prior
 *   authorization. Like `x12`, seeded only where the clearinghouse is (the sandbox stack).
 */
export const SEED_SCENARIOS = {
  inProgress: [
    'enc-today-01',
    'enc-today-02',
    'enc-today-03',
    'enc-today-04',
    'enc-today-05',
    'enc-today-06',
    'enc-today-07',
    'enc-today-08',
  ],
  clean: ['enc-clean-1', 'enc-clean-2', 'enc-clean-3', 'enc-clean-4', 'enc-clean-5'],
  timelyFiling: 'enc-timely-filing',
  noCoverage: 'enc-no-coverage',
  lapsedCoverage: 'enc-lapsed',
  notCovered: 'enc-not-covered',
  x12: ['enc-x12-1', 'enc-x12-2'],
  realClaims: REAL_CLAIM_SCENARIOS,
} as const;

/** Ids of the shared resources: billing provider, payer, practitioners, the sandbox user. */
export const SEED_IDS = {
  billingOrganization: 'org-billing',
  payerOrganization: 'org-payer',
  practitioners: ['pr-1', 'pr-2', 'pr-3'],
  /** The implicitly logged-in EHR user. */
  sandboxUser: 'Practitioner/pr-1',
} as const;

/** Patients 21 and 22 have no Coverage; 19 and 20 have one that ended 90 days ago. */
const NO_COVERAGE = new Set([21, 22]);
const LAPSED = new Set([19, 20]);
/** Patients 14-18 are covered by Sandbox Mutual, reached through the clearinghouse (X12). */
const X12_COVERED = new Set([14, 15, 16, 17, 18]);

/** Finished, coded visits; only real ICD-10-CM, CPT and HCPCS codes. */
const CODED: CodedVisit[] = [
  {
    id: 'enc-clean-1',
    patient: 6,
    practitioner: 'pr-1',
    daysAgo: 3,
    type: 'Office visit',
    diagnoses: [
      { code: 'I10', display: 'Essential (primary) hypertension' },
      { code: 'E78.5', display: 'Hyperlipidemia, unspecified' },
    ],
    lines: [{ code: '99214', system: 'cpt', pointers: [1, 2] }],
  },
  {
    id: 'enc-clean-2',
    patient: 7,
    practitioner: 'pr-2',
    daysAgo: 5,
    type: 'Office visit',
    diagnoses: [
      { code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' },
      { code: 'I10', display: 'Essential (primary) hypertension' },
      { code: 'B07.9', display: 'Viral wart, unspecified' },
    ],
    lines: [
      { code: '99214', system: 'cpt', pointers: [1, 2], modifiers: ['25'] },
      { code: '17110', system: 'cpt', pointers: [3] },
      { code: '36415', system: 'cpt', pointers: [1] },
    ],
  },
  {
    id: 'enc-clean-3',
    patient: 8,
    practitioner: 'pr-3',
    daysAgo: 7,
    type: 'Office visit',
    diagnoses: [{ code: 'J06.9', display: 'Acute upper respiratory infection, unspecified' }],
    lines: [{ code: '99213', system: 'cpt', pointers: [1] }],
  },
  {
    id: 'enc-clean-4',
    patient: 9,
    practitioner: 'pr-1',
    daysAgo: 10,
    type: 'Office visit',
    diagnoses: [{ code: 'M54.50', display: 'Low back pain, unspecified' }],
    lines: [{ code: '99213', system: 'cpt', pointers: [1] }],
  },
  {
    id: 'enc-clean-5',
    patient: 10,
    practitioner: 'pr-2',
    daysAgo: 14,
    type: 'Annual wellness visit',
    diagnoses: [
      {
        code: 'Z00.00',
        display: 'Encounter for general adult medical examination without abnormal findings',
      },
    ],
    lines: [{ code: 'G0439', system: 'hcpcs', pointers: [1] }],
  },
  {
    id: 'enc-timely-filing',
    patient: 11,
    practitioner: 'pr-3',
    daysAgo: 120,
    type: 'Preventive visit',
    diagnoses: [
      {
        code: 'Z00.00',
        display: 'Encounter for general adult medical examination without abnormal findings',
      },
    ],
    lines: [
      { code: '99396', system: 'cpt', pointers: [1] },
      { code: '85025', system: 'cpt', pointers: [1] },
    ],
  },
  {
    id: 'enc-not-covered',
    patient: 12,
    practitioner: 'pr-1',
    daysAgo: 4,
    type: 'Office visit',
    diagnoses: [{ code: 'J06.9', display: 'Acute upper respiratory infection, unspecified' }],
    lines: [
      { code: '99213', system: 'cpt', pointers: [1] },
      { code: 'S9986', system: 'hcpcs', pointers: [1] },
    ],
  },
  {
    id: 'enc-lapsed',
    patient: 19,
    practitioner: 'pr-2',
    daysAgo: 30,
    type: 'Office visit',
    diagnoses: [{ code: 'I10', display: 'Essential (primary) hypertension' }],
    lines: [{ code: '99213', system: 'cpt', pointers: [1] }],
  },
  {
    id: 'enc-x12-1',
    patient: 14,
    practitioner: 'pr-1',
    daysAgo: 2,
    type: 'Office visit',
    diagnoses: [
      { code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' },
      { code: 'I10', display: 'Essential (primary) hypertension' },
    ],
    lines: [
      { code: '99214', system: 'cpt', pointers: [1, 2] },
      { code: '36415', system: 'cpt', pointers: [1] },
    ],
  },
  {
    id: 'enc-x12-2',
    patient: 15,
    practitioner: 'pr-2',
    daysAgo: 3,
    type: 'Office visit',
    diagnoses: [{ code: 'J06.9', display: 'Acute upper respiratory infection, unspecified' }],
    lines: [
      { code: '99213', system: 'cpt', pointers: [1] },
      { code: 'S9986', system: 'hcpcs', pointers: [1] },
    ],
  },
  {
    id: 'enc-no-coverage',
    patient: 21,
    practitioner: 'pr-3',
    daysAgo: 6,
    type: 'Office visit',
    diagnoses: [{ code: 'J06.9', display: 'Acute upper respiratory infection, unspecified' }],
    lines: [{ code: '99213', system: 'cpt', pointers: [1] }],
  },
];

/** Patients with an open visit today, in `enc-today-NN` order. */
const TODAY_PATIENTS = [1, 2, 3, 4, 5, 13, 20, 22];

const DAY_MS = 86_400_000;

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function encounter(
  id: string,
  patient: number,
  practitioner: string,
  type: string,
  period: Encounter['period'],
  status: Encounter['status'],
  visit?: CodedVisit,
): Encounter {
  const klass = visit?.encounterClass ?? 'AMB';
  return {
    resourceType: 'Encounter',
    id,
    meta: SEED_META,
    status,
    class: {
      system: SYSTEM.actCode,
      code: klass,
      display: klass === 'VR' ? 'virtual' : 'ambulatory',
    },
    ...(visit?.referral
      ? { basedOn: [{ reference: `ServiceRequest/${visit.referral.serviceRequest}` }] }
      : {}),
    type: [
      {
        coding: [
          {
            system: 'http://snomed.info/sct',
            code: '308335008',
            display: 'Patient encounter procedure',
          },
        ],
        text: type,
      },
    ],
    subject: { reference: `Patient/${patientId(patient)}` },
    participant: [
      {
        type: [
          {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
                code: 'ATND',
                display: 'attender',
              },
            ],
          },
        ],
        individual: { reference: `Practitioner/${practitioner}` },
      },
      ...(visit?.referral ? [referrer(visit.referral.practitioner)] : []),
    ],
    period,
    ...(visit?.location
      ? {
          location: [
            { location: { reference: `Location/${visit.location}` }, status: 'completed' as const },
          ],
        }
      : {}),
    serviceProvider: { reference: `Organization/${SEED_IDS.billingOrganization}` },
  };
}

/** Encounter.participant of type REF: the referring provider (837P loop 2310A). */
function referrer(practitioner: string): NonNullable<Encounter['participant']>[number] {
  return {
    type: [
      {
        coding: [{ system: SYSTEM.participationType, code: 'REF', display: 'referrer' }],
      },
    ],
    individual: { reference: `Practitioner/${practitioner}` },
  };
}

function conditions(visit: CodedVisit, recorded: string): Condition[] {
  return visit.diagnoses.map((dx, i) => ({
    resourceType: 'Condition',
    id: `cond-${visit.id}-${i + 1}`,
    meta: SEED_META,
    extension: [{ url: EXT.diagnosisRank, valuePositiveInt: i + 1 }],
    clinicalStatus: { coding: [{ system: SYSTEM.conditionClinical, code: 'active' }] },
    verificationStatus: { coding: [{ system: SYSTEM.conditionVerification, code: 'confirmed' }] },
    category: [
      {
        coding: [
          {
            system: SYSTEM.conditionCategory,
            code: 'encounter-diagnosis',
            display: 'Encounter Diagnosis',
          },
        ],
      },
    ],
    code: {
      coding: [{ system: SYSTEM.icd10cm, code: dx.code, display: dx.display }],
      text: dx.display,
    },
    subject: { reference: `Patient/${patientId(visit.patient)}` },
    encounter: { reference: `Encounter/${visit.id}` },
    recordedDate: recorded,
    recorder: { reference: `Practitioner/${visit.practitioner}` },
  }));
}

function chargeItems(visit: CodedVisit, occurrence: string): ChargeItem[] {
  return visit.lines.map((line, i) => ({
    resourceType: 'ChargeItem',
    id: `ci-${visit.id}-${i + 1}`,
    meta: SEED_META,
    extension: [
      { url: EXT.lineSequence, valuePositiveInt: i + 1 },
      ...(line.ndc
        ? [
            {
              url: EXT.ndcQuantity,
              valueQuantity: {
                value: line.ndc.quantity,
                system: UNIT_SYSTEM,
                code: line.ndc.unit,
                unit: line.ndc.unit,
              },
            },
          ]
        : []),
      ...(line.modifiers ?? []).map((m) => ({
        url: EXT.modifier,
        valueCoding: { system: SYSTEM.cpt, code: m },
      })),
      ...line.pointers.map((p) => ({
        url: EXT.diagnosisPointer,
        valueReference: { reference: `Condition/cond-${visit.id}-${p}` },
      })),
    ],
    status: 'billable',
    code: { coding: [{ system: SYSTEM[line.system], code: line.code }] },
    // A drug line names the drug given (NDC) and how much of it (837P loop 2410).
    ...(line.ndc
      ? { productCodeableConcept: { coding: [{ system: SYSTEM.ndc, code: line.ndc.code }] } }
      : {}),
    subject: { reference: `Patient/${patientId(visit.patient)}` },
    context: { reference: `Encounter/${visit.id}` },
    occurrenceDateTime: occurrence,
    performer: [{ actor: { reference: `Practitioner/${visit.practitioner}` } }],
    enterer: { reference: `Practitioner/${visit.practitioner}` },
    enteredDate: occurrence,
    quantity: { value: line.units ?? 1 },
  }));
}

/**
 * What the chart already documents for today's first visits, before anyone codes them: problem-list
 * diagnoses and a performed procedure. The app offers these as suggestions.
 */
function documented(now: Date): Resource[] {
  const problem = (id: string, patient: number, code: string, display: string): Condition => ({
    resourceType: 'Condition',
    id,
    meta: SEED_META,
    clinicalStatus: { coding: [{ system: SYSTEM.conditionClinical, code: 'active' }] },
    verificationStatus: { coding: [{ system: SYSTEM.conditionVerification, code: 'confirmed' }] },
    category: [
      {
        coding: [
          {
            system: SYSTEM.conditionCategory,
            code: 'problem-list-item',
            display: 'Problem List Item',
          },
        ],
      },
    ],
    code: { coding: [{ system: SYSTEM.icd10cm, code, display }], text: display },
    subject: { reference: `Patient/${patientId(patient)}` },
    recordedDate: `${now.getUTCFullYear() - 1}-03-01`,
  });
  const ecg: Procedure = {
    resourceType: 'Procedure',
    id: 'proc-enc-today-01-ecg',
    meta: SEED_META,
    status: 'completed',
    code: {
      coding: [{ system: SYSTEM.cpt, code: '93000' }],
      text: 'Electrocardiogram with interpretation',
    },
    subject: { reference: `Patient/${patientId(TODAY_PATIENTS[0] ?? 1)}` },
    encounter: { reference: 'Encounter/enc-today-01' },
    performedDateTime: now.toISOString(),
  };
  return [
    problem(
      'cond-problem-01-htn',
      TODAY_PATIENTS[0] ?? 1,
      'I10',
      'Essential (primary) hypertension',
    ),
    problem('cond-problem-01-hld', TODAY_PATIENTS[0] ?? 1, 'E78.5', 'Hyperlipidemia, unspecified'),
    problem(
      'cond-problem-02-dm2',
      TODAY_PATIENTS[1] ?? 2,
      'E11.9',
      'Type 2 diabetes mellitus without complications',
    ),
    ecg,
  ];
}

/**
 * The demo data, deterministic for a given `now` (dates are relative to it): organizations,
 * practitioners, 22 synthetic patients, their coverages, today's open visits and the coded
 * finished visits of SEED_SCENARIOS. Ordered so that references point backwards.
 */
export function buildSeedResources(now: Date, options: { x12?: boolean } = {}): Resource[] {
  // Sandbox Mutual (X12) only where a clearinghouse is there to reach it (the sandbox stack):
  // elsewhere patients 14-18 keep the FHIR payer and the X12 visits are not seeded.
  const x12Covered = options.x12 ? X12_COVERED : new Set<number>();
  const coverageStart = `${now.getUTCFullYear() - 3}-01-01`;
  const lapsedEnd = isoDate(new Date(now.getTime() - 90 * DAY_MS));
  const coverages = Array.from({ length: PATIENT_COUNT }, (_, i) => i + 1)
    .filter((n) => !NO_COVERAGE.has(n))
    .map((n) =>
      seedCoverage(n, coverageStart, LAPSED.has(n) ? lapsedEnd : undefined, x12Covered.has(n)),
    );
  const today = TODAY_PATIENTS.map((n, i) => {
    const start = new Date(now.getTime() - (TODAY_PATIENTS.length - i) * 20 * 60_000);
    return encounter(
      `enc-today-${String(i + 1).padStart(2, '0')}`,
      n,
      SEED_IDS.practitioners[i % 3] ?? 'pr-1',
      'Office visit',
      { start: start.toISOString() },
      'in-progress',
    );
  });
  const x12Visits: readonly string[] = SEED_SCENARIOS.x12;
  const coded = (visits: readonly CodedVisit[]) =>
    visits.flatMap((visit) => {
      const start = new Date(now.getTime() - visit.daysAgo * DAY_MS);
      const end = new Date(start.getTime() + 30 * 60_000);
      return [
        encounter(
          visit.id,
          visit.patient,
          visit.practitioner,
          visit.type,
          { start: start.toISOString(), end: end.toISOString() },
          'finished',
          visit,
        ),
        ...conditions(visit, end.toISOString()),
        ...chargeItems(visit, start.toISOString()),
      ];
    });
  return [
    ...seedOrganizations(),
    ...seedPractitioners(),
    ...seedBillingStaff(),
    ...seedPatients(now),
    ...coverages,
    ...today,
    ...documented(now),
    ...coded(CODED.filter((visit) => options.x12 || !x12Visits.includes(visit.id))),
    // After everything else, so the ids, counts and order other tests rely on stay as they were.
    ...(options.x12
      ? [...realClaimResources(now, coverageStart), ...coded(REAL_CLAIM_VISITS)]
      : []),
  ];
}

/**
 * The seed's coding: ChargeItems and encounter-diagnosis Conditions, which an Epic- or
 * Oracle-like EHR cannot hold for ChartBill; the sandbox puts them in its billing store.
 */
export function isSeedCoding(resource: Resource): boolean {
  if (resource.resourceType === 'ChargeItem') return true;
  return (
    resource.resourceType === 'Condition' &&
    ((resource as Condition).category ?? []).some((c) =>
      (c.coding ?? []).some((x) => x.code === 'encounter-diagnosis'),
    )
  );
}

/**
 * The seed's billing records (the history's claims, answers, work Tasks and payments: what the
 * worker keeps where the claims are, BILLING_STORE_TYPES), which an EHR that takes no Claim
 * writes cannot hold; the sandbox puts them in its billing store, as the worker would.
 */
export function isSeedBillingRecord(resource: Resource): boolean {
  return (BILLING_STORE_TYPES as readonly string[]).includes(resource.resourceType);
}

/**
 * Writes the seed (the resources `keep` accepts) through the FHIR adapter (PUT with the seed's ids), so every resource passes
 * the same R4 validation as any client write. Throws on the first refusal: a broken seed is a bug.
 */
export async function seedSandbox(
  adapter: FhirAdapter,
  now: Date,
  keep: (resource: Resource) => boolean = () => true,
  options: { history?: boolean; x12?: boolean } = {},
): Promise<number> {
  // The billing office's last 120 days (seed-history.ts), after what it references: opt-in, as
  // its ~1,100 resources add seconds to a start that most tests do not need.
  const resources = [
    ...buildSeedResources(now, { x12: options.x12 ?? false }),
    ...(options.history ? seedHistory(now) : []),
  ].filter(keep);
  for (const resource of resources) {
    const id = resource.id ?? '';
    const answer = await adapter.handle({
      method: 'PUT',
      path: [resource.resourceType, id],
      query: new URLSearchParams(),
      body: resource,
    });
    if (answer.status >= 300)
      throw new Error(
        `seed ${resource.resourceType}/${id} refused with HTTP ${answer.status}: ${JSON.stringify(answer.body)}`,
      );
  }
  return resources.length;
}
