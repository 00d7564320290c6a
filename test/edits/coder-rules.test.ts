import { describe, expect, it } from 'vitest';
import type { EncounterCoding, VisitFacts } from '../../src/coding/coding-model.ts';
import { chargeMasterOf } from '../../src/pricing/charge-master.ts';
import { createAddOnTable, sandboxAddOnTable } from '../../src/edits/add-on-table.ts';
import type { EditReference, ServiceIndicators } from '../../src/edits/edit-reference.ts';
import { createNcciTables } from '../../src/ncci/ncci-tables.ts';
import { dx, FACTS, findingsOf, line } from './edit-fixtures.ts';

const visit = (codes: string[], ...lines: EncounterCoding['lines']): EncounterCoding => ({
  diagnoses: dx(...codes),
  lines: lines.length ? lines : [line('99213')],
});

/** The CMS 2026 Q3 practitioner MUE rows the coder's cases touch. */
const ncci = createNcciTables({
  source: 'test',
  ptp: [
    {
      column1: '27447',
      column2: '99214',
      priorTo1996: false,
      effective: '2020-01-01',
      modifierIndicator: '1',
      rationale: 'Standards of medical / surgical practice',
    },
  ],
  mue: [
    { code: '99396', value: 0, mai: 3, rationale: 'CMS Policy' },
    { code: 'V5010', value: 0, mai: 3, rationale: 'CMS Policy' },
    { code: '99214', value: 1, mai: 2, rationale: 'Code Descriptor / CPT Instruction' },
  ],
});

describe('payer edit sets (Medicare-only limits stay Medicare’s)', () => {
  const preventive = visit(['Z00.00'], line('99396'));
  const as = (payerType?: VisitFacts['payerType']): VisitFacts => ({
    ...FACTS,
    ...(payerType ? { payerType } : {}),
  });
  const all = (coding: EncounterCoding, facts: VisitFacts) =>
    findingsOf('medicare-preventive', coding, facts, undefined, { ncci }).concat(
      findingsOf('ncci-mue', coding, facts, undefined, { ncci }),
    );

  it('a commercial or Medicaid patient’s Z00.00 + 99396 is not blocked by Medicare’s MUE 0', () => {
    expect(all(preventive, as('commercial'))).toEqual([]);
    expect(all(preventive, as('medicaid'))).toEqual([]);
  });

  it('for a Medicare patient the preventive visit is an error that names the wellness visit and the ABN', () => {
    const found = all(preventive, as('medicare'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: 'medicare-preventive', severity: 'error' });
    expect(found[0]?.fix).toMatch(/G0438.*G0439.*ABN/);
    expect(found[0]?.suggestions).toEqual(['G0438', 'G0439', 'GY']);
    const noticed = visit(['Z00.00'], line('99396', { modifiers: ['GY'] }));
    expect(all(noticed, as('medicare'))).toEqual([]);
  });

  it('an unknown payer gets a warning, never a block', () => {
    const found = all(preventive, as());
    expect(found.map((f) => f.severity)).toEqual(['warning']);
    expect(all(visit(['H90.3'], line('V5010')), as())).toMatchObject([
      { rule: 'ncci-mue', severity: 'warning' },
    ]);
    expect(all(visit(['H90.3'], line('V5010')), as('medicare'))).toMatchObject([
      { rule: 'ncci-mue', severity: 'error' },
    ]);
  });

  it('non-zero MUE limits apply to every payer', () => {
    const twice = visit(['I10'], line('99214', { units: 2 }));
    expect(findingsOf('ncci-mue', twice, as('commercial'), undefined, { ncci })).toHaveLength(1);
  });
});

describe('modifier 57 and the PFS global days', () => {
  const pfs: Record<string, ServiceIndicators> = {
    '27447': { pcTc: '0', bilateral: '1', globalDays: '090' },
    '11102': { pcTc: '0', bilateral: '0', globalDays: '000' },
  };
  const reference: EditReference = { ncci, indicators: (c) => pfs[c] };

  it('99214-57 + 27447 (major surgery) asks for nothing', () => {
    const coding = visit(['M17.11'], line('99214', { modifiers: ['57'] }), line('27447'));
    expect(findingsOf('em-needs-25', coding, FACTS, undefined, reference)).toEqual([]);
    expect(findingsOf('ncci-ptp', coding, FACTS, undefined, reference)).toEqual([]);
  });

  it('99214 or 99214-25 with 27447 asks for 57, not 25', () => {
    const plain = visit(['M17.11'], line('99214'), line('27447'));
    expect(findingsOf('ncci-ptp', plain, FACTS, undefined, reference)[0]?.suggestions).toEqual([
      '57',
    ]);
    const with25 = visit(['M17.11'], line('99214', { modifiers: ['25'] }), line('27447'));
    expect(findingsOf('ncci-ptp', with25, FACTS, undefined, reference)).toHaveLength(1);
    const [warn] = findingsOf('em-needs-25', with25, FACTS, undefined, {
      indicators: reference.indicators,
    });
    expect(warn?.suggestions).toEqual(['57']);
    expect(warn?.fix).toContain('25 is for minor procedures');
  });

  it('a minor procedure (000) asks for 25, and 57 there is a slip', () => {
    const plain = visit(['L98.9'], line('99213'), line('11102'));
    expect(findingsOf('em-needs-25', plain, FACTS, undefined, reference)[0]?.suggestions).toEqual([
      '25',
    ]);
    const with57 = visit(['L98.9'], line('99213', { modifiers: ['57'] }), line('11102'));
    expect(findingsOf('em-needs-25', with57, FACTS, undefined, reference)[0]?.message).toContain(
      'minor procedure',
    );
    const with25 = visit(['L98.9'], line('99213', { modifiers: ['25'] }), line('11102'));
    expect(findingsOf('em-needs-25', with25, FACTS, undefined, reference)).toEqual([]);
  });
});

describe('diagnosis pointers', () => {
  it('a pointer to a diagnosis the claim does not list never says "diagnosis 0"', () => {
    const [f] = findingsOf(
      'line-pointer-out-of-range',
      visit(['I10'], line('99213', { pointers: [0] })),
    );
    expect(f?.message).toBe(
      '99213 points to a diagnosis the claim does not list, but the encounter has 1 diagnosis.',
    );
    const [g] = findingsOf(
      'line-pointer-out-of-range',
      visit(['I10'], line('99213', { pointers: [3, 0] })),
    );
    expect(g?.message).toContain('diagnosis 3 and a diagnosis the claim does not list');
    expect(g?.message).not.toContain('diagnosis 0');
  });
});

describe('ICD-10-CM combination conventions', () => {
  it('hypertension with CKD is I12.-, with heart failure I11.0, with both I13.-', () => {
    const ckd = findingsOf('dx-hypertension-combination', visit(['I10', 'N18.3']));
    expect(ckd).toMatchObject([
      { severity: 'error', suggestions: ['I12.9'], target: { index: 0 } },
    ]);
    expect(ckd[0]?.message).toContain('I.C.9.a.2');
    expect(
      findingsOf('dx-hypertension-combination', visit(['N18.6', 'I10']))[0]?.suggestions,
    ).toEqual(['I12.0']);
    expect(
      findingsOf('dx-hypertension-combination', visit(['I10', 'I50.9']))[0]?.suggestions,
    ).toEqual(['I11.0']);
    expect(
      findingsOf('dx-hypertension-combination', visit(['I10', 'I50.9', 'N18.4']))[0]?.suggestions,
    ).toEqual(['I13.0']);
  });

  it('does not fire on I12.9 + N18.3 or on I10 alone', () => {
    expect(findingsOf('dx-hypertension-combination', visit(['I12.9', 'N18.3']))).toEqual([]);
    expect(findingsOf('dx-hypertension-combination', visit(['I10', 'E11.9']))).toEqual([]);
  });

  it('E11.9 with another E11 complication code is an error; alone, or beside E10, it is not', () => {
    const [f] = findingsOf('dx-diabetes-without-complications', visit(['E11.65', 'E11.9']));
    expect(f).toMatchObject({ severity: 'error', target: { kind: 'diagnosis', index: 1 } });
    expect(f?.message).toContain('E11.65');
    expect(findingsOf('dx-diabetes-without-complications', visit(['E11.9', 'I10']))).toEqual([]);
    expect(findingsOf('dx-diabetes-without-complications', visit(['E11.65', 'E11.22']))).toEqual(
      [],
    );
  });
});

describe('add-on codes without their primary', () => {
  const addOns = sandboxAddOnTable();
  it('11103 without 11102 is an error; with it, none', () => {
    const [f] = findingsOf(
      'addon-without-primary',
      visit(['L98.9'], line('11103')),
      FACTS,
      undefined,
      { addOns },
    );
    expect(f).toMatchObject({ severity: 'error' });
    expect(f?.message).toContain('11102');
    expect(
      findingsOf(
        'addon-without-primary',
        visit(['L98.9'], line('11102'), line('11103')),
        FACTS,
        undefined,
        { addOns },
      ),
    ).toEqual([]);
  });

  it('type 3 warns, type 2 and deleted edits do not fire', () => {
    const table = createAddOnTable('test', [
      { addOn: '99999', primary: '11111', type: '3', effective: '2020-01-01' },
      { addOn: '88888', primary: 'CCCCC', type: '2', effective: '2020-01-01' },
      {
        addOn: '77777',
        primary: '11111',
        type: '1',
        effective: '2020-01-01',
        deleted: '2025-01-01',
      },
    ]);
    const run = (code: string) =>
      findingsOf('addon-without-primary', visit(['I10'], line(code)), FACTS, undefined, {
        addOns: table,
      });
    expect(run('99999')).toMatchObject([{ severity: 'warning' }]);
    expect(run('88888')).toEqual([]);
    expect(run('77777')).toEqual([]);
  });
});

describe('timely filing wherever today is known', () => {
  it('a 400-day-old visit is an error in any caller that passes today, without submission facts', () => {
    const facts = { ...FACTS, dateOfService: '2025-01-30', today: '2026-03-06' };
    expect(findingsOf('claim-timely-filing', visit(['I10']), facts)).toMatchObject([
      { severity: 'error' },
    ]);
    expect(
      findingsOf('claim-timely-filing', visit(['I10']), { ...facts, today: '2025-02-10' }),
    ).toEqual([]);
  });
});

describe('the charge master', () => {
  const master = chargeMasterOf('test', [
    { code: '99213', modifier: '', price: 185, from: '2026-01-01' },
    { code: '71046', modifier: '26', price: 40, from: '2026-01-01' },
  ]);
  it('a code without a price is a pricing warning that never suggests another code', () => {
    const [f] = findingsOf(
      'charge-unpriced',
      visit(['I10'], line('99213'), line('99214')),
      FACTS,
      undefined,
      { chargeMaster: master },
    );
    expect(f).toMatchObject({ severity: 'warning', category: 'pricing', target: { index: 1 } });
    expect(f?.suggestions).toBeUndefined();
    expect(f?.fix).not.toMatch(/choose|another code|different code/i);
  });
  it('prices by code + modifier and by date', () => {
    const run = (l: ReturnType<typeof line>, date = FACTS.dateOfService) =>
      findingsOf(
        'charge-unpriced',
        visit(['I10'], l),
        { ...FACTS, dateOfService: date },
        undefined,
        { chargeMaster: master },
      );
    expect(run(line('71046', { modifiers: ['26'] }))).toEqual([]);
    expect(run(line('71046'))).toHaveLength(1);
    expect(run(line('99213'), '2025-12-31')).toHaveLength(1);
  });
});

describe('Excludes1 ranges that span letters', () => {
  it('Z34 excludes O00-O9A: every O code between the ends, not only the ends', async () => {
    const { codeRefsOf } = await import('../../src/codes/code-refs.ts');
    const { createCodeSet } = await import('../../src/codes/memory-code-set.ts');
    const refs = codeRefsOf('any complication of pregnancy (O00-O9A)');
    expect(refs).toEqual(['O00-O9A']);
    const codes = createCodeSet([
      {
        system: 'icd10cm',
        code: 'Z34',
        display: 'Normal pregnancy',
        billable: false,
        excludes1: refs,
      },
      {
        system: 'icd10cm',
        code: 'Z34.90',
        display: 'Normal pregnancy, unspecified',
        billable: true,
      },
      {
        system: 'icd10cm',
        code: 'O26.891',
        display: 'Other pregnancy related conditions',
        billable: true,
      },
      {
        system: 'icd10cm',
        code: 'O9A.111',
        display: 'Malignant neoplasm complicating pregnancy',
        billable: true,
      },
      { system: 'icd10cm', code: 'Z33.1', display: 'Pregnant state, incidental', billable: true },
      {
        system: 'icd10cm',
        code: 'P00.0',
        display: 'Newborn affected by hypertension',
        billable: true,
      },
    ]);
    const run = (...c: string[]) => findingsOf('dx-excludes1', visit(c), FACTS, codes);
    expect(run('Z34.90', 'O26.891')[0]?.message).toContain('O00-O9A');
    expect(run('O9A.111', 'Z34.90')).toHaveLength(1);
    expect(run('Z34.90', 'Z33.1')).toEqual([]);
    expect(run('Z34.90', 'P00.0')).toEqual([]);
  });
});
