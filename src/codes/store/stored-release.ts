/**
 * The files `chartbill codes import` writes under `<dataDir>/codes/` and `loadCodeSets` reads at
 * start-up, so the releases are parsed once, at import. One JSON file per system, layer and
 * version (`icd10cm-codes-2026.json`, `icd10cm-notes-2026.json`, `hcpcs-codes-2025-10.json`).
 * Rows are arrays rather than objects to keep the files small and quick to parse.
 */
import { z } from 'zod';

export const STORE_FORMAT = 'chartbill-codes/1';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** Tabular notes of one ICD-10-CM code, category or subcategory (code references, dotted). */
export const noteFields = z
  .object({
    excludes1: z.array(z.string()).optional(),
    excludes2: z.array(z.string()).optional(),
    codeFirst: z.array(z.string()).optional(),
    useAdditional: z.array(z.string()).optional(),
    inclusionTerms: z.array(z.string()).optional(),
    requiresSeventh: z.literal(true).optional(),
  })
  .strict();
export type NoteFields = z.infer<typeof noteFields>;

/** MCE attributes of one ICD-10-CM code. */
export const mceFields = z
  .object({
    sex: z.enum(['male', 'female']).optional(),
    ageGroup: z.enum(['newborn', 'pediatric', 'maternity', 'adult']).optional(),
    manifestation: z.literal(true).optional(),
  })
  .strict();
export type MceFields = z.infer<typeof mceFields>;

/** Rarely present columns of a code row. */
export const rowExtra = z
  .object({
    /** `modifier` for HCPCS Level II modifiers in the HCPCS file. */
    modifier: z.literal(true).optional(),
    /** CMS/AMA short descriptor; searchable. */
    short: z.string().optional(),
    addDate: date.optional(),
    termDate: date.optional(),
  })
  .strict();
export type RowExtra = z.infer<typeof rowExtra>;

/** [code, billable 1 | header 0, display, extra columns]. */
export const codeRow = z.union([
  z.tuple([z.string(), z.union([z.literal(0), z.literal(1)]), z.string()]),
  z.tuple([z.string(), z.union([z.literal(0), z.literal(1)]), z.string(), rowExtra]),
]);
export type CodeRow = z.infer<typeof codeRow>;

/**
 * A list of rows, checked by hand: zod per element costs ~0.5 s over the 98,000 ICD-10-CM rows at
 * every start-up. Rows with extra columns are checked with zod (few: HCPCS, CPT).
 */
const codeRows = z.custom<CodeRow[]>(
  (value) =>
    Array.isArray(value) &&
    value.every(
      (row: unknown) =>
        Array.isArray(row) &&
        typeof row[0] === 'string' &&
        (row[1] === 0 || row[1] === 1) &&
        typeof row[2] === 'string' &&
        (row.length === 3 || (row.length === 4 && rowExtra.safeParse(row[3]).success)),
    ),
  { message: 'rows must be [code, 0|1, display, extra?]' },
);

/** code → list of strings, checked by hand for the same reason. */
const termsByCode = z.custom<Record<string, string[]>>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(
      (list: unknown) => Array.isArray(list) && list.every((t: unknown) => typeof t === 'string'),
    ),
  { message: 'terms must map codes to lists of strings' },
);

const header = {
  format: z.literal(STORE_FORMAT),
  /** Release label: `2026` (ICD-10-CM FY2026), `2025-10` (HCPCS October 2025). */
  version: z.string().regex(/^[0-9A-Za-z.-]+$/),
  effectiveFrom: date,
  effectiveTo: date.optional(),
  /** The imported file's name and when it was imported (no paths: they may name a person). */
  source: z.object({ file: z.string(), importedAt: z.string() }),
};

export const storedRelease = z.discriminatedUnion('layer', [
  z.object({
    ...header,
    layer: z.literal('codes'),
    system: z.enum(['icd10cm', 'hcpcs', 'cpt']),
    rows: codeRows,
    /** Codes this release adds (its addenda): valid from `effectiveFrom`. */
    added: z.array(z.string()).optional(),
    /** Codes this release deletes, as they were: valid until the day before `effectiveFrom`. */
    retired: codeRows.optional(),
    /** Codes the addenda deleted and added again with a new flag, as they were (G35 in FY2026). */
    reflagged: codeRows.optional(),
  }),
  z.object({
    ...header,
    layer: z.literal('notes'),
    system: z.literal('icd10cm'),
    notes: z.record(z.string(), noteFields),
  }),
  z.object({
    ...header,
    layer: z.literal('index'),
    system: z.literal('icd10cm'),
    terms: termsByCode,
  }),
  z.object({
    ...header,
    layer: z.literal('mce'),
    system: z.literal('icd10cm'),
    mce: z.record(z.string(), mceFields),
  }),
]);
export type StoredRelease = z.infer<typeof storedRelease>;
export type StoredLayer = StoredRelease['layer'];
export type StoredCodes = Extract<StoredRelease, { layer: 'codes' }>;

/** The file name a release is stored under. */
export function storedFileName(
  release: Pick<StoredRelease, 'system' | 'layer' | 'version'>,
): string {
  return `${release.system}-${release.layer}-${release.version}.json`;
}
