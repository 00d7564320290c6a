import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  Bundle,
  ChargeItem,
  Claim,
  Condition,
  Encounter,
  OperationOutcome,
  Patient,
} from 'fhir/r4';
import { describe, expect, it } from 'vitest';
import { EXT, SYSTEM } from '../../src/fhir/systems.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/chartbill.js scrub …` in a fresh data dir (nothing imported: starter code set). */
async function scrub(
  bundle: unknown,
  ...args: string[]
): Promise<Run & { outcome: OperationOutcome }> {
  const dir = await mkdtemp(join(tmpdir(), 'chartbill-scrub-'));
  const file = join(dir, 'bundle.json');
  await writeFile(file, typeof bundle === 'string' ? bundle : JSON.stringify(bundle));
  const run = await new Promise<Run>((resolve) => {
    execFile(
      process.execPath,
      [
        'bin/chartbill.js',
        'scrub',
        file,
        '--data-dir',
        join(dir, 'data'),
        '--today',
        '2026-03-10',
        ...args,
      ],
      {
        cwd: ROOT,
        // Unset, not empty: an empty setting is refused (issue 13: an empty value is not a default).
        env: Object.fromEntries(
          Object.entries(process.env).filter(([name]) => name !== 'CHARTBILL_TIMELY_FILING'),
        ),
      },
      (err, stdout, stderr) => {
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
      },
    );
  });
  return { ...run, outcome: JSON.parse(run.stdout) as OperationOutcome };
}

const patient: Patient = {
  resourceType: 'Patient',
  id: 'p1',
  birthDate: '1970-05-20',
  gender: 'female',
};
const rules = (o: OperationOutcome): string[] =>
  o.issue.flatMap((i) => i.details?.coding?.[0]?.code ?? []);

function claimBundle(items: Claim['item'], diagnoses: string[]): Bundle {
  const claim: Claim = {
    resourceType: 'Claim',
    id: 'c1',
    status: 'draft',
    use: 'claim',
    created: '2026-03-02',
    type: { coding: [{ system: SYSTEM.claimType, code: 'professional' }] },
    patient: { reference: 'Patient/p1' },
    provider: { reference: 'Organization/o1' },
    priority: { coding: [{ code: 'normal' }] },
    insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/v1' } }],
    billablePeriod: { start: '2026-03-02' },
    insurer: { identifier: { value: 'sandbox-plan' } },
    diagnosis: diagnoses.map((code, i) => ({
      sequence: i + 1,
      diagnosisCodeableConcept: { coding: [{ system: SYSTEM.icd10cm, code }] },
    })),
    item: items,
  };
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [{ resource: claim }, { resource: patient }],
  };
}

const item = (
  sequence: number,
  code: string,
  extra: Partial<NonNullable<Claim['item']>[number]> = {},
): NonNullable<Claim['item']>[number] => ({
  sequence,
  productOrService: { coding: [{ system: SYSTEM.cpt, code }] },
  quantity: { value: 1 },
  diagnosisSequence: [1],
  locationCodeableConcept: { coding: [{ system: SYSTEM.placeOfService, code: '11' }] },
  ...extra,
});

// Each run starts a Node process with tsx: seconds on an idle machine, far more on a busy one.
describe('chartbill scrub', { timeout: 180_000 }, () => {
  it('exits 0 with an information outcome for a clean claim', async () => {
    const run = await scrub(
      claimBundle(
        [item(1, '99214', { diagnosisSequence: [1, 2] }), item(2, '36415')],
        ['E11.9', 'I10'],
      ),
    );
    expect(run.code).toBe(0);
    expect(run.outcome.issue[0]).toMatchObject({
      severity: 'information',
      details: { text: 'No problems found.' },
    });
    const notes = run.outcome.issue.map((i) => i.details?.text ?? '');
    expect(notes.some((t) => t.includes('NCCI: ChartBill sandbox table'))).toBe(true);
    // What could not be checked is said, not left silent (issue 16, item 2).
    expect(notes.some((t) => t.includes("NCCI PTP: ChartBill's sandbox table"))).toBe(true);
  });

  it('exits 1 and names rule, severity, fix and element for a claim with errors', async () => {
    const run = await scrub(
      claimBundle(
        [
          item(1, '93000'),
          item(2, '93005'),
          item(3, '99213', { modifier: [{ coding: [{ code: '59' }] }] }),
        ],
        ['S93.401', 'I10'],
      ),
    );
    expect(run.code).toBe(1);
    const issues = run.outcome.issue;
    expect(rules(run.outcome)).toEqual(
      expect.arrayContaining(['dx-seventh-character', 'ncci-ptp', 'modifier-59-not-needed']),
    );
    expect(
      issues.find((i) => i.details?.coding?.[0]?.code === 'dx-seventh-character'),
    ).toMatchObject({
      severity: 'error',
      code: 'business-rule',
      expression: ['Claim.diagnosis[0]'],
    });
    expect(issues.find((i) => i.details?.coding?.[0]?.code === 'ncci-ptp')).toMatchObject({
      expression: ['Claim.item[1]'],
      diagnostics: expect.stringContaining('Remove 93005') as string,
    });
    expect(
      issues.find((i) => i.details?.coding?.[0]?.code === 'modifier-59-not-needed')?.severity,
    ).toBe('warning');
  });

  it('scrubs an Encounter with its Patient, Conditions and ChargeItems, pointing at the bundle entries', async () => {
    const encounter: Encounter = {
      resourceType: 'Encounter',
      id: 'e1',
      status: 'finished',
      class: { code: 'AMB' },
      subject: { reference: 'Patient/p1' },
      period: { start: '2026-03-02T09:00:00Z' },
    };
    const condition = (id: string, code: string, rank: number): Condition => ({
      resourceType: 'Condition',
      id,
      subject: { reference: 'Patient/p1' },
      encounter: { reference: 'Encounter/e1' },
      code: { coding: [{ system: SYSTEM.icd10cm, code }] },
      extension: [{ url: EXT.diagnosisRank, valuePositiveInt: rank }],
    });
    const charge: ChargeItem = {
      resourceType: 'ChargeItem',
      id: 'ch1',
      status: 'billable',
      subject: { reference: 'Patient/p1' },
      context: { reference: 'Encounter/e1' },
      code: { coding: [{ system: SYSTEM.cpt, code: '99213' }] },
      quantity: { value: 1 },
      extension: [{ url: EXT.diagnosisPointer, valueReference: { reference: 'Condition/d1' } }],
    };
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        encounter,
        patient,
        condition('d1', 'W19.XXXA', 1),
        condition('d2', 'S93.401A', 2),
        charge,
      ].map((resource) => ({ resource })),
    };
    const run = await scrub(bundle);
    expect(run.code).toBe(1);
    expect(
      run.outcome.issue.find((i) => i.details?.coding?.[0]?.code === 'dx-external-cause-first')
        ?.expression,
    ).toEqual(['Bundle.entry[2].resource']);
  });

  it('refuses a malformed bundle with every problem named by its path, exit 2', async () => {
    const bad = claimBundle([item(1, '99213')], ['I10']);
    const claim = bad.entry?.[0]?.resource as Claim & { item: unknown[] };
    claim.item[0] = { sequence: 1, productOrService: { text: 'visit' } };
    (claim as { billablePeriod?: unknown }).billablePeriod = { start: 'yesterday' };
    const [run, notJson, neither] = await Promise.all([
      scrub(bad),
      scrub('{"resourceType": "Bundle", '),
      scrub({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: patient }] }),
    ]);
    expect(run.code).toBe(2);
    expect(run.outcome.issue[0]).toMatchObject({ severity: 'fatal', code: 'structure' });
    expect(run.stderr).toContain('Bundle.entry[0].resource(Claim).item[0].productOrService.coding');
    expect(run.stderr).toContain(
      'Bundle.entry[0].resource(Claim).billablePeriod.start: must start with a date',
    );
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('is not JSON');
    expect(neither.stderr).toContain('holds neither a Claim nor an Encounter');
  });
});
