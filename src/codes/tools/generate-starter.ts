/**
 * Re-generates the starter code-set data files (`src/codes/starter-icd10cm.ts`,
 * `starter-hcpcs.ts`, `starter-mce.ts`) from the official CMS files, read by path:
 *
 *   node --import tsx src/codes/tools/generate-starter.ts [--data <dir>] [--out <dir>]
 *
 * `--data` defaults to `../shared/data` (see its PROVENANCE.md); `--out` to `src/codes`.
 * Which codes are included is decided in `starter-selection.ts`; everything else (descriptions,
 * billable flags, dates, MCE flags) comes from the files. A selected code missing from a file
 * stops the run, so a code-set update that deletes a code is noticed.
 *
 * Node-only tool: nothing in the app imports it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCsvLine } from '../import/parse-csv-line.ts';
import {
  STARTER_HCPCS_CODES,
  STARTER_HCPCS_MODIFIERS,
  STARTER_ICD10CM_CODES,
} from './starter-selection.ts';

interface IcdRow {
  code: string;
  billable: boolean;
  long: string;
}
interface HcpcsRow {
  code: string;
  short: string;
  added: string;
  terminated: string;
}

const ICD_ORDER = 'icd10cm/fy2026/icd10cm_order_2026.txt';
const HCPCS_CSV = 'hcpcs/HCPC2025_OCT_ANWEB.csv';
const MCE_JSON = 'mce/mce_edits_fy2026.json';

/** CMS order file layout: code cols 7-13 (no dot), flag col 15, long description col 78+. */
function readIcdOrderFile(path: string): Map<string, IcdRow> {
  const rows = new Map<string, IcdRow>();
  for (const line of readFileSync(path, 'latin1').split(/\r?\n/)) {
    if (line.length < 78) continue;
    const code = line.slice(6, 13).trim();
    rows.set(code, { code, billable: line[14] === '1', long: line.slice(77).trim() });
  }
  return rows;
}

function readHcpcs(path: string): Map<string, HcpcsRow> {
  // The CMS ANWEB CSV has no line breaks inside fields, so it parses line by line.
  const lines = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l !== '');
  const [header, ...rows] = lines.map((line, i) => parseCsvLine(line, path, i + 1));
  if (!header) throw new Error(`${path}: empty file`);
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${path}: no column ${name}`);
    return i;
  };
  const [hcpc, short, added, term] = [
    col('HCPC'),
    col('SHORT DESCRIPTION'),
    col('ADD DT'),
    col('TERM DT'),
  ];
  const byCode = new Map<string, HcpcsRow>();
  for (const r of rows) {
    const code = (r[hcpc] ?? '').trim();
    // Long descriptions continue on rows with a higher SEQNUM: the first row holds the short one.
    if (!code || byCode.has(code)) continue;
    byCode.set(code, {
      code,
      short: r[short] ?? '',
      added: isoDate(r[added]),
      terminated: isoDate(r[term]),
    });
  }
  return byCode;
}

function isoDate(yyyymmdd: string | undefined): string {
  const d = (yyyymmdd ?? '').trim();
  return /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : '';
}

function dotted(compact: string): string {
  return compact.length > 3 ? `${compact.slice(0, 3)}.${compact.slice(3)}` : compact;
}

/**
 * The selected codes, every ancestor category (so "category → children" works) and the billable
 * direct children of those ancestors (the siblings a clinician picks between).
 */
function selectIcd(order: Map<string, IcdRow>): IcdRow[] {
  const chosen = new Set<string>();
  const missing: string[] = [];
  for (const code of STARTER_ICD10CM_CODES) {
    const compact = code.replace('.', '');
    if (!order.has(compact)) {
      missing.push(code);
      continue;
    }
    chosen.add(compact);
    for (let n = 3; n < compact.length; n++) {
      if (order.has(compact.slice(0, n))) chosen.add(compact.slice(0, n));
    }
  }
  if (missing.length) throw new Error(`not in the ICD-10-CM order file: ${missing.join(' ')}`);
  const ancestors = [...chosen].filter((c) => c.length > 3 && !order.get(c)?.billable);
  for (const row of order.values()) {
    const parent = ancestors.find(
      (a) => row.code.length === a.length + 1 && row.code.startsWith(a),
    );
    if (parent && row.billable) chosen.add(row.code);
  }
  // The order file is in tabular order; keep it.
  return [...order.values()].filter((r) => chosen.has(r.code));
}

function selectHcpcs(rows: Map<string, HcpcsRow>, codes: readonly string[]): HcpcsRow[] {
  const missing = codes.filter((c) => !rows.has(c));
  if (missing.length) throw new Error(`not in the HCPCS file: ${missing.join(' ')}`);
  return codes.map((c) => rows.get(c)).filter((r): r is HcpcsRow => r !== undefined);
}

interface MceFile {
  codes: Record<string, { code: string }[] | undefined>;
}

/** MCE lists restricted to the starter codes (only what the edits need). */
function selectMce(path: string, icd: IcdRow[]): Record<string, string[]> {
  const mce = JSON.parse(readFileSync(path, 'utf8')) as MceFile;
  const have = new Set(icd.map((r) => r.code));
  const pick = (key: string): string[] =>
    (mce.codes[key] ?? [])
      .map((e) => e.code)
      .filter((c) => have.has(c))
      .map(dotted);
  return {
    manifestation: pick('manifestation_not_pdx'),
    pediatric: pick('age_pediatric'),
    adult: pick('age_adult'),
  };
}

const HEADER = (source: string): string =>
  `// GENERATED by src/codes/tools/generate-starter.ts from ${source}. Do not edit by hand.\n`;

function writeIcd(out: string, rows: IcdRow[]): void {
  const body = rows.map(
    (r) =>
      `  [${JSON.stringify(dotted(r.code))}, ${r.billable ? 1 : 0}, ${JSON.stringify(r.long)}],`,
  );
  writeFileSync(
    join(out, 'starter-icd10cm.ts'),
    `${HEADER(`CMS ${ICD_ORDER} (FY2026)`)}
/** ICD-10-CM FY2026 (valid 2025-10-01 to 2026-09-30): [code, billable (1) or header (0), long description]. */
export const STARTER_ICD10CM: readonly (readonly [code: string, billable: 0 | 1, display: string])[] = [
${body.join('\n')}
];
`,
  );
}

function writeHcpcs(out: string, codes: HcpcsRow[], modifiers: HcpcsRow[]): void {
  const row = (r: HcpcsRow): string =>
    `  [${[r.code, r.short, r.added, r.terminated].map((v) => JSON.stringify(v)).join(', ')}],`;
  writeFileSync(
    join(out, 'starter-hcpcs.ts'),
    `${HEADER(`CMS ${HCPCS_CSV} (October 2025)`)}
/** [code, CMS short description, date added, termination date ('' when active)]. */
export type HcpcsRow = readonly [code: string, display: string, added: string, terminated: string];

/** HCPCS Level II codes (RECID 3). */
export const STARTER_HCPCS: readonly HcpcsRow[] = [
${codes.map(row).join('\n')}
];

/** HCPCS Level II modifiers (RECID 7). */
export const STARTER_HCPCS_MODIFIER_ROWS: readonly HcpcsRow[] = [
${modifiers.map(row).join('\n')}
];
`,
  );
}

function writeMce(out: string, lists: Record<string, string[]>): void {
  const list = (k: string): string => JSON.stringify(lists[k] ?? []);
  writeFileSync(
    join(out, 'starter-mce.ts'),
    `${HEADER(`CMS ${MCE_JSON} (MCE FY2026)`)}
/**
 * Medicare Code Editor lists, restricted to the starter ICD-10-CM codes: manifestation codes that
 * may not be listed first (MCE "manifestation not allowed as principal diagnosis"), and codes for
 * pediatric (0-17) or adult (15-124) patients only.
 */
export const STARTER_MCE = {
  manifestation: ${list('manifestation')},
  pediatric: ${list('pediatric')},
  adult: ${list('adult')},
} as const satisfies Record<string, readonly string[]>;
`,
  );
}

function main(): void {
  const { values } = parseArgs({ options: { data: { type: 'string' }, out: { type: 'string' } } });
  const data = resolve(values.data ?? '../shared/data');
  const out = resolve(values.out ?? 'src/codes');
  const icd = selectIcd(readIcdOrderFile(join(data, ICD_ORDER)));
  const hcpcs = readHcpcs(join(data, HCPCS_CSV));
  writeIcd(out, icd);
  writeHcpcs(
    out,
    selectHcpcs(hcpcs, STARTER_HCPCS_CODES),
    selectHcpcs(hcpcs, STARTER_HCPCS_MODIFIERS),
  );
  writeMce(out, selectMce(join(data, MCE_JSON), icd));
  const billable = icd.filter((r) => r.billable).length;
  process.stdout.write(
    `ICD-10-CM ${icd.length} (${billable} billable), HCPCS ${STARTER_HCPCS_CODES.length}, modifiers ${STARTER_HCPCS_MODIFIERS.length}\n`,
  );
}

main();
