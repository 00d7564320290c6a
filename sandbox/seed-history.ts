import type {
  Claim,
  ClaimResponse,
  ClaimResponseItem,
  Coverage,
  Organization,
  Patient,
  PaymentReconciliation,
  Resource,
  Task,
} from 'fhir/r4';
import { carcConcept, type CarcGroup } from '../src/claims/carc-codes.ts';
import { denialNextStep } from '../src/claims/denial-next-steps.ts';
import { ADJUDICATION_C4BB } from '../src/claims/claim-response-summary.ts';
import { EXT, SYSTEM, SYSTEM_CLAIM_FREQUENCY } from '../src/fhir/systems.ts';
import { PAYER_ID_SYSTEM, SEED_META } from './seed-people.ts';

/**
 * The billing office's history (issue 17): a few hundred claims over the last 120 days, with
 * payer answers (adjudication, realistic denial reasons and their share), weekly payments and
 * the work items still open, so the queue and the charts mean something on `npm start`.
 * Deterministic (a seeded random), dates relative to `now`. The claims belong to patients of
 * their own, with no encounters: the worker, which starts from encounters, never touches them.
 */

const DAY_MS = 86_400_000;
export const HISTORY_CLAIMS = 300;
const HISTORY_DAYS = 120;

/** mulberry32: a small, fast, seeded random (public domain), so every start seeds the same history. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PAYERS = [
  { id: 'org-payer', name: 'Sandbox Health Plan', payerId: 'SBXHP', allowed: 0.72, deny: 0.1 },
  {
    id: 'org-payer-medicare',
    name: 'Medicare (sandbox)',
    payerId: 'SBXMCR',
    allowed: 0.55,
    deny: 0.08,
  },
  {
    id: 'org-payer-blue',
    name: 'Blue Plan (sandbox)',
    payerId: 'SBXBLU',
    allowed: 0.68,
    deny: 0.14,
  },
  {
    id: 'org-payer-acme',
    name: 'Acme Commercial (sandbox)',
    payerId: 'SBXACM',
    allowed: 0.75,
    deny: 0.18,
  },
] as const;

/** Office services and their charges (the practice's charge master, dollars). */
const SERVICES = [
  { code: '99213', charge: 150 },
  { code: '99214', charge: 220 },
  { code: '99203', charge: 180 },
  { code: '99395', charge: 260 },
  { code: '36415', charge: 25 },
  { code: '93000', charge: 75 },
  { code: '81002', charge: 20 },
  { code: '90471', charge: 40 },
] as const;

/** Denial reasons by how often practices see them (USERS.md: eligibility first, then data, bundling…). */
const DENIALS: Array<{
  group: CarcGroup;
  carc: string;
  rarc?: string;
  weight: number;
  line: boolean;
}> = [
  { group: 'CO', carc: '27', rarc: 'N30', weight: 28, line: false },
  { group: 'CO', carc: '16', rarc: 'M76', weight: 22, line: false },
  { group: 'CO', carc: '97', weight: 18, line: true },
  { group: 'CO', carc: '50', weight: 12, line: true },
  { group: 'CO', carc: '96', rarc: 'N130', weight: 8, line: true },
  { group: 'CO', carc: '29', weight: 6, line: false },
  { group: 'CO', carc: '18', weight: 6, line: false },
];

const GIVEN = [
  'Avery',
  'Bea',
  'Cruz',
  'Dana',
  'Eli',
  'Farah',
  'Gus',
  'Hana',
  'Ivo',
  'Jun',
  'Kira',
  'Luca',
  'Mara',
  'Nico',
  'Opal',
  'Pia',
  'Quinn',
  'Rafa',
  'Sol',
  'Tove',
  'Uma',
  'Vik',
  'Wren',
  'Xena',
  'Yara',
  'Zeno',
  'Ari',
  'Bo',
  'Cy',
  'Dov',
];
const FAMILY = [
  'Abbott',
  'Brandt',
  'Castillo',
  'Dube',
  'Ekwueme',
  'Fischer',
  'Gallo',
  'Haas',
  'Ibarra',
  'Jensen',
];

const iso = (ms: number) => new Date(ms).toISOString();
const date = (ms: number) => iso(ms).slice(0, 10);
const usd = (value: number) => ({ value: Math.round(value * 100) / 100, currency: 'USD' });
const cat = (code: string, system: string = SYSTEM.adjudication) => ({
  coding: [{ system, code }],
});

function historyPayers(): Organization[] {
  return PAYERS.filter((p) => p.id !== 'org-payer').map((p) => ({
    resourceType: 'Organization',
    id: p.id,
    meta: SEED_META,
    active: true,
    identifier: [{ system: PAYER_ID_SYSTEM, value: p.payerId }],
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
    name: p.name,
  }));
}

function historyPatients(now: Date): Array<Patient | Coverage> {
  return GIVEN.flatMap((given, i): Array<Patient | Coverage> => {
    const id = `hist-pt-${String(i + 1).padStart(2, '0')}`;
    const payer = PAYERS[i % PAYERS.length] ?? PAYERS[0];
    const member = `H${String(8000000 + i)}`;
    return [
      {
        resourceType: 'Patient',
        id,
        meta: SEED_META,
        active: true,
        name: [{ family: FAMILY[i % FAMILY.length] ?? 'Doe', given: [given] }],
        gender: i % 2 === 0 ? 'female' : 'male',
        birthDate: `${String(now.getUTCFullYear() - 20 - ((i * 7) % 60))}-0${String((i % 9) + 1)}-1${String(i % 9)}`,
      },
      {
        resourceType: 'Coverage',
        id: `cov-${id}`,
        meta: SEED_META,
        identifier: [{ system: SYSTEM.memberId, value: member }],
        status: 'active',
        subscriberId: member,
        beneficiary: { reference: `Patient/${id}` },
        relationship: { coding: [{ system: SYSTEM.subscriberRelationship, code: 'self' }] },
        period: { start: `${String(now.getUTCFullYear() - 3)}-01-01` },
        payor: [{ reference: `Organization/${payer.id}`, display: payer.name }],
      },
    ];
  });
}

function pick<T extends { weight: number }>(items: readonly T[], r: number): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let left = r * total;
  for (const item of items) {
    left -= item.weight;
    if (left <= 0) return item;
  }
  return items[items.length - 1] as T;
}

interface Built {
  resources: Resource[];
  paid?: { payer: string; claim: string; response: string; date: string; amount: number };
}

/** One historical claim with its answer (if any) and its open work item (if any). */
function historyClaim(n: number, now: Date, random: () => number): Built {
  const patientIndex = Math.floor(random() * GIVEN.length);
  const patient = `hist-pt-${String(patientIndex + 1).padStart(2, '0')}`;
  const payer = PAYERS[patientIndex % PAYERS.length] ?? PAYERS[0];
  const dos = now.getTime() - Math.floor(random() * HISTORY_DAYS + 2) * DAY_MS;
  const created = Math.min(
    now.getTime() - DAY_MS,
    dos + Math.floor(random() * random() * 12) * DAY_MS,
  );
  const lines = [
    SERVICES[Math.floor(random() * 4)] ?? SERVICES[0],
    ...(random() < 0.5 ? [SERVICES[4 + Math.floor(random() * 4)] ?? SERVICES[4]] : []),
  ];
  const id = `hist-c-${String(n).padStart(3, '0')}`;
  const total = lines.reduce((s, l) => s + l.charge, 0);
  const claim: Claim = {
    resourceType: 'Claim',
    id,
    meta: SEED_META,
    extension: [
      { url: EXT.claimFrequency, valueCoding: { system: SYSTEM_CLAIM_FREQUENCY, code: '1' } },
    ],
    identifier: [{ system: SYSTEM.claimId, value: `hist-${String(n)}` }],
    status: 'active',
    type: { coding: [{ system: SYSTEM.claimType, code: 'professional' }] },
    use: 'claim',
    patient: { reference: `Patient/${patient}` },
    billablePeriod: { start: date(dos), end: date(dos) },
    created: iso(created),
    insurer: { reference: `Organization/${payer.id}` },
    provider: { reference: 'Organization/org-billing' },
    priority: { coding: [{ system: SYSTEM.processPriority, code: 'normal' }] },
    careTeam: [
      {
        sequence: 1,
        provider: { reference: `Practitioner/pr-${String((n % 3) + 1)}` },
        responsible: true,
      },
    ],
    diagnosis: [
      {
        sequence: 1,
        diagnosisCodeableConcept: { coding: [{ system: SYSTEM.icd10cm, code: 'I10' }] },
      },
    ],
    insurance: [{ sequence: 1, focal: true, coverage: { reference: `Coverage/cov-${patient}` } }],
    item: lines.map((l, i) => ({
      sequence: i + 1,
      careTeamSequence: [1],
      diagnosisSequence: [1],
      productOrService: { coding: [{ system: SYSTEM.cpt, code: l.code }] },
      servicedDate: date(dos),
      quantity: { value: 1 },
      unitPrice: usd(l.charge),
      net: usd(l.charge),
    })),
    total: usd(total),
  };
  const answeredAt = created + Math.floor(7 + random() * 21) * DAY_MS;
  // Recent claims still wait for their answer.
  if (answeredAt > now.getTime()) return { resources: [claim] };
  const denial = random() < payer.deny ? pick(DENIALS, random()) : undefined;
  const deniedLine = denial?.line ? lines.length : 0;
  const items: ClaimResponseItem[] = lines.map((l, i) => {
    const sequence = i + 1;
    const deniedHere = denial && (!denial.line || sequence === deniedLine);
    const allowed = deniedHere ? 0 : Math.round(l.charge * payer.allowed * 100) / 100;
    const copay =
      !deniedHere && i === 0 && payer.id !== 'org-payer-medicare' ? Math.min(25, allowed) : 0;
    return {
      itemSequence: sequence,
      adjudication: [
        { category: cat('submitted'), amount: usd(l.charge) },
        { category: cat('eligible'), amount: usd(allowed) },
        ...(copay ? [{ category: cat('copay'), amount: usd(copay) }] : []),
        { category: cat('benefit'), amount: usd(allowed - copay) },
        ...(deniedHere
          ? [
              {
                category: cat('denied', ADJUDICATION_C4BB),
                reason: carcConcept(denial.carc, denial.group, denial.rarc),
                amount: usd(l.charge),
              },
            ]
          : []),
      ],
    };
  });
  const paid = items.reduce(
    (s, it) =>
      s +
      (it.adjudication.find((a) => a.category.coding?.[0]?.code === 'benefit')?.amount?.value ?? 0),
    0,
  );
  const paidDate = date(answeredAt + 2 * DAY_MS);
  const response: ClaimResponse = {
    resourceType: 'ClaimResponse',
    id: `hist-cr-${String(n).padStart(3, '0')}`,
    meta: SEED_META,
    identifier: [{ system: SYSTEM.claimResponseId, value: `hist-${String(n)}` }],
    status: 'active',
    type: { coding: [{ system: SYSTEM.claimType, code: 'professional' }] },
    use: 'claim',
    patient: { reference: `Patient/${patient}` },
    created: iso(answeredAt),
    insurer: { reference: `Organization/${payer.id}` },
    request: { reference: `Claim/${id}` },
    // Adjudicated, denials included, is `complete` (as an 835 says it, CLP02 1-4): whether it was
    // denied is in the lines' reasons, as the payers' real answers carry it.
    outcome: 'complete',
    item: items,
    ...(paid > 0
      ? {
          payment: {
            type: cat('complete', 'http://terminology.hl7.org/CodeSystem/ex-paymenttype'),
            date: paidDate,
            amount: usd(paid),
          },
        }
      : {}),
  };
  const resources: Resource[] = [claim, response];
  // A denial is worked within about 45 days; younger ones are still open in the queue.
  if (denial && now.getTime() - answeredAt < 45 * DAY_MS)
    resources.push(denialTask(n, patient, response, denial, answeredAt));
  return {
    resources,
    ...(paid > 0
      ? {
          paid: {
            payer: payer.id,
            claim: id,
            response: response.id ?? '',
            date: paidDate,
            amount: paid,
          },
        }
      : {}),
  };
}

function denialTask(
  n: number,
  patient: string,
  response: ClaimResponse,
  denial: (typeof DENIALS)[number],
  at: number,
): Task {
  const step = denialNextStep(denial.group, denial.carc, denial.rarc);
  return {
    resourceType: 'Task',
    id: `hist-task-${String(n).padStart(3, '0')}`,
    meta: SEED_META,
    identifier: [{ system: SYSTEM.taskId, value: `hist-${String(n)}-claim-denied` }],
    status: 'requested',
    intent: 'order',
    priority: 'urgent',
    code: {
      coding: [{ system: SYSTEM.taskCode, code: 'claim-denied', display: 'Claim denied' }],
      text: 'Claim denied',
    },
    description: `Denied ${denial.group}-${denial.carc}: ${step.text}`,
    for: { reference: `Patient/${patient}` },
    focus: { reference: `ClaimResponse/${response.id ?? ''}` },
    authoredOn: iso(at),
    lastModified: iso(at),
    restriction: { period: { end: iso(at + 90 * DAY_MS) } },
    businessStatus: {
      text: (response.payment?.amount.value ?? 0) > 0 ? 'partially denied' : 'denied',
    },
  };
}

/** Payments as the payers send them: one PaymentReconciliation per payer per week. */
function weeklyPayments(paid: NonNullable<Built['paid']>[]): PaymentReconciliation[] {
  const batches = new Map<string, NonNullable<Built['paid']>[]>();
  for (const p of paid) {
    const week = Math.floor(Date.parse(p.date) / (7 * DAY_MS));
    const key = `${p.payer}|${String(week)}`;
    batches.set(key, [...(batches.get(key) ?? []), p]);
  }
  return [...batches.entries()].map(([key, list], i) => {
    const last =
      list
        .map((p) => p.date)
        .sort()
        .at(-1) ?? '';
    return {
      resourceType: 'PaymentReconciliation',
      id: `hist-pay-${String(i + 1).padStart(3, '0')}`,
      meta: SEED_META,
      status: 'active',
      created: `${last}T12:00:00Z`,
      paymentIssuer: { reference: `Organization/${key.split('|')[0] ?? ''}` },
      paymentDate: last,
      paymentAmount: usd(list.reduce((s, p) => s + p.amount, 0)),
      detail: list.map((p) => ({
        type: cat('payment', 'http://terminology.hl7.org/CodeSystem/payment-type'),
        request: { reference: `Claim/${p.claim}` },
        response: { reference: `ClaimResponse/${p.response}` },
        date: p.date,
        amount: usd(p.amount),
      })),
    };
  });
}

/** The history's resources, references pointing backwards (payers, patients, claims, payments). */
export function seedHistory(now: Date): Resource[] {
  const random = seededRandom(17);
  const built = Array.from({ length: HISTORY_CLAIMS }, (_, i) => historyClaim(i + 1, now, random));
  return [
    ...historyPayers(),
    ...historyPatients(now),
    ...built.flatMap((b) => b.resources),
    ...weeklyPayments(built.flatMap((b) => (b.paid ? [b.paid] : []))),
  ];
}
