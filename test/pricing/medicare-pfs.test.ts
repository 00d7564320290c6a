import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { starterCodeSet } from '../../src/codes/starter-code-set.ts';
import { runEdits } from '../../src/edits/run-edits.ts';
import type { MedicareFeeSchedule } from '../../src/pricing/medicare-fee-schedule.ts';
import { loadMedicarePfs } from '../../src/pricing/load-pfs.ts';
import { parseGpciCsv, parseLocalityCsv, parsePprrvuCsv } from '../../src/pricing/parse-pfs.ts';
import { parsePayerFeeSchedule, payerAllowed } from '../../src/pricing/payer-fee-schedule.ts';

const PFS_DIR = new URL('../../../shared/data/cms-pfs/rvu25d/', import.meta.url);
const AL = { mac: '10112', locality: '00' };

let pfs: MedicareFeeSchedule;
beforeAll(async () => {
  pfs = await loadMedicarePfs(PFS_DIR.pathname);
});

describe('Medicare PFS CY2025 (real RVU25D files)', () => {
  // PPRRVU2025_Oct: 99213 work 1.30, non-fac PE 1.35, fac PE 0.57, MP 0.10, CF 32.3465.
  // GPCI2025: 10112 AL locality 00: work 1.000, PE 0.869, MP 0.575.
  it('prices 99213 in Alabama, office and hospital, to the cent', () => {
    expect(pfs.conversionFactor).toBe(32.3465);
    // (1.30×1 + 1.35×0.869 + 0.10×0.575) × 32.3465 = 2.53065 × 32.3465 = 81.8577 → $81.86
    expect(pfs.price({ code: '99213', ...AL, placeOfService: '11' })).toMatchObject({
      ok: true,
      amount: 81.86,
      setting: 'non-facility',
      rvus: { work: 1.3, pe: 1.35, mp: 0.1 },
    });
    // (1.30 + 0.57×0.869 + 0.0575) × 32.3465 = 1.85283 × 32.3465 = 59.9326 → $59.93
    expect(pfs.price({ code: '99213', ...AL, placeOfService: '22' })).toMatchObject({
      ok: true,
      amount: 59.93,
      setting: 'facility',
    });
  });

  it('splits 71046 into professional (26) and technical (TC) parts from their own rows', () => {
    // Global (0.22 + 0.77×0.869 + 0.02×0.575) × CF = $29.13; 26: (0.22 + 0.08×0.869 + 0.01×0.575) × CF = $9.55;
    // TC: (0 + 0.69×0.869 + 0.01×0.575) × CF = $19.58.
    expect(pfs.price({ code: '71046', ...AL, placeOfService: '11' })).toMatchObject({
      amount: 29.13,
      component: 'global',
    });
    expect(
      pfs.price({ code: '71046', modifiers: ['26'], ...AL, placeOfService: '22' }),
    ).toMatchObject({ amount: 9.55, component: '26' });
    expect(
      pfs.price({ code: '71046', modifiers: ['TC'], ...AL, placeOfService: '11' }),
    ).toMatchObject({ amount: 19.58, component: 'TC' });
    expect(
      pfs.price({ code: '99213', modifiers: ['26'], ...AL, placeOfService: '11' }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('no 26 component') as string });
  });

  it('uses the facility PE where the non-facility one is NA, and says so', () => {
    // 27447: non-fac PE NA, facility PE 15.30.
    const office = pfs.price({ code: '27447', ...AL, placeOfService: '11' });
    const hospital = pfs.price({ code: '27447', ...AL, placeOfService: '21' });
    expect(office.ok && hospital.ok && office.amount === hospital.amount).toBe(true);
    expect(office).toMatchObject({ note: expect.stringContaining('NA') as string });
  });

  it('refuses what the PFS does not price: unknown codes and localities, non-payable status', () => {
    expect(
      pfs.price({ code: '99213', mac: '10112', locality: '01', placeOfService: '11' }),
    ).toMatchObject({ ok: false, reason: 'MAC 10112 has no locality 01 in the GPCI file' });
    expect(pfs.price({ code: '0001F', ...AL, placeOfService: '11' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('status I') as string,
    });
    expect(pfs.price({ code: 'ZZ999', ...AL, placeOfService: '11' })).toMatchObject({ ok: false });
  });

  it('gives the modifier edits their PC/TC and bilateral indicators', () => {
    expect(pfs.indicators('71046')).toEqual({ pcTc: '1', bilateral: '0', globalDays: 'XXX' });
    expect(pfs.indicators('20610')).toMatchObject({ pcTc: '0', bilateral: '1', globalDays: '000' });
    expect(pfs.localities()).toHaveLength(109);
  });

  it('feeds the modifier edits: 26 on a visit is refused, on a chest X-ray accepted', () => {
    const coding = {
      diagnoses: [{ code: 'R05.9' }],
      lines: [
        { code: '99213', system: 'cpt' as const, units: 1, modifiers: ['26'], pointers: [1] },
        { code: '71046', system: 'cpt' as const, units: 1, modifiers: ['26'], pointers: [1] },
      ],
    };
    const findings = runEdits(coding, { dateOfService: '2025-11-03' }, starterCodeSet(), {
      indicators: (code) => pfs.indicators(code),
    }).filter((f) => f.rule === 'modifier-pctc');
    expect(findings.map((f) => f.target?.index)).toEqual([0]);
  });

  it('reads every locality and county of 25LOCCO, carrying the state down', async () => {
    const rows = parseLocalityCsv({
      name: '25LOCCO.csv',
      text: await readFile(new URL('25LOCCO.csv', PFS_DIR), 'latin1'),
    });
    expect(rows[0]).toEqual({
      mac: '10112',
      locality: '00',
      state: 'ALABAMA',
      area: 'STATEWIDE',
      counties: 'ALL COUNTIES',
    });
    expect(rows.find((r) => r.area.startsWith('SAN FRANCISCO') && r.locality === '05')?.state).toBe(
      'CALIFORNIA',
    );
  });
});

describe('PFS files that cannot be read', () => {
  const rvuHeader =
    'HCPCS,MOD,STATUS CODE,NOT USED FOR MEDICARE PAYMENT,WORK RVU,NON-FAC PE RVU,NON-FAC NA INDICATOR,FACILITY PE RVU,FACILITY NA INDICATOR,MP RVU,NON-FACILITY TOTAL,FACILITY TOTAL,PCTC IND,GLOB DAYS,PRE OP,INTRA OP,POST OP,MULT PROC,BILAT SURG,ASST SURG,CO- SURG,TEAM SURG,ENDO BASE,CONV FACTOR';
  const row = '99213,,A,,1.30,1.35,,0.57,,0.10,2.75,1.97,0,XXX,0.00,0.00,0.00,0,0,0,0,0,,32.3465';

  it('names the line of a truncated row, a bad number or a changed conversion factor', () => {
    expect(() =>
      parsePprrvuCsv({ name: 'PPRRVU.csv', text: `${rvuHeader}\n${row}\n99214,,A,,1.92` }),
    ).toThrow(
      /PPRRVU\.csv line 3: expected 24 fields like the header, found 5.*Nothing was imported/,
    );
    expect(() =>
      parsePprrvuCsv({ name: 'PPRRVU.csv', text: `${rvuHeader}\n${row.replace('1.30', '1,30')}` }),
    ).toThrow(/line 2/);
    expect(() =>
      parsePprrvuCsv({
        name: 'PPRRVU.csv',
        text: `${rvuHeader}\n${row}\n${row.replace('32.3465', '33.2875')}`,
      }),
    ).toThrow(/line 3: conversion factor 33.2875 differs/);
  });

  it('refuses a wrong layout and an empty file', () => {
    expect(() => parsePprrvuCsv({ name: 'PPRRVU.csv', text: 'code,rvu\n99213,1.3\n' })).toThrow(
      /wrong layout: no header row with code, mod, status/,
    );
    expect(() => parseGpciCsv({ name: 'GPCI.csv', text: '' })).toThrow(
      /GPCI\.csv: the file is empty/,
    );
    expect(() =>
      parseGpciCsv({
        name: 'GPCI.csv',
        text: 'Medicare Administrative Contractor (MAC),State,Locality Number,Locality Name,2025 PW GPCI (with 1.0 Floor),2025 PE GPCI,2025 MP GPCI\n10112,AL,00\n',
      }),
    ).toThrow(/GPCI\.csv line 2: expected 7 fields, found 3/);
  });
});

describe('payer fee schedules', () => {
  it('pays a percentage of Medicare, rounded to the cent', () => {
    const plan = parsePayerFeeSchedule({
      kind: 'percent-of-medicare',
      name: 'Plan 120',
      percent: 120,
    });
    expect(payerAllowed(plan, { code: '99213', ...AL, placeOfService: '11' }, pfs)).toMatchObject({
      ok: true,
      amount: 98.23,
    });
  });

  it('pays from a table by code or code-modifier, falling back to a percentage of Medicare', () => {
    const plan = parsePayerFeeSchedule({
      kind: 'table',
      name: 'Plan table',
      prices: { '99213': 92, '71046-26': 11.5 },
      otherwisePercentOfMedicare: 100,
    });
    expect(payerAllowed(plan, { code: '99213', ...AL, placeOfService: '11' }, pfs)).toMatchObject({
      amount: 92,
    });
    expect(
      payerAllowed(plan, { code: '71046', modifiers: ['26'], ...AL, placeOfService: '11' }, pfs),
    ).toMatchObject({ amount: 11.5 });
    expect(
      payerAllowed(plan, { code: '71046', modifiers: ['TC'], ...AL, placeOfService: '11' }, pfs),
    ).toMatchObject({ amount: 19.58 });
    const strict = parsePayerFeeSchedule({
      kind: 'table',
      name: 'Strict',
      prices: { '99213': 92 },
    });
    expect(payerAllowed(strict, { code: '99214', ...AL, placeOfService: '11' }, pfs)).toMatchObject(
      { ok: false, reason: 'Strict has no price for 99214' },
    );
    expect(() =>
      parsePayerFeeSchedule({ kind: 'table', name: 'Bad', prices: { '99213': -1 } }),
    ).toThrow();
  });
});
