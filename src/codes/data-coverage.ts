/**
 * What the edits cannot check, in words: each edit whose reference data is missing, or does not
 * cover the date of service, says so (issue 16, item 2), in `chartbill codes status`, in
 * `chartbill scrub`'s notes, in the app panel's footer and once in the worker's log. A silent gap
 * (Excludes1 off because only the order file was imported, an MUE table dated after the visit)
 * reads to a coder as "checked, nothing found". Browser-safe.
 */
import type { CodeSet, CodeSetRelease } from './code-set.ts';

/** The NCCI facts the notes need (NcciTables has them). */
interface NcciFacts {
  source: string;
  counts: { ptp: number; mue: number };
  dates?: { ptp?: string; mue?: string; mueSingleTable: boolean };
}

export interface CoverageInput {
  codes: CodeSet;
  /** Absent: no NCCI table loaded. */
  ncci?: NcciFacts | undefined;
  /** The PFS the 26/TC and 50 checks use (its file name, e.g. `PPRRVU2025_Oct`); absent: off. */
  pfsName?: string | undefined;
  /** YYYY-MM-DD. */
  dateOfService: string;
}

export interface CoverageNote {
  /** The edits concerned (`Excludes1`, `NCCI PTP`, …). */
  edit: string;
  /** `off`: the edit does not run; `dated`: it runs on data for another date. */
  kind: 'off' | 'dated';
  message: string;
}

const NAMES: Readonly<Record<string, string>> = {
  icd10cm: 'ICD-10-CM',
  hcpcs: 'HCPCS Level II',
  cpt: 'CPT',
};

/** A note when `dateOfService` falls outside the releases of one layer (oldest…newest). */
function datedNote(
  edit: string,
  what: string,
  layers: readonly CodeSetRelease[],
  dateOfService: string,
): CoverageNote[] {
  const sorted = [...layers].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  const oldest = sorted[0];
  const newest = sorted.at(-1);
  if (!oldest || !newest) return [];
  if (dateOfService < oldest.effectiveFrom)
    return [
      {
        edit,
        kind: 'dated',
        message: `${what} ${oldest.version} is in force from ${oldest.effectiveFrom}; the date of service ${dateOfService} is earlier and is checked against it (import the release in force on that date).`,
      },
    ];
  if (newest.effectiveTo && dateOfService > newest.effectiveTo)
    return [
      {
        edit,
        kind: 'dated',
        message: `${what} ${newest.version} ended on ${newest.effectiveTo}; the date of service ${dateOfService} is later and is checked against it until the next release is imported.`,
      },
    ];
  return [];
}

function codeSetNotes(codes: CodeSet, dateOfService: string): CoverageNote[] {
  const releases = codes.releases ?? [];
  const of = (system: string, layer: string): CodeSetRelease[] =>
    releases.filter((r) => r.system === system && r.layer === layer);
  const notes: CoverageNote[] = [];
  for (const system of ['icd10cm', 'hcpcs'] as const) {
    const name = NAMES[system] ?? system;
    const layer = of(system, 'codes');
    if (layer.length === 0)
      notes.push({
        edit: `${name} validity`,
        kind: 'off',
        message: `${name}: only ChartBill's starter list is loaded; codes outside it are reported as unknown (run chartbill codes compile, or import the CMS release).`,
      });
    else notes.push(...datedNote(`${name} validity`, name, layer, dateOfService));
  }
  const cpt = of('cpt', 'codes');
  if (cpt.length > 0) notes.push(...datedNote('CPT validity', 'CPT code list', cpt, dateOfService));
  else
    notes.push({
      edit: 'CPT descriptors',
      kind: 'off',
      message:
        'CPT: no licensed CPT file is imported; CPT numbers carry ChartBill labels and codes outside its starter list are not recognised (chartbill codes import <cpt file>).',
    });
  const tabular = of('icd10cm', 'notes');
  if (tabular.length === 0)
    notes.push({
      edit: 'Excludes1, code first',
      kind: 'off',
      message:
        'Excludes1/Excludes2 and code-first edits are off: no ICD-10-CM Tabular notes are loaded (chartbill codes import the Tabular XML or notes JSON).',
    });
  else
    notes.push(
      ...datedNote('Excludes1, code first', 'ICD-10-CM Tabular notes', tabular, dateOfService),
    );
  const mce = of('icd10cm', 'mce').filter((r) => !r.version.endsWith('-sex'));
  if (mce.length === 0)
    notes.push({
      edit: 'MCE age, manifestation',
      kind: 'off',
      message:
        'MCE age and manifestation edits are off: no MCE lists are loaded (chartbill codes import mce_edits_fyYYYY.json).',
    });
  else notes.push(...datedNote('MCE age, manifestation', 'MCE', mce, dateOfService));
  return notes;
}

function ncciNotes(ncci: NcciFacts | undefined, dateOfService: string): CoverageNote[] {
  const notes: CoverageNote[] = [];
  if (!ncci || ncci.counts.ptp === 0)
    notes.push({
      edit: 'NCCI PTP',
      kind: 'off',
      message:
        'NCCI PTP (bundling) edits are off: no PTP table is loaded, so pairs of services are not checked (chartbill ncci import the quarterly practitioner PTP files).',
    });
  else if (/sandbox/i.test(ncci.source))
    notes.push({
      edit: 'NCCI PTP',
      kind: 'dated',
      message:
        "NCCI PTP: ChartBill's sandbox table (a few illustrative pairs, not CMS data) is loaded; import the CMS quarterly files to check real pairs.",
    });
  if (!ncci || ncci.counts.mue === 0)
    notes.push({
      edit: 'NCCI MUE',
      kind: 'off',
      message:
        'NCCI MUE (units) edits are off: no MUE table is loaded (chartbill ncci import the practitioner MUE file).',
    });
  else if (ncci.dates?.mue && dateOfService < ncci.dates.mue && ncci.dates.mueSingleTable)
    notes.push({
      edit: 'NCCI MUE',
      kind: 'dated',
      message: `NCCI MUE: the only table loaded is effective ${ncci.dates.mue}; it is applied to the earlier date of service ${dateOfService} (import the table in force on that date to check against it).`,
    });
  return notes;
}

function pfsNotes(pfsName: string | undefined, dateOfService: string): CoverageNote[] {
  if (!pfsName)
    return [
      {
        edit: 'PFS 26/TC, 50',
        kind: 'off',
        message:
          'Professional/technical (26/TC) and bilateral (50) checks are off: no Medicare PFS relative value file is loaded.',
      },
    ];
  const year = /(20\d\d)/.exec(pfsName)?.[1];
  if (year && dateOfService.slice(0, 4) !== year)
    return [
      {
        edit: 'PFS 26/TC, 50',
        kind: 'dated',
        message: `PFS indicators come from ${pfsName} (calendar year ${year}); the date of service ${dateOfService} is checked against them.`,
      },
    ];
  return [];
}

/** The notes for one date of service, most important first (off before dated). */
export function dataCoverage(input: CoverageInput): CoverageNote[] {
  const notes = [
    ...codeSetNotes(input.codes, input.dateOfService),
    ...ncciNotes(input.ncci, input.dateOfService),
    ...pfsNotes(input.pfsName, input.dateOfService),
  ];
  return [...notes.filter((n) => n.kind === 'off'), ...notes.filter((n) => n.kind === 'dated')];
}

/** The logger method `logDataCoverage` uses (pino's Logger has it). */
export interface CoverageLog {
  warn(obj: object, msg: string): void;
}

/**
 * Logs each note once, for today's date of service: the worker calls it at start-up, so its
 * log says which edits are off (no PHI: the notes name data files and dates only).
 */
export function logDataCoverage(
  log: CoverageLog,
  input: Omit<CoverageInput, 'dateOfService'>,
  today: string = new Date().toISOString().slice(0, 10),
): CoverageNote[] {
  const notes = dataCoverage({ ...input, dateOfService: today });
  for (const note of notes) log.warn({ edit: note.edit, coverage: note.kind }, note.message);
  return notes;
}
