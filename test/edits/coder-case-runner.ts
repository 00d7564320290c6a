/**
 * Runs a coder's case the way a practice's ChartBill runs it: a data folder filled by the real
 * import commands (the CMS MUE table from ../shared/data, a PTP and an add-on file in the CMS
 * layouts, the practice's charge master), the shipped full code sets, and the reference loaded by
 * `loadEditReference` exactly as the worker's main loads it. Each case becomes FHIR resources
 * written by the app's own writers (Condition, ChargeItem), then goes through the worker's scrub
 * stage and through `chartbill scrub`'s path on the equivalent Bundle.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, ChargeItem, Claim, Condition, Coverage, Encounter, Patient } from 'fhir/r4';
import { pino } from 'pino';
import { scrubLoaded } from '../../cli/scrub-command.ts';
import type { CodeSet } from '../../src/codes/code-set.ts';
import { loadCodeSets } from '../../src/codes/load-code-sets.ts';
import { chargeItemFromLine, conditionFromDiagnosis } from '../../src/coding/coding-fhir.ts';
import { codingFromFhir } from '../../src/coding/coding-fhir.ts';
import type { DiagnosisEntry, Finding, ServiceLine } from '../../src/coding/coding-model.ts';
import { scrubInputFromBundle } from '../../src/edits/scrub-input.ts';
import { SYSTEM } from '../../src/fhir/systems.ts';
import { importAocFile } from '../../src/ncci/aoc-store.ts';
import { importNcciFiles } from '../../src/ncci/import-ncci-files.ts';
import { loadEditReference, type LoadedEditReference } from '../../src/ncci/load-edit-reference.ts';
import { importChargeMaster } from '../../src/pricing/charge-master-store.ts';
import { scrub } from '../../worker/pipeline/stages/scrub.ts';
import { PAYER_IDS, type CoderCase } from './coder-cases.ts';

/** The CMS practitioner MUE table, 2026 Q3 (effective 2026-07-01), as CMS publishes it. */
const CMS_MUE = join(import.meta.dirname, '../../../shared/data/ncci/mue_practitioner_2026q3.json');

/**
 * PTP rows in the CMS file layout (ccipra-…-f1.txt). The pairs follow the practitioner edits a
 * coder meets every day; one row is deleted, to show a deleted edit is not applied.
 */
const PTP_FILE = [
  'CPT codes, descriptions and other data only are copyright 2025 American Medical Association.',
  'Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\tModifier\tPTP Edit Rationale',
  '\t\t\t\t*=no data\t0=not allowed\t',
  '\t\t\t\t\t1=allowed\t',
  '\t\t\t\t\t9=not applicable\t',
  '20610\t99213\t\t20210101\t*\t1\tStandards of medical / surgical practice',
  '20610\t99214\t\t20210101\t*\t1\tStandards of medical / surgical practice',
  '27447\t99213\t\t20210101\t*\t1\tStandards of medical / surgical practice',
  '27447\t99214\t\t20210101\t*\t1\tStandards of medical / surgical practice',
  '93000\t93010\t*\t19960101\t*\t0\tCPT Manual or CMS manual coding instruction',
  '80053\t80048\t\t20000101\t*\t0\tCPT Manual or CMS manual coding instruction',
  '97530\t97140\t\t20200101\t*\t1\tMisuse of column two code with column one code',
  '17110\t11102\t\t20190101\t20250101\t1\tMutually exclusive procedures',
  '',
].join('\r\n');

/** Add-on code edits in the CMS AOC layout. */
const AOC_FILE = [
  'Add-on Code\tPrimary Code\tAOC Edit Type\tAOC Edit Effective Date\tAOC Edit Deletion Date',
  ...['11102', '11104', '11106'].map((p) => `11103\t${p}\t1\t20190101\t*`),
  ...['99205', '99215'].map((p) => `99417\t${p}\t1\t20210101\t*`),
  ...['90460', '90471', '90473'].map((p) => `90472\t${p}\t1\t20100101\t*`),
  '17003\t17000\t1\t20100101\t*',
  '',
].join('\n');

/** The practice's charge master: every code the cases bill except 94760 (its pricing case). */
const CHARGES = [
  'code,modifier,price,effective_from',
  ...Object.entries({
    99202: 145,
    99203: 225,
    99204: 340,
    99205: 445,
    99212: 115,
    99213: 185,
    99214: 260,
    99215: 365,
    99417: 120,
    99395: 235,
    99396: 250,
    99397: 270,
    99385: 265,
    G0438: 330,
    G0439: 260,
    V5010: 90,
    20610: 135,
    27447: 2600,
    11102: 200,
    11103: 110,
    17110: 230,
    93000: 35,
    93010: 15,
    97530: 70,
    97140: 60,
    80053: 35,
    80048: 25,
    36415: 10,
    83036: 30,
    90471: 40,
    90472: 30,
    90686: 45,
    59400: 3200,
  }).map(([code, price]) => `${code},,${String(price)},2024-01-01`),
  '',
].join('\n');

export interface CaseWorld {
  codes: CodeSet;
  reference: LoadedEditReference;
}

/** A data folder as a practice has it after the imports, and the reference the worker loads. */
export async function caseWorld(): Promise<CaseWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-coder-'));
  const dataDir = join(dir, 'data');
  const ptp = join(dir, 'ccipra-v323r0-f1.txt');
  const aoc = join(dir, 'AOC_V2026Q3.txt');
  const charges = join(dir, 'charges.csv');
  await Promise.all([
    writeFile(ptp, PTP_FILE),
    writeFile(aoc, AOC_FILE),
    writeFile(charges, CHARGES),
  ]);
  const at = new Date('2026-07-15T12:00:00Z');
  await importNcciFiles([ptp, CMS_MUE], dataDir, () => at);
  await importAocFile(dataDir, aoc, at);
  await importChargeMaster(dataDir, charges, at);
  const [{ codes }, reference] = await Promise.all([
    loadCodeSets(dataDir),
    loadEditReference(dataDir, 'configured', pino({ level: 'silent' }), {
      CHARTBILL_PAYER_EDIT_SETS: `${PAYER_IDS.medicare}=medicare,${PAYER_IDS.medicaid}=medicaid,${PAYER_IDS.commercial}=commercial`,
      CHARTBILL_TIMELY_FILING: `${PAYER_IDS.commercial}=90,default=365`,
    }),
  ]);
  return { codes, reference };
}

/** `99213-25-59 x2 p1,2` → a service line (pointers default to the first diagnosis). */
export function parseLine(text: string): ServiceLine {
  const [head = '', ...rest] = text.trim().split(/\s+/);
  const [code = '', ...modifiers] = head.split('-');
  const units = rest.find((p) => p.startsWith('x'));
  const pointers = rest.find((p) => p.startsWith('p'));
  return {
    code,
    system: /^[A-V]/.test(code) ? 'hcpcs' : 'cpt',
    units: units ? Number(units.slice(1)) : 1,
    modifiers,
    pointers:
      pointers === undefined ? [1] : pointers.slice(1).split(',').filter(Boolean).map(Number),
  };
}

function diagnosisOf(entry: CoderCase['dx'][number]): DiagnosisEntry {
  return typeof entry === 'string'
    ? { code: entry }
    : { code: entry.code, overrides: [{ rule: 'dx-age-conflict', reason: entry.keep }] };
}

/** The case as the EHR holds it: Patient, Coverage, Encounter, Conditions and ChargeItems. */
function resourcesOf(c: CoderCase) {
  const [sex, birthDate] = c.patient.split(' ');
  const patient: Patient = {
    resourceType: 'Patient',
    id: 'p1',
    birthDate: birthDate ?? '',
    gender: sex === 'M' ? 'male' : 'female',
  };
  const payerId = PAYER_IDS[c.payer];
  const coverage: Coverage = {
    resourceType: 'Coverage',
    id: 'cov1',
    status: 'active',
    beneficiary: { reference: 'Patient/p1' },
    payor: [{ reference: 'Organization/payer', identifier: { value: payerId } }],
  };
  const encounter: Encounter & { id: string } = {
    resourceType: 'Encounter',
    id: 'e1',
    status: 'finished',
    class: { code: 'AMB' },
    subject: { reference: 'Patient/p1' },
    period: { start: `${c.dos}T09:00:00Z`, end: `${c.dos}T09:40:00Z` },
  };
  const refs = c.dx.map((_, i) => `Condition/dx${String(i + 1)}`);
  const conditions: Condition[] = c.dx.map((d, i) => ({
    ...conditionFromDiagnosis(diagnosisOf(d), i + 1, {
      patient: 'Patient/p1',
      encounter: 'Encounter/e1',
    }),
    id: `dx${String(i + 1)}`,
  }));
  const chargeItems: ChargeItem[] = c.lines.map((l, i) => ({
    ...chargeItemFromLine(typeof l === 'string' ? parseLine(l) : l, {
      patient: 'Patient/p1',
      encounter: 'Encounter/e1',
      conditionRefs: refs,
      status: 'billable',
      occurrence: c.dos,
      sequence: i + 1,
    }),
    id: `ci${String(i + 1)}`,
  }));
  return { patient, coverage, encounter, conditions, chargeItems };
}

/** The worker's scrub stage on the case, with "now" on the case's filing day. */
export function workerFindings(c: CoderCase, world: CaseWorld): Finding[] {
  const r = resourcesOf(c);
  const coding = codingFromFhir(r.conditions, r.chargeItems);
  const ctx = {
    ...r,
    encounterRef: 'Encounter/e1',
    billingProvider: undefined,
    payerOrg: undefined,
    practitioner: undefined,
  };
  return scrub(coding, ctx, {
    codes: world.codes,
    ...(world.reference.chargeMaster ? { chargeMaster: world.reference.chargeMaster } : {}),
    placeOfService: '11',
    editReference: world.reference,
    now: () => new Date(`${c.today}T15:00:00Z`),
  } as Parameters<typeof scrub>[2]).findings;
}

/** A professional Claim for the case, as a clearinghouse would hand it back to be re-scrubbed. */
function claimBundle(c: CoderCase, r: ReturnType<typeof resourcesOf>): Bundle {
  const lines = c.lines.map((l) => (typeof l === 'string' ? parseLine(l) : l));
  const claim: Claim = {
    resourceType: 'Claim',
    status: 'active',
    type: { coding: [{ code: 'professional' }] },
    use: 'claim',
    patient: { reference: 'Patient/p1' },
    created: c.today,
    provider: { display: 'Practice' },
    priority: { coding: [{ code: 'normal' }] },
    insurer: { identifier: { value: PAYER_IDS[c.payer] } },
    billablePeriod: { start: c.dos },
    insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/cov1' } }],
    diagnosis: c.dx.map((d, i) => ({
      sequence: i + 1,
      diagnosisCodeableConcept: {
        coding: [{ system: SYSTEM.icd10cm, code: diagnosisOf(d).code }],
      },
    })),
    item: lines.map((l, i) => ({
      sequence: i + 1,
      productOrService: { coding: [{ system: SYSTEM.cpt, code: l.code }] },
      quantity: { value: l.units },
      modifier: l.modifiers.map((m) => ({ coding: [{ code: m }] })),
      diagnosisSequence: l.pointers,
    })),
  };
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [{ resource: claim }, { resource: r.patient }, { resource: r.coverage }],
  };
}

/** `chartbill scrub` on the case's Bundle (an Encounter bundle, or a Claim for claim-only cases). */
export function cliFindings(c: CoderCase, world: CaseWorld): Finding[] {
  const r = resourcesOf(c);
  const bundle: Bundle = c.claimOnly
    ? claimBundle(c, r)
    : {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [r.patient, r.coverage, r.encounter, ...r.conditions, ...r.chargeItems].map(
          (resource) => ({ resource }),
        ),
      };
  const input = scrubInputFromBundle(JSON.parse(JSON.stringify(bundle)));
  return scrubLoaded(input, world.codes, world.reference, {
    ncci: 'auto',
    today: c.today,
    givenToday: c.today,
  }).findings;
}

/** `rule severity dx2|line1` for each finding, sorted: what a coder reads off the screen. */
export function summarize(findings: readonly Finding[]): string[] {
  return findings
    .map((f) =>
      [
        f.rule,
        f.severity,
        ...(f.target
          ? [`${f.target.kind === 'diagnosis' ? 'dx' : 'line'}${f.target.index + 1}`]
          : []),
      ].join(' '),
    )
    .sort();
}
