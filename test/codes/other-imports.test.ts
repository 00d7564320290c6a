import { describe, expect, it } from 'vitest';
import { importCodeFile } from '../../src/codes/import/import-code-file.ts';
import { detectKind } from '../../src/codes/import/detect-kind.ts';
import { loadCodeSets } from '../../src/codes/load-code-sets.ts';
import { invalidOnDate } from '../../src/edits/code-validity.ts';
import { OFFICIAL, fixture, freshDataDir, now, storedFiles } from './code-files.ts';

describe('importing the other official code files', () => {
  it('tells the kind of each official file from its name and first bytes', async () => {
    expect(await detectKind(OFFICIAL.orderTxt)).toBe('icd10cm-order');
    expect(await detectKind(OFFICIAL.orderZip)).toBe('icd10cm-order');
    expect(await detectKind(OFFICIAL.tabularCh2)).toBe('icd10cm-tabular');
    expect(await detectKind(OFFICIAL.notesJson)).toBe('icd10cm-notes');
    expect(await detectKind(OFFICIAL.eindexXml)).toBe('icd10cm-index');
    expect(await detectKind(OFFICIAL.indexCsv)).toBe('icd10cm-index');
    expect(await detectKind(OFFICIAL.hcpcs)).toBe('hcpcs');
    expect(await detectKind(OFFICIAL.mceJson)).toBe('mce');
    expect(await detectKind(OFFICIAL.mceV37)).toBe('mce');
    expect(await detectKind(fixture('cpt_2026_fake.tsv'))).toBe('cpt');
  });

  it('reads the official Tabular XML chapter: Excludes1, use additional, inclusion terms, on the starter codes', async () => {
    const dataDir = await freshDataDir();
    const summary = await importCodeFile({ file: OFFICIAL.tabularCh2, dataDir, now });
    expect(summary).toMatchObject({
      kind: 'icd10cm-tabular',
      layer: 'notes',
      version: '2025',
      effectiveFrom: '2024-10-01',
    });
    expect(summary.total).toBeGreaterThan(400);
    const { codes } = await loadCodeSets(dataDir, now, { shipped: false });
    // No order file imported: the notes annotate the starter set's ICD-10-CM codes.
    expect(codes.lookup('icd10cm', 'C50')?.excludes1).toEqual([
      'C44.501',
      'C44.511',
      'C44.521',
      'C44.591',
    ]);
    expect(codes.lookup('icd10cm', 'C50')?.useAdditional).toEqual(['Z17']);
  });

  it('reads the HCPCS ANWEB file: codes, modifiers, add and termination dates; a re-import changes nothing', async () => {
    const dataDir = await freshDataDir();
    const first = await importCodeFile({ file: OFFICIAL.hcpcs, dataDir, now });
    expect(first).toMatchObject({
      kind: 'hcpcs',
      system: 'hcpcs',
      version: '2025-10',
      effectiveFrom: '2025-10-01',
      effectiveTo: '2025-12-31',
      total: 8846,
      added: 8846,
    });
    const again = await importCodeFile({ file: OFFICIAL.hcpcs, dataDir, now });
    expect(again).toMatchObject({ added: 0, changed: 0, retired: 0, comparedWith: '2025-10' });
    const { codes } = await loadCodeSets(dataDir, now, { shipped: false });
    expect(codes.lookup('hcpcs', 'G0439')).toMatchObject({
      billable: true,
      addDate: '2011-01-01',
      validFrom: '2011-01-01',
    });
    expect(codes.lookup('modifier', 'GT')?.display).toMatch(/interactive audio and video/i);
    expect(codes.lookup('modifier', '25')).toBeDefined();
    const ended = codes.lookup('hcpcs', 'G0106');
    expect(ended).toMatchObject({ termDate: '2024-12-31', validTo: '2024-12-31' });
    if (ended) expect(invalidOnDate(ended, '2025-11-01')).toBe('it was ended on 2024-12-31');
    expect(codes.search('glucose strips', 'service', 5).map((e) => e.code)).toContain('A4253');
  });

  it('reads a licensed CPT file in the documented layout; without one, CPT numbers keep ChartBill labels', async () => {
    const dataDir = await freshDataDir();
    const before = await loadCodeSets(dataDir, now, { shipped: false });
    expect(before.source).toBe('starter');
    expect(before.codes.lookup('cpt', '99213')?.display).not.toMatch(/FAKE/);
    const summary = await importCodeFile({ file: fixture('cpt_2026_fake.tsv'), dataDir, now });
    expect(summary).toMatchObject({
      kind: 'cpt',
      system: 'cpt',
      version: '2026',
      effectiveFrom: '2026-01-01',
      total: 3,
    });
    const { codes } = await loadCodeSets(dataDir, now, { shipped: false });
    expect(codes.lookup('cpt', '99213')?.display).toBe(
      'FAKE long descriptor for an office visit, made up for tests',
    );
    expect(codes.search('fake moderate', 'service', 3).map((e) => e.code)).toEqual(['99214']);
  });

  it('reads the Alphabetic Index (CSV and the External Cause XML) as search terms of their codes', async () => {
    const dataDir = await freshDataDir();
    const csv = await importCodeFile({ file: OFFICIAL.indexCsv, dataDir, now });
    const xml = await importCodeFile({ file: OFFICIAL.eindexXml, dataDir, now });
    expect(csv).toMatchObject({ layer: 'index', version: '2025' });
    expect(xml).toMatchObject({ layer: 'index', version: '2025e' });
    expect(xml.total).toBeGreaterThan(2000);
    expect(await storedFiles(dataDir)).toEqual([
      'icd10cm-index-2025.json',
      'icd10cm-index-2025e.json',
    ]);
    const { codes } = await loadCodeSets(dataDir, now, { shipped: false });
    // "Stone, kidney" → N20.0 (Calculus of kidney) is in the starter set.
    expect(codes.search('kidney stone', 'diagnosis', 3)[0]?.code).toBe('N20.0');
  });

  it('reads the MCE FY2026 age and manifestation lists and the historical v37 sex lists', async () => {
    const dataDir = await freshDataDir();
    await importCodeFile({ file: OFFICIAL.mceJson, dataDir, now });
    const sex = await importCodeFile({ file: OFFICIAL.mceV37, dataDir, now });
    expect(sex).toMatchObject({ layer: 'mce', version: 'v37-sex', effectiveFrom: '2019-10-01' });
    const { codes } = await loadCodeSets(dataDir, now, { shipped: false });
    expect(codes.lookup('icd10cm', 'N40.0')).toMatchObject({ sex: 'male', ageGroup: 'adult' });
    expect(codes.lookup('icd10cm', 'Z00.129')?.ageGroup).toBe('pediatric');
    expect(codes.lookup('icd10cm', 'D63.1')?.manifestation).toBe(true);
  });
});
