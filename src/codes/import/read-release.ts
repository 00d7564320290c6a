/**
 * Reads one code file of a given kind into the release ChartBill stores: ICD-10-CM codes (order
 * file, or the CMS zip with its addenda), Tabular notes (XML or the notes JSON), Alphabetic Index
 * terms (XML or CSV), HCPCS Level II codes and modifiers, CPT descriptors, MCE lists.
 * The whole file is read and checked before anything is stored.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { STORE_FORMAT, type StoredRelease } from '../store/stored-release.ts';
import { CodeFileError, type ImportProgress, type TextSource } from './code-file-error.ts';
import type { ImportKind } from './detect-kind.ts';
import { parseCptFile } from './parse-cpt-file.ts';
import { parseHcpcsAnweb } from './parse-hcpcs-release.ts';
import { parseIcd10cmIndexCsv, parseIcd10cmIndexXml } from './parse-icd10cm-index.ts';
import { parseIcd10cmNotesJson } from './parse-icd10cm-notes-json.ts';
import { parseIcd10cmAddenda, parseIcd10cmOrder } from './parse-icd10cm-order.ts';
import { parseIcd10cmTabular } from './parse-icd10cm-tabular.ts';
import { parseMceJson, parseMceV37Sex } from './parse-mce.ts';
import { calendarYearDates, fiscalYearDates, hcpcsDates } from './release-dates.ts';
import { unzipBounded } from './unzip-bounded.ts';

export interface ReadOptions {
  /** `--effective YYYY-MM-DD`: the date the release takes effect, when its name does not say. */
  effective?: string;
  now: () => Date;
  progress?: ImportProgress;
}

async function textOf(path: string): Promise<TextSource> {
  // CMS code files are ASCII/Latin-1 (ANWEB has a few Latin-1 bytes); CPT/JSON files are UTF-8.
  const encoding = ['.json', '.tsv'].includes(extname(path).toLowerCase()) ? 'utf8' : 'latin1';
  return { name: basename(path), text: await readFile(path, encoding) };
}

/** A stored release without its format tag and source (added last). */
type ReleaseBody = StoredRelease extends infer R
  ? R extends StoredRelease
    ? Omit<R, 'source' | 'format'>
    : never
  : never;

const yearIn = (name: string): string | undefined => /(20\d\d)/.exec(name)?.[1];

/** The order file and addenda of a CMS "Code Descriptions in Tabular Order" zip, read within the import limits. */
async function unzipOrder(path: string): Promise<{ order: TextSource; addenda?: TextSource }> {
  const files = await unzipBounded(path, (name) =>
    /icd10cm_order_(addenda_)?\d{4}\.txt$/i.test(name),
  );
  const decode = (name: string): TextSource => ({
    name: `${basename(path)}:${name}`,
    text: new TextDecoder('latin1').decode(files[name]),
  });
  const orderName = Object.keys(files).find((n) => /icd10cm_order_\d{4}\.txt$/i.test(n));
  if (!orderName)
    throw new CodeFileError(basename(path), 0, 'the zip holds no icd10cm_order_YYYY.txt');
  const addendaName = Object.keys(files).find((n) => /addenda/i.test(n));
  return { order: decode(orderName), ...(addendaName ? { addenda: decode(addendaName) } : {}) };
}

async function readIcd10cmOrder(path: string, options: ReadOptions): Promise<ReleaseBody> {
  const { order, addenda } =
    extname(path).toLowerCase() === '.zip'
      ? await unzipOrder(path)
      : { order: await textOf(path), addenda: undefined };
  const rows = parseIcd10cmOrder(order, options.progress);
  const changes = addenda ? parseIcd10cmAddenda(addenda) : undefined;
  const dates = fiscalYearDates(yearIn(order.name), options.effective, order.name);
  return {
    layer: 'codes',
    system: 'icd10cm',
    ...dates,
    rows,
    ...(changes
      ? { added: changes.added, retired: changes.deleted, reflagged: changes.reflagged }
      : {}),
  };
}

async function readNotes(
  path: string,
  kind: 'icd10cm-tabular' | 'icd10cm-notes',
  options: ReadOptions,
): Promise<ReleaseBody> {
  const name = basename(path);
  const { version, notes } =
    kind === 'icd10cm-tabular'
      ? await parseIcd10cmTabular(path, name, options.progress)
      : parseIcd10cmNotesJson(await textOf(path));
  return {
    layer: 'notes',
    system: 'icd10cm',
    ...fiscalYearDates(version ?? yearIn(name), options.effective, name),
    notes,
  };
}

async function readIndex(path: string, options: ReadOptions): Promise<ReleaseBody> {
  const name = basename(path);
  const { version, terms } =
    extname(path).toLowerCase() === '.xml'
      ? await parseIcd10cmIndexXml(path, name, options.progress)
      : parseIcd10cmIndexCsv(await textOf(path), options.progress);
  // The External Cause index is stored beside the main index, not over it.
  const eindex = /eindex/i.test(name) ? 'e' : '';
  const dates = fiscalYearDates(version ?? yearIn(name), options.effective, name);
  return {
    layer: 'index',
    system: 'icd10cm',
    ...dates,
    version: `${dates.version}${eindex}`,
    terms,
  };
}

async function readMce(path: string, options: ReadOptions): Promise<ReleaseBody> {
  const source = await textOf(path);
  if (source.text.startsWith('MCE_Version')) {
    // MCE version v maps to fiscal year 1983 + v (v33 = FY2016, the first ICD-10 MCE; v37 = FY2020).
    const v = /^\d+\t/.exec(source.text.split('\n', 2)[1] ?? '')?.[0].trim();
    const fy = v ? String(1983 + Number(v)) : undefined;
    return {
      layer: 'mce',
      system: 'icd10cm',
      ...fiscalYearDates(fy, options.effective, source.name),
      version: `v${v ?? ''}-sex`,
      mce: parseMceV37Sex(source),
    };
  }
  return {
    layer: 'mce',
    system: 'icd10cm',
    ...fiscalYearDates(yearIn(source.name), options.effective, source.name),
    mce: parseMceJson(source),
  };
}

/** Reads `path` as `kind`; throws CodeFileError (naming file and line) when it cannot. */
export async function readRelease(
  path: string,
  kind: ImportKind,
  options: ReadOptions,
): Promise<StoredRelease> {
  if ((await stat(path)).size === 0)
    throw new CodeFileError(basename(path), 0, 'the file is empty');
  const name = basename(path);
  let body: ReleaseBody;
  switch (kind) {
    case 'icd10cm-order':
      body = await readIcd10cmOrder(path, options);
      break;
    case 'icd10cm-tabular':
    case 'icd10cm-notes':
      body = await readNotes(path, kind, options);
      break;
    case 'icd10cm-index':
      body = await readIndex(path, options);
      break;
    case 'hcpcs': {
      // The content is checked first: a wrong file should say so, not that its name lacks a date.
      const rows = parseHcpcsAnweb(await textOf(path), options.progress);
      body = { layer: 'codes', system: 'hcpcs', ...hcpcsDates(name, options.effective), rows };
      break;
    }
    case 'cpt': {
      const rows = parseCptFile(await textOf(path), options.progress);
      body = { layer: 'codes', system: 'cpt', ...calendarYearDates(name, options.effective), rows };
      break;
    }
    case 'mce':
      body = await readMce(path, options);
      break;
    default:
      return kind satisfies never;
  }
  return {
    ...body,
    format: STORE_FORMAT,
    source: { file: name, importedAt: options.now().toISOString() },
  };
}
