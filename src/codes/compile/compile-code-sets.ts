/**
 * `chartbill codes compile` (`npm run codes:compile`): reads the official public CMS/CDC files
 * from a folder (by default ../shared/data beside the repository; tomorrow's releases work the same
 * way) and writes the compact, Brotli-compressed parts ChartBill ships in `src/codes/compiled/`:
 * ICD-10-CM (order file with its addenda, Tabular notes, Alphabetic Index and External Cause
 * index), the MCE lists, HCPCS Level II, the NCCI practitioner MUE table, the PFS RVU/GPCI/locality
 * files and the place-of-service codes. The official files themselves are never committed.
 * Each file is found by its CMS name; when several releases are present the newest is used. Node only.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
import { parseMue } from '../../ncci/parse-mue.ts';
import { parseGpciCsv, parseLocalityCsv, parsePprrvuCsv } from '../../pricing/parse-pfs.ts';
import { CodeFileError } from '../import/code-file-error.ts';
import type { ImportKind } from '../import/detect-kind.ts';
import { parseCsvLine } from '../import/parse-csv-line.ts';
import { readRelease } from '../import/read-release.ts';
import { STORE_FORMAT, storedFileName, type StoredRelease } from '../store/stored-release.ts';
import { STARTER_CPT } from '../starter-cpt.ts';
import type { RvuRow } from '../../pricing/pfs-types.ts';
import { synonymsOf } from '../annotate-entries.ts';
import { codeSetLabel, commonKeys, entriesFrom, releaseInfo } from '../load-code-sets.ts';
import { versionsOf } from '../merge-releases.ts';
import { encodeSnapshot, SNAPSHOT_FILE } from './snapshot.ts';
import {
  BUNDLE_FORMAT,
  BUNDLED_DIR,
  type BundledMue,
  type BundledPfs,
  type BundledPos,
  type BundleManifest,
  type BundlePart,
} from './bundle-format.ts';

/** The official files' folder beside the repository (`../shared/data`). */
export const DEFAULT_SOURCE_DIR = fileURLToPath(
  new URL('../../../../shared/data/', import.meta.url),
);

/** Every file under `dir` (recursive). */
async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else out.push(path);
  }
  return out;
}

/** The newest file whose name matches (names carry the year/quarter, so the highest sorts last). */
function newest(files: readonly string[], pattern: RegExp): string | undefined {
  return files
    .filter((f) => pattern.test(basename(f)))
    .sort((a, b) => basename(a).localeCompare(basename(b), 'en', { numeric: true }))
    .at(-1);
}

/** Official file name patterns, in order of preference within one part. */
const CODE_FILES: { kind: ImportKind; patterns: RegExp[]; required: boolean }[] = [
  {
    kind: 'icd10cm-order',
    patterns: [/code-descriptions-tabular-order\.zip$/i, /^icd10cm_order_\d{4}\.txt$/i],
    required: true,
  },
  {
    kind: 'icd10cm-tabular',
    patterns: [/^icd10cm[-_]tabular[-_]\d{4}\.xml$/i],
    required: false,
  },
  {
    kind: 'icd10cm-notes',
    patterns: [/^icd10cm_instructional_notes.*\.json$/i],
    required: false,
  },
  {
    kind: 'icd10cm-index',
    patterns: [/^icd10cm[-_]index[-_]\d{4}\.xml$/i, /^ICD10CM_\d{4}_Index\.csv$/i],
    required: true,
  },
  { kind: 'icd10cm-index', patterns: [/eindex.*\.xml$/i], required: false },
  { kind: 'mce', patterns: [/^mce_edits_fy\d{4}\.json$/i], required: true },
  { kind: 'mce', patterns: [/^MCE_Simple_Code_Edits_v\d+\.txt$/i], required: false },
  { kind: 'hcpcs', patterns: [/^HCPC\d{4}_[A-Z]{3}_ANWEB.*\.csv$/i], required: true },
];

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function compress(value: unknown): Buffer {
  return brotliCompressSync(JSON.stringify(value), {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: 0,
    },
  });
}

async function source(path: string): Promise<{ file: string; sha256: string }> {
  return { file: basename(path), sha256: sha256(await readFile(path)) };
}

function releaseSummary(r: StoredRelease): string {
  switch (r.layer) {
    case 'codes':
      return `${String(r.rows.length)} ${r.system} codes`;
    case 'notes':
      return `notes on ${String(Object.keys(r.notes).length)} codes`;
    case 'index':
      return `index terms for ${String(Object.keys(r.terms).length)} codes`;
    case 'mce':
      return `MCE attributes of ${String(Object.keys(r.mce).length)} codes`;
    default:
      return r satisfies never;
  }
}

/** place_of_service.csv (code,display,definition) from the HL7 THO CodeSystem. */
function parsePos(name: string, text: string): BundledPos {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if ((lines[0] ?? '').trim() !== 'code,display,definition')
    throw new CodeFileError(name, 1, 'the header is not code,display,definition');
  const codes = lines.slice(1).map((line, i) => {
    const [code = '', display = '', definition = ''] = parseCsvLine(line, name, i + 2);
    if (!/^\d{2}$/.test(code)) throw new CodeFileError(name, i + 2, `'${code}' is not a POS code`);
    return { code, display: display.trim(), definition: definition.trim() };
  });
  return { version: basename(name, '.csv'), codes };
}

/** CPT numbers: five digits, or four and F (Category II), T (III) or U (PLA). */
const CPT_NUMBER = /^\d{4}[0-9FTU]$/;

/**
 * The CPT code numbers the PFS relative value file lists (numbers are not licensed, descriptors
 * are): a `cpt` release so services are checked against every CPT number Medicare prices, with
 * ChartBill's own labels for the starter codes and `CPT <code>` for the others. A licensed CPT
 * import (chartbill codes import) adds the descriptors.
 */
function cptNumbersRelease(
  file: string,
  rvus: readonly RvuRow[],
  importedAt: string,
): StoredRelease {
  const year = /(20\d\d)/.exec(file)?.[1] ?? importedAt.slice(0, 4);
  const labels = new Map(STARTER_CPT.map(([code, label]) => [code, label]));
  const numbers = [
    ...new Set(rvus.filter((r) => r.modifier === '' && CPT_NUMBER.test(r.code)).map((r) => r.code)),
  ];
  return {
    format: STORE_FORMAT,
    layer: 'codes',
    system: 'cpt',
    version: `${year}-pfs`,
    effectiveFrom: `${year}-01-01`,
    effectiveTo: `${year}-12-31`,
    source: { file, importedAt },
    rows: numbers.sort().map((code) => [code, 1, labels.get(code) ?? `CPT ${code}`]),
  };
}

export interface CompileOptions {
  /** The folder holding the official files (searched recursively). */
  from?: string;
  /** Where to write the parts (default `src/codes/compiled/`). */
  out?: string;
  now?: () => Date;
  log?: (line: string) => void;
}

/**
 * Compiles every part and replaces the output folder's content with it (written to a temporary
 * folder first, so a failure leaves the committed parts as they were). Returns the manifest.
 */
export async function compileCodeSets(options: CompileOptions = {}): Promise<BundleManifest> {
  const from = options.from ?? DEFAULT_SOURCE_DIR;
  const out = options.out ?? BUNDLED_DIR;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => undefined);
  const files = await walk(from);
  const compiledAt = now().toISOString();
  const staging = `${out.replace(/\/$/, '')}.tmp-${String(process.pid)}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const parts: BundlePart[] = [];
  const releases: StoredRelease[] = [];
  const put = async (
    kind: BundlePart['kind'],
    file: string,
    value: unknown,
    sources: string[],
    summary: string,
  ): Promise<void> => {
    const data = compress(value);
    await writeFile(join(staging, file), data);
    parts.push({
      kind,
      file,
      sources: await Promise.all(sources.map(source)),
      bytes: data.byteLength,
      summary,
    });
    log(`${file}: ${summary}, ${(data.byteLength / 1024).toFixed(0)} KB`);
  };

  for (const { kind, patterns, required } of CODE_FILES) {
    const path = patterns.map((p) => newest(files, p)).find((f) => f !== undefined);
    if (!path) {
      if (required)
        throw new CodeFileError(from, 0, `no ${kind} file (${patterns[0]?.source ?? ''}) found`);
      continue;
    }
    const release = await readRelease(path, kind, { now });
    releases.push(release);
    await put('codes', `${storedFileName(release)}.br`, release, [path], releaseSummary(release));
  }

  const muePath =
    newest(files, /^mue_practitioner.*\.json$/i) ??
    newest(files, /^MCR_MUE_PractitionerServices.*\.csv$/i);
  if (muePath) {
    const edits = parseMue({ name: basename(muePath), text: await readFile(muePath, 'utf8') });
    const mue: BundledMue = { file: basename(muePath), edits };
    await put('mue', 'ncci-mue.json.br', mue, [muePath], `${String(edits.length)} MUE rows`);
  }

  const rvuPath = newest(files, /^PPRRVU.*\.csv$/i);
  const gpciPath = newest(files, /^GPCI\d{4}\.csv$/i);
  const loccoPath = newest(files, /^\d\dLOCCO\.csv$/i);
  if (rvuPath && gpciPath && loccoPath) {
    const text = (p: string): Promise<string> => readFile(p, 'latin1');
    const rvus = parsePprrvuCsv({ name: basename(rvuPath), text: await text(rvuPath) });
    const cpt = cptNumbersRelease(basename(rvuPath), rvus, compiledAt);
    releases.push(cpt);
    await put('codes', `${storedFileName(cpt)}.br`, cpt, [rvuPath], releaseSummary(cpt));
    const pfs: BundledPfs = {
      name: basename(rvuPath, '.csv'),
      rvus,
      gpcis: parseGpciCsv({ name: basename(gpciPath), text: await text(gpciPath) }),
      localities: parseLocalityCsv({ name: basename(loccoPath), text: await text(loccoPath) }),
    };
    await put(
      'pfs',
      'pfs.json.br',
      pfs,
      [rvuPath, gpciPath, loccoPath],
      `${String(pfs.rvus.length)} RVU rows, ${String(pfs.gpcis.length)} localities`,
    );
  }

  const posPath = newest(files, /^place_of_service\.csv$/i);
  if (posPath) {
    const pos = parsePos(basename(posPath), await readFile(posPath, 'utf8'));
    await put('pos', 'pos.json.br', pos, [posPath], `${String(pos.codes.length)} POS codes`);
  }

  const versions = versionsOf(releases);
  const snapshot = encodeSnapshot({
    compiledAt,
    label: codeSetLabel(versions),
    versions,
    releases: releases.map((r) => releaseInfo(r, true)),
    entries: entriesFrom(releases),
    synonyms: synonymsOf(releases),
    common: commonKeys(),
  });
  await writeFile(join(staging, SNAPSHOT_FILE), snapshot);
  log(`${SNAPSHOT_FILE}: entries and search index, ${(snapshot.byteLength / 1024).toFixed(0)} KB`);
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    compiledAt,
    parts,
    snapshot: { file: SNAPSHOT_FILE, bytes: snapshot.byteLength },
  };
  await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const old = `${out.replace(/\/$/, '')}.old-${String(process.pid)}`;
  await rm(old, { recursive: true, force: true });
  try {
    await rename(out, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await rename(staging, out);
  await rm(old, { recursive: true, force: true });
  return manifest;
}
