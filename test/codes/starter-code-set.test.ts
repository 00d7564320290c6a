import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { starterEntries } from '../../src/codes/starter-code-set.ts';

/** The official CMS files, read by path (never copied into the repository). */
const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const ORDER_FILE = `${DATA}icd10cm/fy2026/icd10cm_order_2026.txt`;

/** CMS order file: code cols 7-13 (no dot), billable flag col 15, long description col 78+. */
function officialIcd(): Map<string, { billable: boolean; long: string }> {
  const rows = new Map<string, { billable: boolean; long: string }>();
  for (const line of readFileSync(ORDER_FILE, 'latin1').split(/\r?\n/)) {
    if (line.length >= 78)
      rows.set(line.slice(6, 13).trim(), {
        billable: line[14] === '1',
        long: line.slice(77).trim(),
      });
  }
  return rows;
}

describe('starter code set', () => {
  it('has at least 200 billable ICD-10-CM codes whose descriptions and flags match the FY2026 order file', () => {
    expect(existsSync(ORDER_FILE), ORDER_FILE).toBe(true);
    const official = officialIcd();
    const icd = starterEntries().filter((e) => e.system === 'icd10cm');
    expect(icd.filter((e) => e.billable).length).toBeGreaterThanOrEqual(200);
    for (const entry of icd) {
      const row = official.get(entry.code.replace('.', ''));
      expect(row, entry.code).toBeDefined();
      expect({ code: entry.code, display: entry.display, billable: entry.billable }).toEqual({
        code: entry.code,
        display: row?.long,
        billable: row?.billable,
      });
    }
  });

  it("includes each billable code's categories, so a category can list its codes", () => {
    const icd = new Set(
      starterEntries()
        .filter((e) => e.system === 'icd10cm')
        .map((e) => e.code),
    );
    for (const code of ['E11', 'E11.6', 'S93', 'S93.4', 'S93.40', 'S93.401', 'Z00.12'])
      expect(icd.has(code), code).toBe(true);
  });

  it('writes ICD-10-CM codes with their dot and has no duplicates', () => {
    const entries = starterEntries();
    const keys = entries.map((e) => `${e.system}|${e.code}`);
    expect(new Set(keys).size).toBe(keys.length);
    const icd = entries.filter((e) => e.system === 'icd10cm').map((e) => e.code);
    expect(icd.every((c) => /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/.test(c))).toBe(true);
  });

  it('has E/M, preventive and common office CPT numbers, HCPCS with dates, and modifiers', () => {
    const entries = starterEntries();
    const has = (system: string, code: string) =>
      entries.some((e) => e.system === system && e.code === code);
    for (const code of [
      '99202',
      '99205',
      '99211',
      '99215',
      '99381',
      '99397',
      '36415',
      '85025',
      '20610',
    ])
      expect(has('cpt', code), code).toBe(true);
    for (const code of ['G0438', 'G0439', 'G2211', 'J1885', 'S9986'])
      expect(has('hcpcs', code), code).toBe(true);
    for (const code of [
      '25',
      '59',
      '50',
      '26',
      '76',
      '77',
      '91',
      '95',
      'XE',
      'XP',
      'XS',
      'XU',
      'LT',
      'RT',
      'TC',
      'GT',
      'GA',
      'GY',
      'GZ',
      'KX',
      'QW',
    ]) {
      expect(has('modifier', code), code).toBe(true);
    }
    const g0439 = entries.find((e) => e.code === 'G0439');
    expect(g0439).toMatchObject({ display: 'Ppps, subseq visit', validFrom: '2011-01-01' });
    expect(entries.find((e) => e.code === 'J1040')?.validTo).toBe('2024-03-31');
  });
});
