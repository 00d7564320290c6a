import type { Resource } from 'fhir/r4';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { npiCheckDigit } from '../../src/edits/npi-check.ts';
import {
  coverage,
  cpt,
  daysAgo,
  icd,
  organization,
  patient,
  visitResources,
  type CodeSpec,
  type LineSpec,
  type PayorSpec,
  type VisitSpec,
} from './hostile-encounters.ts';

/**
 * Odd and hostile encounters for the worker's fuzz test and `npm run bench -- fuzz`: each odd
 * encounter has its own patient and coverage (so nothing odd leaks onto a good encounter) and
 * one to seven odd records of one family, all of which the worker must name in one work item:
 * - `records`: another patient's ChargeItem or Condition, codes in local, look-alike, SNOMED or
 *   no system, text only; held as `data-invalid`;
 * - `payer`: a Coverage paid by a person, the practice, nobody that exists, text, or an insurer
 *   the payer connection does not know; held as `data-invalid`;
 * - `edits`: a future or backwards visit, a patient born after it, a billing provider with a bad
 *   NPI, a duplicate line, a second office visit; held as `claim-scrub-errors`.
 * Seeded, so a failure can be replayed.
 */

export interface OddEncounter {
  encounterId: string;
  family: 'records' | 'payer' | 'edits';
  /** The work item code the worker must leave. */
  expect: 'data-invalid' | 'claim-scrub-errors';
  /** Words each odd record makes the work item say (one per odd record). */
  mentions: string[];
}

export interface FuzzBatch {
  /** Every resource to write (patients, coverages, organizations, encounters and their coding). */
  resources: Resource[];
  odd: OddEncounter[];
  /** Odd records in all (each named by one mention). */
  oddRecords: number;
}

export interface FuzzOptions {
  /** Ids start with it, so batches can share a server. */
  prefix: string;
  /** At least this many odd encounters, and at least `minOddRecords` odd records. */
  minOddEncounters: number;
  minOddRecords: number;
  seed: number;
  now?: Date;
}

/** A small seeded generator (mulberry32): the same seed makes the same batch. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;

/** Values a hostile writer might put in a code (no whitespace: FHIR `code` forbids it). */
const HOSTILE_CODES = [
  'E11.9',
  '99215',
  '<img/src=x/onerror=alert(1)>',
  "'OR'1'='1",
  '../../etc/passwd',
  '\u202E5129',
  '９９２１３',
  'J06.9;DROP',
  `Z${'9'.repeat(300)}`,
  '0',
  '🦠',
];
/** Systems that look like, but are not, the billing ones. */
const LOOKALIKE_SERVICE = [
  'https://www.ama-assn.org/go/cpt',
  'http://www.ama-assn.org/go/cpt/',
  'http://hospital.example.org/chargemaster',
  'urn:oid:2.16.840.1.113883.6.12.9',
  SYSTEM.icd10cm,
];
const LOOKALIKE_DIAGNOSIS = [
  'http://hl7.org/fhir/sid/icd-10',
  'http://snomed.info/sct',
  'urn:oid:1.2.3.4.99',
  'http://hl7.org/fhir/sid/icd-10-cm/',
  SYSTEM.cpt,
];

interface Odd {
  mention: string;
  /** Changes to the visit, and resources to add. */
  apply(visit: VisitSpec): Resource[];
}

/** One odd record of the `records` family for encounter `id`, the n-th of its kind on it. */
function oddRecord(rng: Rng, id: string, other: string): (visit: VisitSpec) => string {
  const kind = Math.floor(rng() * 6);
  const code = pick(rng, HOSTILE_CODES);
  return (visit) => {
    const addLine = (line: LineSpec) => {
      visit.lines.push(line);
      return `ChargeItem/${id}-line${String(visit.lines.length)}`;
    };
    const addDx = (dx: CodeSpec) => {
      visit.diagnoses.push(dx);
      return `Condition/${id}-dx${String(visit.diagnoses.length)}`;
    };
    switch (kind) {
      case 0:
        return addLine(cpt(pick(rng, ['99213', '36415', '93000', '99215']), { subject: other }));
      case 1:
        return addDx(icd(pick(rng, ['E11.9', 'I10', 'F32.A']), { subject: other }));
      case 2:
        return addLine({ system: pick(rng, LOOKALIKE_SERVICE), code });
      case 3:
        return addDx({ system: pick(rng, LOOKALIKE_DIAGNOSIS), code });
      case 4:
        return addDx({ code });
      default:
        return addLine({
          text: pick(rng, ['office visit', '<script>alert(1)</script>', 'Heart transplant']),
        });
    }
  };
}

function oddPayor(rng: Rng, id: string): { payor: PayorSpec; extra: Resource[]; mention: string } {
  switch (Math.floor(rng() * 5)) {
    case 0:
      return { payor: { reference: `Patient/${id}-pat` }, extra: [], mention: 'only an insurer' };
    case 1:
      return {
        payor: { reference: 'Organization/org-billing', display: 'Sandbox Health Plan' },
        extra: [],
        mention: 'billing organization itself',
      };
    case 2:
      return {
        payor: { reference: `Organization/${id}-gone` },
        extra: [],
        mention: 'does not exist',
      };
    case 3:
      return {
        payor: { display: pick(rng, ['Sandbox Health Plan', 'SBXHP', '<b>Acme</b>']) },
        extra: [],
        mention: 'only as text',
      };
    default: {
      const org = organization(`${id}-insurer`, [
        { system: SYSTEM.payerId, value: pick(rng, ['SBXHP2', 'sbxhp', 'OTHER']) },
      ]);
      return {
        payor: { reference: `Organization/${org.id ?? ''}` },
        extra: [org],
        mention: 'no payer id this payer connection knows',
      };
    }
  }
}

/** A ten-character NPI that fails: a wrong check digit, letters, or nine digits. */
function badNpi(rng: Rng): string {
  const first9 = String(100_000_000 + Math.floor(rng() * 899_999_999));
  switch (Math.floor(rng() * 3)) {
    case 0:
      return `${first9}${String((npiCheckDigit(first9) + 1 + Math.floor(rng() * 9)) % 10)}`;
    case 1:
      return `${first9.slice(0, 8)}A${String(npiCheckDigit(first9))}`;
    default:
      return first9;
  }
}

/** The `edits` family: each a different edit, so all are reported together. */
function oddEdits(rng: Rng, id: string, now: Date): Odd[] {
  const all: Odd[] = [
    {
      mention: 'is after today',
      apply: (v) => {
        v.start = new Date(now.getTime() + (2 + Math.floor(rng() * 30)) * 86_400_000).toISOString();
        v.end = v.start;
        return [];
      },
    },
    { mention: 'birth date', apply: () => [] },
    {
      mention: 'is not valid: an NPI',
      apply: (v) => {
        v.serviceProvider = `${id}-org`;
        return [organization(`${id}-org`, [{ system: SYSTEM.npi, value: badNpi(rng) }])];
      },
    },
    {
      mention: 'repeats line',
      apply: (v) => {
        v.lines.push(cpt('36415'), cpt('36415'));
        return [];
      },
    },
    {
      mention: 'office visits',
      apply: (v) => {
        v.lines.push(cpt(pick(rng, ['99202', '99212', '99214', '99215'])));
        return [];
      },
    },
  ];
  const chosen = all.filter(() => rng() < 0.5);
  return chosen.length > 0 ? chosen : [pick(rng, all)];
}

/**
 * An odd batch: encounters until both minimums are met. Good encounters come from
 * `seedCodedEncounters` (test/worker/seed-encounters.ts), written beside it.
 */
export function fuzzBatch(options: FuzzOptions): FuzzBatch {
  const rng = random(options.seed);
  const now = options.now ?? new Date();
  const batch: FuzzBatch = { resources: [], odd: [], oddRecords: 0 };
  for (
    let n = 0;
    batch.odd.length < options.minOddEncounters || batch.oddRecords < options.minOddRecords;
    n++
  ) {
    const id = `${options.prefix}-${String(n)}`;
    const patientId = `${id}-pat`;
    const visit: VisitSpec = {
      id,
      patient: patientId,
      start: daysAgo(2 + Math.floor(rng() * 20), now),
      diagnoses: [icd('J06.9')],
      lines: [cpt('99213')],
      practitioner: `pr-${String(1 + Math.floor(rng() * 3))}`,
    };
    const roll = rng();
    let odd: OddEncounter;
    let payor: PayorSpec = { reference: 'Organization/org-payer' };
    let birthDate = '1980-04-12';
    const extra: Resource[] = [];
    if (roll < 0.6) {
      const count = 3 + Math.floor(rng() * 5);
      const other = `pat-${String(1 + Math.floor(rng() * 18)).padStart(2, '0')}`;
      const mentions = Array.from({ length: count }, () => oddRecord(rng, id, other)(visit));
      odd = { encounterId: id, family: 'records', expect: 'data-invalid', mentions };
    } else if (roll < 0.75) {
      const chosen = oddPayor(rng, id);
      payor = chosen.payor;
      extra.push(...chosen.extra);
      odd = {
        encounterId: id,
        family: 'payer',
        expect: 'data-invalid',
        mentions: [chosen.mention],
      };
    } else {
      const edits = oddEdits(rng, id, now);
      for (const edit of edits) extra.push(...edit.apply(visit));
      if (edits.some((e) => e.mention === 'birth date'))
        birthDate = new Date(Date.parse(visit.start) + 86_400_000).toISOString().slice(0, 10);
      odd = {
        encounterId: id,
        family: 'edits',
        expect: 'claim-scrub-errors',
        mentions: edits.map((e) => e.mention),
      };
    }
    batch.resources.push(
      ...extra,
      patient(patientId, birthDate),
      coverage(patientId, payor),
      ...visitResources(visit),
    );
    batch.odd.push(odd);
    batch.oddRecords += odd.mentions.length;
  }
  return batch;
}
