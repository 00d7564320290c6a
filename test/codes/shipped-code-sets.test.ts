import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synonymsOf } from '../../src/codes/annotate-entries.ts';
import { BUNDLED_DIR } from '../../src/codes/compile/bundle-format.ts';
import { readBundledReleases, readBundleManifest } from '../../src/codes/compile/read-bundle.ts';
import { loadShippedMue, loadShippedPfs } from '../../src/codes/compile/shipped-reference.ts';
import {
  commonKeys,
  entriesFrom,
  loadCodeSets,
  withImports,
} from '../../src/codes/load-code-sets.ts';
import { createCodeSet } from '../../src/codes/memory-code-set.ts';
import { importCodeFile } from '../../src/codes/import/import-code-file.ts';
import { CLINICIAN_QUERIES } from './clinician-queries.ts';
import { fixture, freshDataDir, now } from './code-files.ts';

describe('the public code sets ChartBill ships (issue 16, item 1)', () => {
  it('ships every part within the 15 MB budget, with the official sources named', async () => {
    const manifest = await readBundleManifest();
    const kinds = manifest?.parts.map((p) => p.file) ?? [];
    expect(kinds).toEqual(
      expect.arrayContaining([
        'icd10cm-codes-2026.json.br',
        'icd10cm-notes-2026.json.br',
        'icd10cm-index-2025.json.br',
        'icd10cm-mce-2026.json.br',
        'hcpcs-codes-2025-10.json.br',
        'cpt-codes-2025-pfs.json.br',
        'ncci-mue.json.br',
        'pfs.json.br',
        'pos.json.br',
      ]),
    );
    for (const part of manifest?.parts ?? [])
      expect(part.sources[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const names = await readdir(BUNDLED_DIR);
    const bytes = (await Promise.all(names.map((n) => stat(join(BUNDLED_DIR, n))))).reduce(
      (n, s) => n + s.size,
      0,
    );
    expect(bytes).toBeLessThanOrEqual(15 * 2 ** 20);
  });

  it('loads the full sets in a fresh install, with the edits data: MUE, PFS indicators', async () => {
    const loaded = await loadCodeSets(await freshDataDir(), now);
    expect(loaded.source).toBe('shipped');
    expect(loaded.stats.entries).toBeGreaterThan(100_000);
    expect(loaded.codes.lookup('icd10cm', 'E11')?.excludes1).toContain('E10');
    expect(loaded.codes.lookup('icd10cm', 'G35')?.billable).toBe(false);
    expect(loaded.codes.lookup('hcpcs', 'G0439')?.display).toMatch(/wellness/i);
    // CPT numbers from the PFS, without descriptors (AMA-licensed).
    expect(loaded.codes.lookup('cpt', '27447')?.display).toBe('CPT 27447');
    expect((await loadShippedMue())?.mue('36415', '2026-07-02')?.value).toBeGreaterThan(0);
    expect((await loadShippedPfs())?.indicators('93000')).toBeDefined();
  }, 120_000);

  it('the prebuilt snapshot answers exactly as an index built from the shipped parts', async () => {
    const fast = (await loadCodeSets(await freshDataDir(), now)).codes;
    const releases = await readBundledReleases();
    const slow = createCodeSet(entriesFrom(releases), {
      synonyms: synonymsOf(releases),
      common: commonKeys(),
    });
    for (const c of CLINICIAN_QUERIES.slice(0, 120))
      expect(
        fast.search(c.query, c.kind, 5).map((e) => e.code),
        c.query,
      ).toEqual(slow.search(c.query, c.kind, 5).map((e) => e.code));
    expect(fast.lookup('icd10cm', 'S72.001A')).toEqual(slow.lookup('icd10cm', 'S72.001A'));
  }, 180_000);

  it('an import replaces the shipped release of the same system, layer and version', async () => {
    const dataDir = await freshDataDir();
    await importCodeFile({ file: fixture('cpt_2026_fake.tsv'), dataDir, now });
    const loaded = await loadCodeSets(dataDir, now);
    expect(loaded.source).toBe('imported');
    expect(
      loaded.releases.filter((r) => r.system === 'cpt').map((r) => [r.version, r.shipped]),
    ).toEqual([
      ['2025-pfs', true],
      ['2026', false],
    ]);
    expect(loaded.codes.lookup('cpt', '99213')?.display).toMatch(/FAKE/);
    const same = withImports(releases(), releases().slice(0, 1));
    expect(same).toHaveLength(2);
  }, 180_000);
});

/** Two tiny releases with different names, for withImports. */
function releases(): Parameters<typeof withImports>[0] {
  const base = {
    format: 'chartbill-codes/1' as const,
    layer: 'codes' as const,
    system: 'icd10cm' as const,
    effectiveFrom: '2025-10-01',
    source: { file: 'x', importedAt: 'y' },
    rows: [],
  };
  return [
    { ...base, version: '2026' },
    { ...base, version: '2027' },
  ];
}
