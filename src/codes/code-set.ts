/**
 * Code sets: ICD-10-CM diagnoses, CPT and HCPCS Level II services, and modifiers.
 * Browser-safe types; implementations live beside this file.
 */
export type CodeSystemKey = 'icd10cm' | 'cpt' | 'hcpcs' | 'modifier';

export interface CodeEntry {
  system: CodeSystemKey;
  /** As billed: ICD-10-CM with its dot (`E11.9`); CPT/HCPCS as five characters; modifiers two. */
  code: string;
  /** Official description (ICD-10-CM, HCPCS) or ChartBill's own short label (CPT). */
  display: string;
  /** False for ICD-10-CM categories and headers that cannot be billed. */
  billable: boolean;
  /**
   * A header that was a billable code until a later release subdivided it (G35 until 2025-09-30):
   * billable for dates of service up to and including this date (YYYY-MM-DD).
   */
  billableTo?: string;
  /** First and last date of service (YYYY-MM-DD) the code is valid for, when known. */
  validFrom?: string;
  validTo?: string;
  /**
   * ICD-10-CM Tabular "Excludes1" targets (Guidelines I.A.12.a: never coded together), as code
   * references with their dot. A range in the note is given as its members (`E08-E13` → E08 …
   * E13) or, across letters or levels, as the range itself (`O00-O9A`), a `.-` reference
   * (`E10.-`) as the prefix `E10`: `refCovers` (code-refs.ts) says whether one covers a code.
   * Set on the category/subcategory/code whose note it is; notes are inherited by every code
   * below it, so a rule checks the code and each of its ancestors (`ancestorsOf`).
   */
  excludes1?: string[];
  /** Tabular "Excludes2" targets (Guidelines I.A.12.b: not part of, may be coded together). */
  excludes2?: string[];
  /** Tabular "Code first" references: the underlying condition is sequenced first (I.A.13). */
  codeFirst?: string[];
  /** Tabular "Use additional code" references (I.A.13). */
  useAdditional?: string[];
  /** Tabular inclusion terms (I.A.11): other conditions this code is used for. Searchable. */
  inclusionTerms?: string[];
  /**
   * Sex the diagnosis applies to, from the MCE v37 (FY2020) sex lists. Historical: CMS switched
   * the MCE sex-conflict edit off on 2024-10-01, so rules should warn, not reject.
   */
  sex?: 'male' | 'female';
  /** MCE FY2026 age edit: newborn 0, pediatric 0-17, maternity 9-64, adult 15-124 years. */
  ageGroup?: 'newborn' | 'pediatric' | 'maternity' | 'adult';
  /** MCE: a manifestation code, never first-listed (code first the underlying disease). */
  manifestation?: boolean;
  /**
   * True on an ICD-10-CM category/subcategory whose codes need a 7th character (Tabular
   * `sevenChrDef`, Guidelines I.A.5); billable codes below it are already 7 characters long.
   */
  requiresSeventh?: boolean;
  /** HCPCS Level II: the date CMS added the code (ANWEB ADD DT), YYYY-MM-DD. */
  addDate?: string;
  /** HCPCS Level II: the code's termination date (ANWEB TERM DT), YYYY-MM-DD. */
  termDate?: string;
}

export type SearchKind = 'diagnosis' | 'service' | 'modifier';

/**
 * One imported release of a code system and the dates it is in force (FY2026 ICD-10-CM:
 * 2025-10-01..2026-09-30). `effectiveTo` is absent when the release has no announced end.
 */
export interface CodeSetVersion {
  system: CodeSystemKey;
  /** e.g. `2026` for ICD-10-CM FY2026, `2025-10` for the HCPCS October 2025 file. */
  version: string;
  effectiveFrom: string;
  effectiveTo?: string;
}

/** One release in use (shipped or imported), without its data: what `codes status` lists. */
export interface CodeSetRelease {
  system: string;
  /** `codes`, `notes` (Tabular), `index` (Alphabetic Index), `mce`. */
  layer: string;
  version: string;
  effectiveFrom: string;
  effectiveTo?: string;
  /** The official file it came from. */
  file: string;
  /** True for a release ChartBill ships, false for an import. */
  shipped: boolean;
}

/**
 * Versioning model (one merged set, not one set per release): each entry carries the dates it is
 * valid for. `validFrom` is the start of the first imported release containing the code (for the
 * oldest imported ICD-10-CM release, only codes its addenda list as new get one: the others
 * existed before); `validTo` is the day before the first later release that dropped it. Codes of
 * the newest release have no `validTo`: when a date of service falls after the newest release's
 * `effectiveTo` (e.g. FY2027 not imported yet), the newest release stays in force and
 * `versionInForce` (version-in-force.ts) reports it as stale, so rules warn instead of marking
 * every code invalid. Descriptions and billable flags are those of the newest release.
 */
export interface CodeSet {
  /** A label of what is loaded (`starter`, or `icd10cm 2026 + hcpcs 2025-10`). */
  version?: string;
  /** The imported releases, oldest first per system; absent for the starter set. */
  versions?: readonly CodeSetVersion[];
  /** Every release in use, each layer apart (notes, index, MCE too); absent for the starter set. */
  releases?: readonly CodeSetRelease[];
  /** Looks a code up, with or without the dot for ICD-10-CM. */
  lookup(system: CodeSystemKey, code: string): CodeEntry | undefined;
  /** Forgiving search: codes with or without dots, words in any order, prefixes, abbreviations. */
  search(query: string, kind: SearchKind, limit?: number): CodeEntry[];
  /** The codes one level below an ICD-10-CM category or subcategory. */
  children(code: string): CodeEntry[];
}
